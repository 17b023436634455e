//! The meeting screen's pure update: state in, one message, assert state and effects. The
//! meeting data comes from the demo once; after that no store is involved.

use super::*;
use crate::store::Store;
use crate::tui::screen_tests::{any_key, ctx, run, today, town, typed};

/// The demo's next meeting started, on the agenda, at its first quick item.
fn running() -> (MeetingState, Config, Vec<Agency>, Store) {
    let (mut store, sum, agencies) = town();
    store.start_meeting(sum.next_meeting).unwrap();
    let mut data = io::load(&store, sum.next_meeting, None).unwrap();
    let quick = data.items.iter().find(|i| i.item.track == Track::Quick).map(|i| i.item.id);
    data.meeting.current_item = quick;
    let config = Config::default();
    let mut s = MeetingState::default();
    run(&mut s, &ctx(&config, &agencies), MeetingMsg::Loaded(Some(Box::new(data))), update);
    assert_eq!(s.phase, Phase::Agenda, "a current item opens the agenda");
    (s, config, agencies, store)
}

fn key(a: Command) -> MeetingMsg {
    MeetingMsg::Key(Some(a), any_key())
}

#[test]
fn an_accept_shows_at_once_and_a_refusal_reads_back_what_is_stored() {
    let (mut s, config, agencies, store) = running();
    let cx = ctx(&config, &agencies);
    let item = s.current().unwrap().item.id;
    let (effects, _) = run(&mut s, &cx, key(Command::MeetingAccept), update);
    assert!(effects.iter().any(|e| matches!(e, MeetingEffect::Accept { item_id, .. } if *item_id == item)));
    let shown = |s: &MeetingState| s.data.as_ref().unwrap().items.iter().find(|i| i.item.id == item).cloned().unwrap();
    assert_eq!(shown(&s).item.state, ItemState::Done, "fast typing acts on the new state");
    assert_ne!(s.current().map(|i| i.item.id), Some(item), "moved on");
    // The store refuses: the screen asks for what is really stored ...
    let (effects, out) = run(&mut s, &cx, MeetingMsg::Failed("この会議は終了しています".into()), update);
    let id = s.data.as_ref().unwrap().meeting.id;
    assert_eq!(effects, vec![MeetingEffect::Load { id: Some(id), today: today(), take_lease: false }]);
    assert!(out.status.is_some_and(|st| st.error));
    // ... and shows it.
    let stored = io::load(&store, id, None).unwrap();
    run(&mut s, &cx, MeetingMsg::Loaded(Some(Box::new(stored))), update);
    assert_eq!(shown(&s).item.state, ItemState::Pending);
    assert!(shown(&s).decision.is_none());
}

#[test]
fn typing_in_the_deep_form_saves_a_draft_on_every_change_and_esc_keeps_it() {
    let (mut s, config, agencies, _store) = running();
    let cx = ctx(&config, &agencies);
    run(&mut s, &cx, key(Command::MeetingEdit), update);
    assert!(matches!(s.form.as_ref().unwrap().kind, MeetingFormKind::Item { .. }));
    let (effects, _) = run(&mut s, &cx, MeetingMsg::Key(None, typed('欠')), update);
    let [MeetingEffect::Draft { key: DraftKey::Item(_), body, .. }] = &effects[..] else { panic!("{effects:?}") };
    assert!(body.contains('欠'));
    let (effects, _) = run(&mut s, &cx, key(Command::NextField), update);
    assert!(effects.is_empty(), "moving between fields changes nothing to save");
    // One Esc: the form closes (no "press again to discard": nothing is discarded).
    let (_, out) = run(&mut s, &cx, key(Command::Cancel), update);
    assert!(s.form.is_none());
    assert!(out.status.is_some_and(|st| st.text.contains("下書き")), "the draft is kept and the user told so");
}

