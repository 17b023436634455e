//! The preparation screen's pure update: state in, one message, assert state and effects.

use super::*;
use crate::domain::Agency;
use crate::tui::screen_tests::{any_key, ctx, run, today, town};

fn loaded() -> (PrepState, Config, Vec<Agency>) {
    let (store, _, agencies) = town();
    let config = Config::default();
    let data = io::load(&store, None, None, today(), &config).unwrap();
    let mut s = PrepState::default();
    run(&mut s, &ctx(&config, &agencies), PrepMsg::Loaded(Box::new(data)), update);
    assert!(s.selected_item().is_some());
    (s, config, agencies)
}

fn key(a: Command) -> PrepMsg {
    PrepMsg::Key(Some(a), any_key())
}

#[test]
fn an_edit_is_asked_of_the_store_and_a_refusal_leaves_the_agenda_as_loaded() {
    let (mut s, config, agencies) = loaded();
    let cx = ctx(&config, &agencies);
    let before = s.items().to_vec();
    let sel = s.selected_item().cloned().unwrap();
    let (effects, _) = run(&mut s, &cx, key(Command::OtherTrack), update);
    assert!(matches!(&effects[..], [PrepEffect::Edit { edit: AgendaEdit::Track(id, Track::Deep), select, .. }]
        if *id == sel.id && *select == sel.id));
    assert_eq!(s.items(), &before[..], "nothing changes until the store says so");
    let (effects, out) = run(&mut s, &cx, PrepMsg::Failed("会議の進行中は議題を変えられません".into()), update);
    assert!(effects.is_empty());
    assert!(out.status.is_some_and(|st| st.error && st.text.contains("進行中")));
    assert_eq!(s.items(), &before[..]);
    // A stored edit reloads the same meeting, keeping the item selected.
    let meeting = s.data.as_ref().unwrap().meeting.as_ref().unwrap().id;
    let (effects, _) = run(&mut s, &cx, PrepMsg::Saved { select: Some(sel.id), message: "移しました".into() }, update);
    assert!(
        matches!(&effects[..], [PrepEffect::Load { meeting: Some(m), select: Some(i), .. }] if *m == meeting && *i == sel.id)
    );
}

#[test]
fn rebuilding_needs_the_key_twice_in_a_row() {
    let (mut s, config, agencies) = loaded();
    let cx = ctx(&config, &agencies);
    let (effects, out) = run(&mut s, &cx, key(Command::Rebuild), update);
    assert!(effects.is_empty() && out.status.is_some_and(|st| st.text.contains("もう一度")));
    run(&mut s, &cx, key(Command::Down), update);
    let (effects, _) = run(&mut s, &cx, key(Command::Rebuild), update);
    assert!(effects.is_empty(), "another key in between disarms");
    let (effects, _) = run(&mut s, &cx, key(Command::Rebuild), update);
    assert!(matches!(&effects[..], [PrepEffect::Rebuild { .. }]));
}

#[test]
fn a_refused_export_keeps_the_folder_form_open_with_the_reason() {
    let (mut s, config, agencies) = loaded();
    let cx = ctx(&config, &agencies);
    run(&mut s, &cx, key(Command::ExportPackets), update);
    let (effects, _) = run(&mut s, &cx, key(Command::Save), update);
    assert!(matches!(&effects[..], [PrepEffect::ExportPackets { .. }]));
    let (_, out) = run(&mut s, &cx, PrepMsg::Failed("出力先: 既に存在します".into()), update);
    assert!(out.status.is_none());
    assert_eq!(s.form.as_ref().expect("still open").form.error.as_deref(), Some("出力先: 既に存在します"));
}
