//! The ledger's pure update (atuin style): state in, one message, assert the state and the
//! effects it returns. No store, model or terminal: the rows come from the demo once.

use super::*;
use crate::tui::screen_tests::{any_key, ctx, run, town, typed};

fn loaded() -> (LedgerState, Config, Vec<Agency>) {
    let (store, _, agencies) = town();
    let data = io::load(&store, None).unwrap();
    let config = Config::default();
    let mut s = LedgerState::default();
    let (effects, _) = run(&mut s, &ctx(&config, &agencies), LedgerMsg::Loaded(Box::new(data)), update);
    assert_eq!(
        effects,
        vec![LedgerEffect::LoadDetail(s.selected_id().unwrap())],
        "the first case's detail is asked for"
    );
    (s, config, agencies)
}

fn key(a: Command) -> LedgerMsg {
    LedgerMsg::Key(Some(a), any_key())
}

#[test]
fn moving_the_selection_asks_for_the_new_detail_only() {
    let (mut s, config, agencies) = loaded();
    let cx = ctx(&config, &agencies);
    let (effects, _) = run(&mut s, &cx, key(Command::Down), update);
    assert_eq!(effects, vec![LedgerEffect::LoadDetail(s.rows[s.visible[1]].id)]);
    assert_eq!(s.selected, 1);
    let (effects, _) = run(&mut s, &cx, key(Command::Up), update);
    assert_eq!(effects.len(), 1);
    let (effects, _) = run(&mut s, &cx, key(Command::Up), update);
    assert!(effects.is_empty(), "already at the top: nothing to load");
}

#[test]
fn a_refused_save_keeps_the_form_open_with_what_was_typed() {
    let (mut s, config, agencies) = loaded();
    let cx = ctx(&config, &agencies);
    run(&mut s, &cx, key(Command::NewCase), update);
    for c in "R8-9".chars() {
        run(&mut s, &cx, LedgerMsg::Key(None, typed(c)), update);
    }
    let (effects, out) = run(&mut s, &cx, LedgerMsg::Failed("ケース番号「R8-9」は既に使われています".into()), update);
    assert!(effects.is_empty() && out.status.is_none(), "the refusal belongs to the form");
    let f = &s.form.as_ref().expect("still open").form;
    assert_eq!(f.error.as_deref(), Some("ケース番号「R8-9」は既に使われています"));
    assert_eq!(f.get(CaseField::Number), "R8-9", "nothing typed is lost");
}

#[test]
fn a_failure_with_no_form_goes_to_the_status_line_and_changes_nothing() {
    let (mut s, config, agencies) = loaded();
    let before = (s.selected, s.visible.clone(), s.rows.len());
    let (effects, out) = run(&mut s, &ctx(&config, &agencies), LedgerMsg::Failed("読み込めません".into()), update);
    assert!(effects.is_empty());
    assert_eq!(out.status.map(|st| (st.text, st.error)), Some(("読み込めません".into(), true)));
    assert_eq!((s.selected, s.visible.clone(), s.rows.len()), before);
}

#[test]
fn a_stored_case_closes_the_form_and_reloads_with_it_selected() {
    let (mut s, config, agencies) = loaded();
    let cx = ctx(&config, &agencies);
    run(&mut s, &cx, key(Command::CloseCase), update);
    assert!(matches!(s.form.as_ref().unwrap().kind, CaseFormKind::Close { .. }));
    let (effects, out) =
        run(&mut s, &cx, LedgerMsg::Saved { case_id: 5, message: "ケース R1-1 を終結しました".into() }, update);
    assert!(s.form.is_none() && s.detail.is_none());
    assert_eq!(effects, vec![LedgerEffect::Load { select: Some(5) }]);
    assert!(out.status.is_some_and(|st| !st.error));
}

#[test]
fn quit_clears_a_search_first_and_leaves_only_then() {
    let (mut s, config, agencies) = loaded();
    let cx = ctx(&config, &agencies);
    run(&mut s, &cx, key(Command::Search), update);
    run(&mut s, &cx, LedgerMsg::Key(None, typed('山')), update);
    run(&mut s, &cx, key(Command::Confirm), update);
    let (_, out) = run(&mut s, &cx, key(Command::Quit), update);
    assert!(!out.quit && s.search.value().is_empty(), "the first Esc clears the search");
    let (_, out) = run(&mut s, &cx, key(Command::Quit), update);
    assert!(out.quit);
}