#[test]
fn the_heartbeat_goes_out_every_beat_and_only_while_running() {
    let (mut s, config, agencies, _store) = running();
    let cx = ctx(&config, &agencies);
    let t0 = today().and_hms_opt(9, 0, 0).unwrap();
    let mut beats = 0;
    for i in 0..=(2 * BEAT_SECS) {
        let (effects, _) = run(&mut s, &cx, MeetingMsg::Tick(t0 + chrono::Duration::seconds(i)), update);
        beats += effects.iter().filter(|e| matches!(e, MeetingEffect::Heartbeat { .. })).count();
    }
    assert_eq!(beats, 2);
    s.data.as_mut().unwrap().read_only = Some("別の shinko が進行中です".into());
    let later = t0 + chrono::Duration::seconds(10 * BEAT_SECS);
    for i in 0..=BEAT_SECS {
        let (effects, _) = run(&mut s, &cx, MeetingMsg::Tick(later + chrono::Duration::seconds(i)), update);
        assert!(effects.is_empty(), "a read-only window never beats");
    }
    let (effects, out) = run(&mut s, &cx, key(Command::MeetingAccept), update);
    assert!(effects.is_empty() && out.status.is_some_and(|st| st.text.contains("別の shinko")));
}

#[test]
fn a_closing_draft_opens_as_closing_and_turned_back_to_continue_gets_a_review() {
    let (mut s, config, agencies, _store) = running();
    let cx = ctx(&config, &agencies);
    let d = s.data.as_mut().unwrap();
    let closing = d.items.iter().find(|i| i.item.draft.close_reason.is_some()).map(|i| i.item.clone());
    let item = closing.expect("the demo proposes closing some cases");
    d.meeting.current_item = Some(item.id);
    run(&mut s, &cx, key(Command::MeetingEdit), update);
    let f = &s.form.as_ref().unwrap().form;
    assert_eq!(f.get(MeetingField::Decision), "終結", "the form says what the 事務局案 says");
    assert_eq!(Some(f.get(MeetingField::Reason)), item.draft.close_reason);
    assert_eq!(f.get(MeetingField::NextReview), "", "a closed case has no next review");
    for _ in 0..2 {
        run(&mut s, &cx, key(Command::NextField), update);
    }
    run(&mut s, &cx, key(Command::PrevValue), update);
    let f = &s.form.as_ref().unwrap().form;
    assert_eq!(f.get(MeetingField::Decision), "継続");
    assert!(f.date(MeetingField::NextReview, "次回確認日").unwrap().is_some(), "continuing needs a review date");
}

/// Enter on a quick 終結案 without a configured 終結理由区分 accepts nothing: it says why and
/// opens the item's form as closing, where the category is chosen.
#[test]
fn enter_on_a_closing_without_a_category_opens_its_form() {
    let (mut s, config, agencies, _store) = running();
    let cx = ctx(&config, &agencies);
    let d = s.data.as_mut().unwrap();
    let iv = d.items.iter_mut().find(|i| i.item.track == Track::Quick && i.item.state == ItemState::Pending).unwrap();
    iv.item.draft.close_reason = Some("市外へ転居".into());
    iv.item.draft.close_category = String::new();
    let id = iv.item.id;
    d.meeting.current_item = Some(id);
    let (effects, out) = run(&mut s, &cx, key(Command::MeetingAccept), update);
    assert!(!effects.iter().any(|e| matches!(e, MeetingEffect::Accept { .. })), "{effects:?}");
    let st = out.status.unwrap();
    assert!(st.error && st.text.starts_with("終結案の終結理由区分を選んでください"), "{}", st.text);
    let f = &s.form.as_ref().expect("the item's form").form;
    assert_eq!((f.get(MeetingField::Decision).as_str(), f.get(MeetingField::Reason).as_str()), ("終結", "市外へ転居"));
    assert_eq!(s.current().unwrap().item.state, ItemState::Pending);
}

