//! The ledger's pure update (atuin style): state in, one message, assert the state and the
//! effects it returns. No store, model or terminal: the rows come from the demo once.

use super::*;
use crate::tui::screen_tests::{any_key, ctx, run, today, town, typed};
use ratatui::crossterm::event::{KeyCode, KeyModifiers};

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

/// The ledger on its first page of 10 rows, the index not read yet.
fn paged() -> (crate::store::Store, LedgerState, Config, Vec<Agency>) {
    let (store, _, agencies) = town();
    let config = Config::default();
    let mut s = LedgerState::default();
    let page = Box::new(io::first_page(&store, 10).unwrap());
    let (effects, _) = run(&mut s, &ctx(&config, &agencies), LedgerMsg::Loaded(page), update);
    assert_eq!(effects, vec![LedgerEffect::LoadDetail(s.selected_id().unwrap())]);
    (store, s, config, agencies)
}

/// The first page, then the index from another thread: the table moves at once, what is
/// typed meanwhile waits and applies when the index lands, the selection stays.
#[test]
fn the_first_page_moves_at_once_and_a_search_typed_meanwhile_applies_when_the_index_lands() {
    let (mut store, mut s, config, agencies) = paged();
    let cx = ctx(&config, &agencies);
    let counts = s.building.unwrap().counts;
    assert_eq!(counts.all, store.case_count(true).unwrap() as usize);
    assert_eq!((s.rows.len(), s.visible.len()), (10, 10));
    assert_eq!(s.open_count(), counts.open, "the header counts every open case, not the page");
    run(&mut s, &cx, LedgerMsg::IndexProgress(40), update);
    assert_eq!(s.building.map(|b| b.read), Some(40));

    let (effects, _) = run(&mut s, &cx, key(Command::Down), update);
    assert_eq!(effects, vec![LedgerEffect::LoadDetail(s.rows[1].id)], "moving works on the page");
    let second = s.selected_id();
    s.detail = Some(io::execute(&mut store, LedgerEffect::LoadDetail(second.unwrap())).map(detail).unwrap());
    run(&mut s, &cx, key(Command::Search), update);
    let (effects, _) = run(&mut s, &cx, LedgerMsg::Key(None, typed('や')), update);
    assert!(effects.is_empty(), "the search waits for the index");
    assert_eq!((s.search.value(), s.visible.len(), s.selected_id()), ("や", 10, second));
    run(&mut s, &cx, LedgerMsg::Key(Some(Command::Confirm), any_key()), update);
    run(&mut s, &cx, key(Command::Sort), update);
    assert_eq!(s.visible, (0..10).collect::<Vec<_>>(), "so does the sort");

    let full = io::load(&store, None).unwrap();
    let all = full.rows.len();
    run(&mut s, &cx, LedgerMsg::Loaded(Box::new(full)), update);
    assert!(s.building.is_none());
    assert_eq!(s.rows.len(), all);
    let words = search::query_words("や");
    let f = s.case_filter(today(), &crate::domain::Config::default());
    assert!(!s.visible.is_empty() && s.visible.iter().all(|&i| s.rows[i].passes(&f, &words)), "the search applied");
    assert!(s.visible.len() < all);
    assert_eq!(s.sort, LedgerSort::Kana);
}

/// Completing the index under the same selection reads no detail again; a refresh does.
#[test]
fn the_index_landing_under_the_same_case_reads_no_detail_again() {
    let (mut store, mut s, config, agencies) = paged();
    let cx = ctx(&config, &agencies);
    let id = s.selected_id().unwrap();
    s.detail = Some(io::execute(&mut store, LedgerEffect::LoadDetail(id)).map(detail).unwrap());
    let (effects, _) = run(&mut s, &cx, LedgerMsg::Loaded(Box::new(io::load(&store, None).unwrap())), update);
    assert!(effects.is_empty(), "{effects:?}");
    let (effects, _) = run(&mut s, &cx, LedgerMsg::Loaded(Box::new(io::load(&store, None).unwrap())), update);
    assert_eq!(effects, vec![LedgerEffect::LoadDetail(id)], "a refresh reads the case again");
}

fn detail(m: LedgerMsg) -> CaseDetail {
    match m {
        LedgerMsg::DetailLoaded(d) => *d,
        other => panic!("{other:?}"),
    }
}

/// Typing on only narrows what is shown, so it is filtered from the rows shown; the result is
/// the one a search from scratch gives, in every sort, half-width kana (whose voiced mark
/// changes the letter before it) and deleting included.
#[test]
fn typing_on_shows_what_a_search_from_scratch_shows() {
    let (mut s, config, agencies) = loaded();
    let cx = ctx(&config, &agencies);
    for sort in LedgerSort::ALL {
        while s.sort != sort {
            run(&mut s, &cx, key(Command::Sort), update);
        }
        run(&mut s, &cx, key(Command::Search), update);
        for c in "ﾔﾏﾀﾞ ﾀ\u{8}\u{8}\u{8}\u{8}やま だ".chars() {
            let k = if c == '\u{8}' { KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE) } else { typed(c) };
            run(&mut s, &cx, LedgerMsg::Key(None, k), update);
            let mut fresh = s.clone();
            fresh.applied = None;
            fresh.refilter(&config, today());
            assert_eq!(s.visible, fresh.visible, "{sort:?} after {:?}", s.search.value());
            assert_eq!(s.selected_id(), fresh.selected_id());
        }
        run(&mut s, &cx, LedgerMsg::Key(Some(Command::Clear), any_key()), update);
    }
}