#[test]
fn the_walk_stops_at_the_end_of_a_session_and_says_what_comes_next() {
    let (mut s, config, agencies, _store) = running();
    let cx = ctx(&config, &agencies);
    let d = s.data.as_mut().unwrap();
    let first = d.items[0].item.session_id;
    let last_quick = d.items.iter().rposition(|i| i.item.session_id == first && i.item.track == Track::Quick).unwrap();
    // Everything else of the first session is settled.
    for (n, iv) in d.items.iter_mut().enumerate() {
        if iv.item.session_id == first && n != last_quick {
            iv.item.state = ItemState::Done;
        }
    }
    let id = d.items[last_quick].item.id;
    d.meeting.current_item = Some(id);
    let (effects, _) = run(&mut s, &cx, key(Command::MeetingAccept), update);
    assert!(
        effects.iter().any(|e| matches!(e, MeetingEffect::Accept { next: Some(n), .. } if *n == id)),
        "stays on the item rather than walking into the next session: {effects:?}"
    );
    let d = s.data.as_ref().unwrap();
    let items: Vec<_> = d.items.iter().map(|i| i.item.clone()).collect();
    let told = live::after_session(&items, &d.sessions, id).expect("the session is done");
    assert!(told.contains("の議題はすべて終わりました。次は") && told.contains("Down で進む"), "{told}");
    // Down goes on, over the settled items, into the next session.
    for _ in 0..d.items.len() {
        let (effects, _) = run(&mut s, &cx, key(Command::Down), update);
        assert!(effects.iter().any(|e| matches!(e, MeetingEffect::SetCurrent { .. })));
        if s.current().unwrap().item.session_id != first {
            return;
        }
    }
    panic!("Down never reached the next session");
}

#[test]
fn dates_are_taken_as_people_write_them_in_a_meeting() {
    let (mut s, config, agencies, _store) = running();
    let cx = ctx(&config, &agencies);
    s.phase = Phase::Attendance;
    s.row = 0;
    run(&mut s, &cx, key(Command::MeetingEdit), update);
    // 出欠 → 欠席（情報提供あり）, then the day the information came.
    while s.form.as_ref().unwrap().form.chosen(MeetingField::Attendance)
        != AttendanceStatus::ALL.iter().position(|a| *a == AttendanceStatus::InfoSent)
    {
        run(&mut s, &cx, key(Command::NextValue), update);
    }
    run(&mut s, &cx, key(Command::NextField), update);
    run(&mut s, &cx, key(Command::NextField), update);
    for c in "１２月１０日".chars() {
        run(&mut s, &cx, MeetingMsg::Key(None, typed(c)), update);
    }
    let (effects, _) = run(&mut s, &cx, key(Command::Save), update);
    let received = effects.iter().find_map(|e| match e {
        MeetingEffect::Attend(a) => Some(a.info_received_on),
        _ => None,
    });
    assert_eq!(received, Some(NaiveDate::from_ymd_opt(2026, 12, 10)), "{effects:?} {:?}", s.form.map(|f| f.form.error));
}

#[test]
fn a_continue_record_takes_six_keys_besides_the_text() {
    let (mut s, config, agencies, _store) = running();
    let cx = ctx(&config, &agencies);
    let d = s.data.as_mut().unwrap();
    let deep = d.items.iter().find(|i| i.item.track == Track::Deep && i.item.draft.close_reason.is_none()).unwrap();
    let item = deep.item.id;
    d.meeting.current_item = Some(item);
    let mut keys = 0;
    let mut press = |s: &mut MeetingState, msg: MeetingMsg| {
        keys += 1;
        run(s, &cx, msg, update).0
    };
    press(&mut s, key(Command::MeetingAccept)); // a deep item: Enter opens its form
    for c in "登校は安定".chars() {
        run(&mut s, &cx, MeetingMsg::Key(None, typed(c)), update);
    }
    for _ in 0..4 {
        press(&mut s, key(Command::NextField));
    }
    assert_eq!(s.form.as_ref().unwrap().form.focused().key, MeetingField::Actions);
    for c in "東小学校／担任／毎朝の登校確認／1/15".chars() {
        run(&mut s, &cx, MeetingMsg::Key(None, typed(c)), update);
    }
    let effects = press(&mut s, key(Command::Save));
    let rec = effects.iter().find_map(|e| match e {
        MeetingEffect::Record { record, .. } => Some(record.clone()),
        _ => None,
    });
    let rec = rec.unwrap_or_else(|| panic!("{:?}", s.form.as_ref().map(|f| f.form.error.clone())));
    assert_eq!(rec.kind, crate::domain::DecisionKind::Continue);
    assert_eq!(rec.actions.len(), 1);
    assert_eq!(keys, 6);
}
