//! The meeting screen driven through `update` without a terminal (every transition), and drawn
//! on ratatui's `TestBackend` (presentation mode; every screen at every size is in `tui::sizes_tests`).

use chrono::{NaiveDate, NaiveDateTime};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::demo::{self, Scale};
use crate::domain::Config;
use crate::domain::DecisionKind;
use crate::store::Store;
use crate::tui::keymap::Keymap;
use crate::tui::ledger::LedgerEffect;
use crate::tui::model::{Model, Screen};
use crate::tui::msg::{Effect, Msg};
use crate::tui::runtime::execute;
use crate::tui::tests::{buffer_text, pump, today};
use crate::tui::view;

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ch(c: char) -> Msg {
    key(KeyCode::Char(c))
}

fn typ(s: &mut Store, m: &mut Model, text: &str) {
    for c in text.chars() {
        pump(s, m, ch(c));
    }
}

fn model(store: &mut Store, w: u16, h: u16) -> Model {
    let mut m = Model::new(Config::default(), today(), Keymap::defaults(), "demo.db".into());
    pump(store, &mut m, Msg::Resize(w, h));
    let loaded = execute(store, Effect::Ledger(LedgerEffect::Load { select: None })).unwrap();
    pump(store, &mut m, loaded);
    m
}

/// The demo (its next meeting's agenda built), the meeting screen open.
fn meeting_at(w: u16, h: u16) -> (Store, Model, Id) {
    let mut store = Store::open_in_memory().unwrap();
    let sum = demo::generate(&mut store, Scale::Takahama, 2024, today()).unwrap();
    let mut m = model(&mut store, w, h);
    pump(&mut store, &mut m, Msg::Key(KeyEvent::new(KeyCode::Char('3'), KeyModifiers::ALT)));
    assert_eq!(m.screen, Screen::Meeting);
    (store, m, sum.next_meeting)
}

/// Started, attendance and review skipped: on the first agenda item.
fn on_agenda(w: u16, h: u16) -> (Store, Model, Id) {
    let (mut s, mut m, id) = meeting_at(w, h);
    pump(&mut s, &mut m, key(KeyCode::Enter));
    pump(&mut s, &mut m, key(KeyCode::Tab));
    pump(&mut s, &mut m, key(KeyCode::Tab));
    assert_eq!(m.meeting.phase, Phase::Agenda);
    (s, m, id)
}

fn screen(m: &Model) -> String {
    let mut t = Terminal::new(TestBackend::new(m.size.0, m.size.1)).unwrap();
    t.draw(|f| view::render(m, f)).unwrap();
    buffer_text(t.backend().buffer())
}

fn current(m: &Model) -> ItemView {
    m.meeting.current().cloned().expect("an item on screen")
}

/// Moves to the first pending item of `track`.
fn go_to(s: &mut Store, m: &mut Model, track: Track) {
    for _ in 0..30 {
        let iv = current(m);
        if iv.item.track == track && iv.item.state == ItemState::Pending {
            return;
        }
        pump(s, m, key(KeyCode::Down));
    }
    panic!("no pending {track:?} item");
}

#[test]
fn a_planned_meeting_starts_with_enter_and_opens_on_attendance() {
    let (mut s, mut m, id) = meeting_at(80, 24);
    assert_eq!(m.meeting.data.as_ref().unwrap().meeting.status, MeetingStatus::Planned);
    pump(&mut s, &mut m, ch('d'));
    assert_eq!(m.status.as_ref().unwrap().text, "Enter で会議を開始してください");
    pump(&mut s, &mut m, key(KeyCode::Enter));
    assert_eq!(s.meeting(id).unwrap().status, MeetingStatus::InProgress);
    assert_eq!(s.lease(id).unwrap().unwrap().pid, std::process::id());
    assert_eq!(m.meeting.phase, Phase::Attendance);
    assert!(screen(&m).contains("未記録"));
    // Tab walks the parts forward, Shift+Tab back; entering the agenda puts the first item on.
    pump(&mut s, &mut m, key(KeyCode::Tab));
    pump(&mut s, &mut m, key(KeyCode::Tab));
    assert_eq!(m.meeting.phase, Phase::Agenda);
    let first = s.agenda(id).unwrap()[0].id;
    assert_eq!((m.meeting.current().unwrap().item.id, s.meeting(id).unwrap().current_item), (first, Some(first)));
    pump(&mut s, &mut m, key(KeyCode::BackTab));
    assert_eq!(m.meeting.phase, Phase::ActionReview);
}

#[test]
fn attendance_is_recorded_with_left_right_enter_and_its_form() {
    let (mut s, mut m, id) = meeting_at(80, 24);
    pump(&mut s, &mut m, key(KeyCode::Enter));
    pump(&mut s, &mut m, key(KeyCode::Right));
    let first = m.meeting.data.as_ref().unwrap().attendance[0].agency.id;
    let status = |s: &Store| s.attendance(id).unwrap().into_iter().find(|a| a.agency_id == first).map(|a| a.status);
    assert_eq!(status(&s), Some(AttendanceStatus::Present));
    pump(&mut s, &mut m, key(KeyCode::Right));
    assert_eq!(status(&s), Some(AttendanceStatus::Apology));
    pump(&mut s, &mut m, key(KeyCode::Left));
    pump(&mut s, &mut m, key(KeyCode::Left));
    assert_eq!(status(&s), Some(AttendanceStatus::Observer));
    // Enter marks present and moves down.
    pump(&mut s, &mut m, key(KeyCode::Enter));
    assert_eq!((status(&s), m.meeting.row), (Some(AttendanceStatus::Present), 1));
    // e: information sent ahead, with the day it came.
    pump(&mut s, &mut m, ch('e'));
    assert!(matches!(m.meeting.form.as_ref().unwrap().kind, MeetingFormKind::Attendance(..)));
    pump(&mut s, &mut m, key(KeyCode::Right));
    pump(&mut s, &mut m, key(KeyCode::Right));
    pump(&mut s, &mut m, key(KeyCode::Tab));
    typ(&mut s, &mut m, "田中");
    pump(&mut s, &mut m, key(KeyCode::Tab));
    typ(&mut s, &mut m, "R8.11.20");
    pump(&mut s, &mut m, key(KeyCode::F(10)));
    assert!(m.meeting.form.is_none(), "{:?}", m.meeting.form.as_ref().and_then(|f| f.form.error.clone()));
    let second = m.meeting.data.as_ref().unwrap().attendance[1].agency.id;
    let a = s.attendance(id).unwrap().into_iter().find(|a| a.agency_id == second).unwrap();
    assert_eq!((a.status, a.person.as_str()), (AttendanceStatus::InfoSent, "田中"));
    assert_eq!(a.info_received_on, NaiveDate::from_ymd_opt(2026, 11, 20));
}

#[test]
fn last_meetings_actions_are_reviewed_first_with_a_note() {
    let (mut s, mut m, _) = meeting_at(80, 24);
    pump(&mut s, &mut m, key(KeyCode::Enter));
    pump(&mut s, &mut m, key(KeyCode::Tab));
    assert_eq!(m.meeting.phase, Phase::ActionReview);
    let rows = m.meeting.data.as_ref().unwrap().reviews.clone();
    assert!(!rows.is_empty() && rows.iter().all(|r| r.action.is_open()));
    let id = rows[0].action.id;
    pump(&mut s, &mut m, key(KeyCode::Right));
    assert_eq!(s.action(id).unwrap().status, ActionStatus::Done);
    pump(&mut s, &mut m, key(KeyCode::Right));
    assert_eq!(s.action(id).unwrap().status, ActionStatus::NotPossible);
    pump(&mut s, &mut m, ch('e'));
    // 実施日 only goes with 実施済: dimmed, and Tab passes over it to メモ.
    pump(&mut s, &mut m, key(KeyCode::Tab));
    typ(&mut s, &mut m, "転居のため実施できず");
    pump(&mut s, &mut m, key(KeyCode::F(10)));
    let a = s.action(id).unwrap();
    assert_eq!((a.status, a.review_note.as_str()), (ActionStatus::NotPossible, "転居のため実施できず"));
    assert_eq!(a.done_on, None);
    assert!(s.drafts(a.reviewed_in.unwrap()).unwrap().is_empty(), "the note's draft went with it");
    // Reviewed rows stay on the list; Enter marks the next one done and moves on.
    pump(&mut s, &mut m, key(KeyCode::Down));
    let next = m.meeting.data.as_ref().unwrap().reviews[1].action.id;
    pump(&mut s, &mut m, key(KeyCode::Enter));
    assert_eq!(s.action(next).unwrap().status, ActionStatus::Done);
    assert!(screen(&m).contains("前回の役割分担 確認 2/"));
    // Its 実施日, typed in wareki in the review form.
    pump(&mut s, &mut m, key(KeyCode::Up));
    pump(&mut s, &mut m, ch('e'));
    pump(&mut s, &mut m, key(KeyCode::Tab));
    typ(&mut s, &mut m, "R8.11.20");
    pump(&mut s, &mut m, key(KeyCode::F(10)));
    let a = s.action(next).unwrap();
    assert_eq!((a.status, a.done_on), (ActionStatus::Done, NaiveDate::from_ymd_opt(2026, 11, 20)), "{}", screen(&m));
}

#[test]
fn a_quick_item_is_accepted_with_one_key_and_the_walk_moves_on() {
    let (mut s, mut m, id) = on_agenda(80, 24);
    go_to(&mut s, &mut m, Track::Quick);
    let iv = current(&m);
    let effects = pump(&mut s, &mut m, key(KeyCode::Enter));
    assert!(effects.iter().any(|e| matches!(e, Effect::Meeting(MeetingEffect::Accept { .. }))));
    let d = s.decisions(id).unwrap().into_iter().find(|d| d.case_id == iv.case.id).unwrap();
    assert!(d.as_proposed);
    assert_eq!(s.agenda_item(iv.item.id).unwrap().state, ItemState::Done);
    let now = current(&m);
    assert_ne!(now.item.id, iv.item.id);
    assert_eq!(now.item.state, ItemState::Pending);
    assert_eq!(s.meeting(id).unwrap().current_item, Some(now.item.id), "resume lands here");
}

#[test]
fn a_deep_item_is_recorded_in_its_form_and_every_change_is_saved_as_typed() {
    let (mut s, mut m, id) = on_agenda(80, 24);
    go_to(&mut s, &mut m, Track::Deep);
    let iv = current(&m);
    pump(&mut s, &mut m, key(KeyCode::Enter));
    assert!(matches!(m.meeting.form.as_ref().unwrap().kind, MeetingFormKind::Item { .. }));
    assert_eq!(m.mode(), crate::tui::keymap::Mode::FormText, "状況 is multi-line: Enter is a line break");
    let fx = pump(&mut s, &mut m, ch('欠'));
    assert!(fx.iter().any(|e| matches!(e, Effect::Meeting(MeetingEffect::Draft { .. }))));
    typ(&mut s, &mut m, "席が続く");
    pump(&mut s, &mut m, key(KeyCode::Enter));
    typ(&mut s, &mut m, "家庭訪問で会えず");
    let drafts = s.drafts(id).unwrap();
    assert!(drafts[0].1.contains("欠席が続く\\n家庭訪問で会えず"), "{drafts:?}");
    // ランク: A (choice), 決定: 児相へ送致・協議. The proposed review follows the rank.
    let proposed = m.meeting.form.as_ref().unwrap().form.get(MeetingField::NextReview);
    let on = item_date(m.meeting.data.as_ref().unwrap(), &iv.item, today());
    let review_for = |m: &Model| {
        let rank = m.meeting.form.as_ref().unwrap().form.get(MeetingField::Rank);
        live::proposed_next_review(&m.config, &iv.case, &rank, on).format("%Y/%m/%d").to_string()
    };
    assert_eq!(proposed, review_for(&m), "the form opens with the rank's proposal");
    pump(&mut s, &mut m, key(KeyCode::Tab));
    let mut moved = false;
    for _ in 0..4 {
        pump(&mut s, &mut m, key(KeyCode::Left));
        assert_eq!(m.meeting.form.as_ref().unwrap().form.get(MeetingField::NextReview), review_for(&m));
        moved |= m.meeting.form.as_ref().unwrap().form.get(MeetingField::NextReview) != proposed;
    }
    assert!(moved, "some other rank has another interval");
    while m.meeting.form.as_ref().unwrap().form.get(MeetingField::Rank) != "A" {
        pump(&mut s, &mut m, key(KeyCode::Left));
    }
    assert_eq!(m.meeting.form.as_ref().unwrap().form.get(MeetingField::NextReview), review_for(&m));
    pump(&mut s, &mut m, key(KeyCode::Tab));
    for _ in 0..3 {
        pump(&mut s, &mut m, key(KeyCode::Right));
    }
    // 役割分担: a bad line is refused on the form, naming the line; nothing is lost. Tab passes
    // over 理由 and 新主担当機関, which do not apply to 児相へ送致・協議.
    for _ in 0..2 {
        pump(&mut s, &mut m, key(KeyCode::Tab));
    }
    assert_eq!(m.meeting.form.as_ref().unwrap().form.focused().key, MeetingField::Actions);
    typ(&mut s, &mut m, "東小学校／担任");
    pump(&mut s, &mut m, key(KeyCode::F(10)));
    let f = m.meeting.form.as_ref().expect("still open");
    assert_eq!(f.form.error.as_deref(), Some("役割分担 1行目: 「機関／担当者／内容／期限」の形で書いてください"));
    typ(&mut s, &mut m, "／毎朝の登校確認／2027/1/15");
    pump(&mut s, &mut m, key(KeyCode::F(10)));
    assert!(m.meeting.form.is_none(), "{:?}", m.meeting.form.as_ref().and_then(|f| f.form.error.clone()));
    let d = s.decisions(id).unwrap().into_iter().find(|d| d.case_id == iv.case.id).unwrap();
    assert_eq!((d.kind, d.rank_after.as_str()), (DecisionKind::ReferToCgc, "A"));
    assert_eq!(d.status_summary, format!("{}欠席が続く\n家庭訪問で会えず", iv.item.draft.summary));
    assert_eq!(s.actions_of_meeting(id).unwrap()[0].what, "毎朝の登校確認");
    assert!(s.drafts(id).unwrap().is_empty());
    assert_ne!(current(&m).item.id, iv.item.id, "moved on");
}

#[test]
fn killed_while_typing_the_form_comes_back_with_what_was_typed() {
    let (mut s, mut m, _) = on_agenda(80, 24);
    go_to(&mut s, &mut m, Track::Deep);
    let iv = current(&m);
    pump(&mut s, &mut m, ch('e'));
    typ(&mut s, &mut m, "途中まで入力した状況");
    // A new process on the same database (the old one died without saving anything else).
    let mut again = model(&mut s, 80, 24);
    pump(&mut s, &mut again, Msg::Key(KeyEvent::new(KeyCode::Char('3'), KeyModifiers::ALT)));
    assert_eq!(again.meeting.phase, Phase::Agenda);
    assert_eq!(current(&again).item.id, iv.item.id, "resumed at the same item");
    let f = again.meeting.form.as_ref().expect("the form is open again");
    assert_eq!(f.form.get(MeetingField::Summary), format!("{}途中まで入力した状況", iv.item.draft.summary));
    assert_eq!(again.status.as_ref().unwrap().text, "前回入力中だった内容を復元しました");
}

/// A restart puts the facilitator back in the field they were typing in; a form closed with
/// Esc stays closed (its draft is kept for `e`).
#[test]
fn a_restart_returns_to_the_field_being_typed_and_not_to_a_closed_form() {
    let (mut s, mut m, _) = on_agenda(80, 24);
    go_to(&mut s, &mut m, Track::Deep);
    pump(&mut s, &mut m, ch('e'));
    while m.meeting.form.as_ref().unwrap().form.focused().key != MeetingField::Policy {
        pump(&mut s, &mut m, key(KeyCode::Tab));
    }
    typ(&mut s, &mut m, "週1回の見守り");
    let reopen = |s: &mut Store| {
        let mut again = model(s, 80, 24);
        pump(s, &mut again, Msg::Key(KeyEvent::new(KeyCode::Char('3'), KeyModifiers::ALT)));
        again
    };
    let again = reopen(&mut s);
    let f = again.meeting.form.as_ref().expect("the form is open again");
    assert_eq!(f.form.focused().key, MeetingField::Policy);
    assert!(f.form.get(MeetingField::Policy).ends_with("週1回の見守り"));
    pump(&mut s, &mut m, key(KeyCode::Esc));
    assert!(m.meeting.form.is_none());
    let again = reopen(&mut s);
    assert!(again.meeting.form.is_none(), "closed with Esc, it stays closed");
    let mut again = again;
    pump(&mut s, &mut again, ch('e'));
    assert!(again.meeting.form.as_ref().unwrap().form.get(MeetingField::Policy).ends_with("週1回の見守り"));
}

#[test]
fn a_note_typed_before_a_crash_is_there_when_its_form_is_opened_again() {
    let (mut s, mut m, id) = meeting_at(80, 24);
    pump(&mut s, &mut m, key(KeyCode::Enter));
    pump(&mut s, &mut m, key(KeyCode::Tab));
    pump(&mut s, &mut m, ch('e'));
    // Not yet 実施済: Tab passes over 実施日 to メモ.
    pump(&mut s, &mut m, key(KeyCode::Tab));
    typ(&mut s, &mut m, "家庭訪問は12月に延期");
    let action = m.meeting.data.as_ref().unwrap().reviews[0].action.id;
    assert!(
        s.drafts(id).unwrap().iter().any(|(k, b)| *k == DraftKey::ActionReview(action) && b.contains("12月に延期"))
    );
    // A new process: the review part, the same row, e.
    let mut again = model(&mut s, 80, 24);
    pump(&mut s, &mut again, Msg::Key(KeyEvent::new(KeyCode::Char('3'), KeyModifiers::ALT)));
    pump(&mut s, &mut again, key(KeyCode::Tab));
    pump(&mut s, &mut again, ch('e'));
    assert_eq!(again.meeting.form.as_ref().unwrap().form.get(MeetingField::Note), "家庭訪問は12月に延期");
}

#[test]
fn items_move_to_deep_are_deferred_and_revisited() {
    let (mut s, mut m, _) = on_agenda(80, 24);
    go_to(&mut s, &mut m, Track::Quick);
    let iv = current(&m);
    pump(&mut s, &mut m, ch('d'));
    let it = s.agenda_item(iv.item.id).unwrap();
    assert_eq!(it.track, Track::Deep);
    assert!(it.reasons.contains(&"会議中に重点協議へ変更".to_string()));
    assert_eq!(current(&m).item.id, iv.item.id, "stays on the item");
    pump(&mut s, &mut m, ch('d'));
    assert!(m.status.as_ref().unwrap().error);
    pump(&mut s, &mut m, key(KeyCode::F(5)));
    assert_eq!(s.agenda_item(iv.item.id).unwrap().state, ItemState::Deferred);
    assert_ne!(current(&m).item.id, iv.item.id, "moved on");
    pump(&mut s, &mut m, key(KeyCode::Up));
    while current(&m).item.id != iv.item.id {
        pump(&mut s, &mut m, key(KeyCode::Up));
    }
    pump(&mut s, &mut m, ch('r'));
    assert_eq!(s.agenda_item(iv.item.id).unwrap().state, ItemState::Pending);
}

#[test]
fn closing_takes_two_presses_and_writes_the_ledger() {
    let (mut s, mut m, id) = on_agenda(80, 24);
    go_to(&mut s, &mut m, Track::Quick);
    let iv = current(&m);
    pump(&mut s, &mut m, key(KeyCode::Enter));
    pump(&mut s, &mut m, key(KeyCode::F(12)));
    let told = m.status.as_ref().unwrap().text.clone();
    assert!(told.starts_with("もう一度 F12 で確定"), "the instruction comes first, where 80 columns show it: {told}");
    let pending = m.meeting.data.as_ref().unwrap().items.len() - 1;
    let one_review = iv.item.draft.close_reason.is_none() as usize;
    assert!(
        told.contains(&format!("次回確認日 {one_review}件")) && told.contains(&format!("次回へ延期 {pending}件")),
        "{told}"
    );
    assert_eq!(s.meeting(id).unwrap().status, MeetingStatus::InProgress);
    pump(&mut s, &mut m, key(KeyCode::F(12)));
    assert_eq!(s.meeting(id).unwrap().status, MeetingStatus::Closed);
    let c = s.case(iv.case.id).unwrap();
    assert_eq!(c.last_review, Some(item_date(m.meeting.data.as_ref().unwrap(), &iv.item, today())));
    assert!(m.status.as_ref().unwrap().text.starts_with("会議を終了しました"));
    assert!(screen(&m).contains("この会議は終了しました"));
}

fn at(h: u32, mi: u32, sec: u32) -> NaiveDateTime {
    today().and_hms_opt(h, mi, sec).unwrap()
}

#[test]
fn ticks_run_the_item_timer_beat_the_lease_and_lock_when_idle() {
    let (mut s, mut m, id) = on_agenda(80, 24);
    let item = current(&m).item.id;
    let mut beats = 0;
    for i in 0..=12 {
        let fx = pump(&mut s, &mut m, Msg::Tick(at(9, 30, i)));
        beats += fx.iter().filter(|e| matches!(e, Effect::Meeting(MeetingEffect::Heartbeat { .. }))).count();
    }
    assert_eq!(current(&m).item.elapsed_secs, 12);
    assert_eq!(beats, 1);
    assert_eq!(s.agenda_item(item).unwrap().elapsed_secs, 10, "saved with the heartbeat");
    assert!(s.lease(id).unwrap().is_some());
    // A jump of the clock (sleep, suspend) counts at most a few seconds.
    pump(&mut s, &mut m, Msg::Tick(at(10, 30, 0)));
    assert_eq!(current(&m).item.elapsed_secs, 17);
    assert!(screen(&m).contains("議題 00:17/07:00") || screen(&m).contains("議題 00:17/01:12"));
    // Idle for the configured minutes: blank; the next key only unlocks.
    for i in 0..(m.config.confidentiality.idle_lock_minutes as i64 * 60 / 5 + 1) {
        pump(&mut s, &mut m, Msg::Tick(at(10, 30, 0) + chrono::Duration::seconds(5 * (i + 1))));
    }
    assert!(m.meeting.locked);
    let text = screen(&m);
    assert!(text.contains("画面をロックしました") && !text.contains(&current(&m).case.number), "{text}");
    let before = current(&m).item.state;
    pump(&mut s, &mut m, key(KeyCode::Enter));
    assert!(!m.meeting.locked);
    assert_eq!(current(&m).item.state, before, "the unlocking key did nothing else");
}

#[test]
fn an_overrunning_session_warns_and_is_replanned() {
    let (mut s, mut m, _) = on_agenda(160, 45);
    // The first 児童生徒会 session has a later one of the same 部会 to move items to.
    while !m.meeting.session().unwrap().label.contains("1日目 午後") {
        pump(&mut s, &mut m, key(KeyCode::Down));
    }
    let session = m.meeting.session().unwrap().clone();
    // Late in the session: the rest cannot fit.
    let late = session.date.and_time(session.end) - chrono::Duration::minutes(1);
    pump(&mut s, &mut m, Msg::Tick(late));
    let text = screen(&m);
    assert!(text.contains("分超過の見込み"), "{text}");
    let before: Vec<_> = s.agenda(m.meeting.data.as_ref().unwrap().meeting.id).unwrap();
    // The first F6 says what would move and moves nothing.
    pump(&mut s, &mut m, key(KeyCode::F(6)));
    assert!(m.status.as_ref().unwrap().text.starts_with("もう一度 F6 で確定"), "{:?}", m.status);
    assert_eq!(s.agenda(m.meeting.data.as_ref().unwrap().meeting.id).unwrap(), before);
    pump(&mut s, &mut m, key(KeyCode::F(6)));
    let after: Vec<_> = s.agenda(m.meeting.data.as_ref().unwrap().meeting.id).unwrap();
    let moved: Vec<_> =
        after.iter().filter(|a| before.iter().any(|b| b.id == a.id && b.session_id != a.session_id)).collect();
    assert!(!moved.is_empty(), "{:?}", m.status);
    // Whole household blocks move, each with a deep item in it; nothing locked or done.
    assert!(moved.iter().any(|i| i.track == Track::Deep));
    assert!(moved.iter().all(|i| !i.locked && i.state == ItemState::Pending));
    assert!(m.status.as_ref().unwrap().text.contains("次の部会・日程へ移しました"));
    // Ctrl+Z puts every moved item back in its session and place.
    pump(&mut s, &mut m, Msg::Key(KeyEvent::new(KeyCode::Char('z'), KeyModifiers::CONTROL)));
    assert!(m.status.as_ref().unwrap().text.starts_with("再計画を元に戻しました"), "{:?}", m.status);
    let back = s.agenda(m.meeting.data.as_ref().unwrap().meeting.id).unwrap();
    let place =
        |v: &[crate::domain::AgendaItem]| v.iter().map(|i| (i.id, i.session_id, i.position)).collect::<Vec<_>>();
    assert_eq!(place(&back), place(&before));
    pump(&mut s, &mut m, Msg::Key(KeyEvent::new(KeyCode::Char('z'), KeyModifiers::CONTROL)));
    assert_eq!(m.status.as_ref().unwrap().text, "元に戻せる再計画はありません");
}

#[test]
fn rehearsing_days_before_counts_from_the_session_start() {
    let (mut s, mut m, _) = on_agenda(160, 45);
    let session = m.meeting.session().unwrap().clone();
    // The afternoon before the meeting day: the clock must not say the morning has overrun.
    let rehearsal = (session.date - chrono::Duration::days(1)).and_time(session.end) + chrono::Duration::hours(3);
    pump(&mut s, &mut m, Msg::Tick(rehearsal));
    assert_eq!(session.clock_time(m.meeting.now), session.start);
    let items: Vec<_> = m.meeting.data.as_ref().unwrap().items.iter().map(|i| i.item.clone()).collect();
    let from_start = live::session_clock(&session, &items, &m.config.budget, session.start).projected_end;
    let text = screen(&m);
    assert!(text.contains(&format!("終了見込 {}", from_start.format("%H:%M"))), "{text}");
    // On the day, the real time counts.
    let on_the_day = session.date.and_time(session.start) + chrono::Duration::minutes(30);
    pump(&mut s, &mut m, Msg::Tick(on_the_day));
    assert_eq!(session.clock_time(m.meeting.now), on_the_day.time());
}

#[test]
fn a_second_instance_is_read_only() {
    let (mut s, mut m, id) = on_agenda(80, 24);
    // Another live process (pid 1) holds the meeting.
    s.release_lease(id, std::process::id()).unwrap();
    s.acquire_lease(id, 1).unwrap();
    let mut other = model(&mut s, 80, 24);
    pump(&mut s, &mut other, Msg::Key(KeyEvent::new(KeyCode::Char('3'), KeyModifiers::ALT)));
    let d = other.meeting.data.as_ref().unwrap();
    assert!(d.read_only.as_deref().unwrap().contains("別の shinko（PID 1）で進行中"));
    assert!(screen(&other).contains("閲覧のみ"));
    let fx = pump(&mut s, &mut other, key(KeyCode::Enter));
    assert!(fx.is_empty() && other.status.as_ref().unwrap().error);
    let _ = &mut m;
}

#[test]
fn presentation_mode_masks_names_and_hides_private_fields() {
    let (mut s, mut m, _) = on_agenda(160, 45);
    let iv = current(&m);
    let plain = screen(&m);
    assert!(plain.contains(&iv.case.name), "{plain}");
    pump(&mut s, &mut m, ch('p'));
    let masked = screen(&m);
    assert!(!masked.contains(&iv.case.name), "{masked}");
    let family = iv.case.name.split(' ').next().unwrap();
    assert!(!masked.contains(family), "no family name anywhere:\n{masked}");
    assert!(masked.contains(&shown_name(true, &iv.case.name, &iv.case.kana, &iv.case.number)));
    assert!(!masked.contains("主訴:") && !masked.contains("町名:") && masked.contains("投影中"));
    pump(&mut s, &mut m, key(KeyCode::F(8)));
    assert!(screen(&m).contains(&iv.case.name));
}

#[test]
fn without_a_meeting_to_run_the_screen_says_so() {
    let mut store = Store::open_in_memory().unwrap();
    let mut m = model(&mut store, 80, 24);
    pump(&mut store, &mut m, Msg::Key(KeyEvent::new(KeyCode::Char('3'), KeyModifiers::ALT)));
    assert!(screen(&m).contains("開催予定の会議がありません"));
    pump(&mut store, &mut m, key(KeyCode::Enter));
    assert!(m.status.as_ref().unwrap().error);
}

#[test]
fn presentation_names_are_initials_from_the_kana_else_the_case_number() {
    assert_eq!(shown_name(true, "山田 太郎", "やまだ たろう", "R7-001"), "Y.T.");
    assert_eq!(shown_name(true, "鈴木 花子", "スズキ　ハナコ", "R7-001"), "S.H.");
    assert_eq!(shown_name(true, "鈴木 花子", "", "R7-001"), "R7-001");
    assert_eq!(shown_name(false, "鈴木 花子", "", "R7-001"), "鈴木 花子");
}

#[test]
fn snapshot_agenda_160x45_presentation() {
    let (mut s, mut m, _) = on_agenda(160, 45);
    pump(&mut s, &mut m, ch('p'));
    insta::assert_snapshot!("meeting_agenda_160x45_presentation", screen(&m));
}

/// At 160 columns the form sits beside the case: its 事務局案 and sheets stay in view.
#[test]
fn snapshot_deep_form_160x45_beside_the_case() {
    let (mut s, mut m, _) = on_agenda(160, 45);
    go_to(&mut s, &mut m, Track::Deep);
    let iv = current(&m);
    pump(&mut s, &mut m, ch('e'));
    let text = screen(&m);
    assert!(text.contains("[事務局案]") && text.contains("[アセスメントシート]"), "{text}");
    assert!(text.contains(&format!("ケース {} の協議結果", iv.case.number)) && text.contains("役割分担"), "{text}");
}

/// At 100x30 (a projector) every field of the deep form can be reached and seen.
#[test]
fn every_deep_form_field_is_reachable_at_100x30() {
    let (mut s, mut m, _) = on_agenda(100, 30);
    go_to(&mut s, &mut m, Track::Deep);
    pump(&mut s, &mut m, ch('e'));
    let labels: Vec<&str> = m.meeting.form.as_ref().unwrap().form.fields.iter().map(|f| f.label).collect();
    for _ in 0..labels.len() {
        let label = m.meeting.form.as_ref().unwrap().form.focused().label;
        assert!(screen(&m).contains(label), "{label} is on screen when focused");
        pump(&mut s, &mut m, key(KeyCode::Tab));
    }
}

/// The screen and the minutes review the same actions (one rule, Store::actions_to_review):
/// an open action agreed outside any meeting is reviewed; one agreed in a later meeting is not.
#[test]
fn the_screen_and_the_minutes_review_the_same_actions() {
    let mut s = Store::open_in_memory().unwrap();
    let sum = demo::generate(&mut s, Scale::Takahama, 2024, today()).unwrap();
    let next = sum.next_meeting;
    let case_id = s.agenda(next).unwrap()[0].case_id;
    let later = s
        .write(|t| {
            let mut m = t.meeting(next)?;
            m.id = 0;
            m.title = "翌々回".into();
            m.status = crate::domain::MeetingStatus::Planned;
            t.save_meeting(&m)
        })
        .unwrap();
    let action = |meeting_id: Option<Id>, what: &str| Action {
        id: 0,
        case_id,
        meeting_id,
        agency_id: None,
        owner: "担当".into(),
        what: what.into(),
        due: None,
        status: ActionStatus::Open,
        review_note: String::new(),
        reviewed_in: None,
        done_on: None,
    };
    let outside = s.write(|t| t.save_action(&action(None, "会議外で決めた確認"))).unwrap();
    let in_later = s.write(|t| t.save_action(&action(Some(later), "次の会議で決めること"))).unwrap();

    let minutes: Vec<Id> = s.meeting_record(next, false).unwrap().reviewed_actions.iter().map(|a| a.id).collect();
    let screen: Vec<Id> =
        crate::tui::meeting::io::load(&s, next, None).unwrap().reviews.iter().map(|r| r.action.id).collect();
    let mut sorted_screen = screen.clone();
    sorted_screen.sort();
    let mut sorted_minutes = minutes.clone();
    sorted_minutes.sort();
    assert_eq!(sorted_screen, sorted_minutes);
    assert!(minutes.contains(&outside), "an action agreed outside a meeting is reviewed");
    assert!(!minutes.contains(&in_later), "an action of a later meeting is not");
    assert!(minutes.len() > 1, "the past meeting's open actions too");
}

/// A quick item accepted on screen while the store refuses (the meeting was closed from
/// another window): the error shows, and the item goes back to what is stored, not 済.
#[test]
fn a_refused_accept_does_not_leave_the_item_shown_as_done() {
    let (mut s, mut m, id) = on_agenda(160, 45);
    go_to(&mut s, &mut m, Track::Quick);
    let item = current(&m).item.id;
    // Another window closes the meeting behind this one's back.
    s.write(|t| {
        t.conn().execute("UPDATE meetings SET status = 'closed' WHERE id = ?1", [id])?;
        Ok(())
    })
    .unwrap();
    pump(&mut s, &mut m, key(KeyCode::Enter));
    assert!(m.status.as_ref().is_some_and(|st| st.error), "the refusal is shown");
    let d = m.meeting.data.as_ref().unwrap();
    let shown = d.items.iter().find(|i| i.item.id == item).unwrap();
    assert_eq!(shown.item.state, ItemState::Pending, "not shown as done");
    assert!(shown.decision.is_none());
    assert_eq!(s.agenda_item(item).unwrap().state, ItemState::Pending);
}

/// 役割分担's agency column offers the registered agencies as it is typed; ／ after a short
/// form that means one agency writes the registered name, and a name that fits none says so.
#[test]
fn roles_offer_the_registered_agencies_as_they_are_typed() {
    let (mut s, mut m, _) = on_agenda(160, 45);
    go_to(&mut s, &mut m, Track::Deep);
    pump(&mut s, &mut m, ch('e'));
    while m.meeting.form.as_ref().unwrap().form.focused().key != MeetingField::Actions {
        pump(&mut s, &mut m, key(KeyCode::Tab));
    }
    pump(&mut s, &mut m, key(KeyCode::Enter)); // a new line below the 事務局案's roles
    typ(&mut s, &mut m, "東");
    let text = screen(&m);
    let offered = text.lines().find(|l| l.contains("候補: ")).unwrap_or_else(|| panic!("{text}"));
    assert!(offered.contains("東小学校") && offered.contains("東中学校"), "{offered}");
    typ(&mut s, &mut m, "小／担任／登校確認");
    let roles = m.meeting.form.as_ref().unwrap().form.get(MeetingField::Actions);
    assert!(roles.ends_with("東小学校／担任／登校確認"), "{roles}");
    pump(&mut s, &mut m, key(KeyCode::Enter));
    typ(&mut s, &mut m, "ひまわり子ども食堂");
    assert!(screen(&m).contains("登録にない機関です"), "{}", screen(&m));
}

/// An item put on the agenda for an overdue action shows, once the action is confirmed done
/// in the review part, that this meeting has confirmed it.
#[test]
fn an_overdue_action_confirmed_in_the_review_shows_in_the_items_reasons() {
    let (mut s, mut m, _) = meeting_at(160, 45);
    pump(&mut s, &mut m, key(KeyCode::Enter));
    pump(&mut s, &mut m, key(KeyCode::Tab));
    let d = m.meeting.data.as_ref().unwrap();
    let (row, case_number) = d
        .reviews
        .iter()
        .enumerate()
        .find_map(|(i, r)| {
            let iv = d.items.iter().find(|iv| iv.case.number == r.case_number)?;
            iv.item
                .reasons
                .iter()
                .any(|x| x.contains(&format!("「{}」が期限", r.action.what)))
                .then_some((i, r.case_number.clone()))
        })
        .expect("the demo has an overdue action behind an agenda item");
    m.meeting.row = row;
    pump(&mut s, &mut m, key(KeyCode::Enter));
    pump(&mut s, &mut m, key(KeyCode::Tab));
    while current(&m).case.number != case_number {
        pump(&mut s, &mut m, key(KeyCode::Down));
    }
    let text = screen(&m);
    assert!(text.contains("→ この会議で確認:") && text.contains("実施済"), "{text}");
}

/// 経過記録 on the item being discussed: `c`, the same contact form as the ledger's, and the
/// item's line 「前回以降の接触 …」 counts it.
#[test]
fn a_contact_is_recorded_on_the_item_being_discussed() {
    let (mut s, mut m, _) = on_agenda(120, 40);
    let iv = current(&m);
    let before = iv.contacts.count;
    assert!(screen(&m).contains("前回以降の接触"), "{}", screen(&m));
    pump(&mut s, &mut m, ch('c'));
    assert!(m.meeting.record.is_some(), "c opens the contact form");
    for _ in 0..3 {
        pump(&mut s, &mut m, key(KeyCode::Tab));
    }
    pump(&mut s, &mut m, key(KeyCode::Right));
    pump(&mut s, &mut m, key(KeyCode::Tab));
    typ(&mut s, &mut m, "会議中に保健センターから報告");
    pump(&mut s, &mut m, key(KeyCode::F(10)));
    assert!(m.meeting.record.is_none(), "{:?}", m.meeting.record.as_ref().and_then(|r| r.error().map(str::to_string)));
    let stored = s.contacts_of_case(iv.case.id).unwrap();
    assert_eq!(stored[0].note, "会議中に保健センターから報告");
    let after = current(&m).contacts;
    assert_eq!((after.count, after.last.map(|l| l.0)), (before + 1, Some(today())));
    assert!(screen(&m).contains(&format!("前回以降の接触 {}件", before + 1)), "{}", screen(&m));
}

/// While projecting, what the facilitator types in the deep form is shown with every name
/// blotted out, as it is typed; the cursor follows the masked text.
#[test]
fn snapshot_deep_form_masked_as_it_is_typed_while_projecting() {
    let (mut s, mut m, _) = on_agenda(160, 45);
    go_to(&mut s, &mut m, Track::Deep);
    let iv = current(&m);
    pump(&mut s, &mut m, ch('p'));
    pump(&mut s, &mut m, ch('e'));
    let (family, given) = iv.case.name.split_once(' ').unwrap();
    let kana = iv.case.kana.replace(' ', "");
    let typed = format!("本日{given}さんは登校。{family}宅へ{kana}の件で電話");
    typ(&mut s, &mut m, &typed);
    let form = m.meeting.form.as_ref().unwrap();
    assert!(form.form.get(MeetingField::Summary).ends_with(&typed), "typed as it is");
    let text = screen(&m);
    for part in [family, given, kana.as_str(), iv.case.name.as_str()] {
        assert!(!text.contains(part), "{part} shown while projecting:\n{text}");
    }
    assert!(text.contains("本日〇〇は登校。〇〇宅へ〇〇の件で電話"), "{text}");
    // The cursor stands just after the masked text.
    let mut t = Terminal::new(TestBackend::new(160, 45)).unwrap();
    t.draw(|f| view::render(&m, f)).unwrap();
    let at = t.get_cursor_position().unwrap();
    let row = buffer_text(t.backend().buffer()).lines().nth(at.y as usize).unwrap().to_string();
    let before: String = row
        .chars()
        .scan(0u16, |w, c| {
            let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0) as u16;
            let keep = *w < at.x;
            *w += cw;
            keep.then_some(c)
        })
        .collect();
    assert!(before.ends_with("〇〇の件で電話"), "cursor at {at:?} after: {before}");
    insta::assert_snapshot!("meeting_deep_form_160x45_presentation_typed", text);
}

/// A child who is not on the agenda (a friend, a child of another household) named in the
/// discussion is masked too while projecting: the screen's masker knows every person in the
/// ledger, read once with the ledger, not only the agenda's cases.
#[test]
fn a_child_off_the_agenda_is_masked_while_projecting() {
    let (mut s, mut m, meeting) = on_agenda(160, 45);
    let on_agenda: Vec<Id> = m.meeting.data.as_ref().unwrap().items.iter().map(|i| i.case.id).collect();
    let off = s.cases(false).unwrap().into_iter().find(|c| !on_agenda.contains(&c.id)).unwrap();
    let (family, given) = off.name.split_once(' ').unwrap();
    let kana = off.kana.replace(' ', "");
    go_to(&mut s, &mut m, Track::Deep);
    let iv = current(&m);
    let mut f = crate::domain::meeting::live::DeepForm::from_item(&iv.item, &iv.case, &m.config, today());
    f.kind = DecisionKind::Continue.label().into();
    f.next_review = "2027-03-01".into();
    f.summary = format!("同級生の{}と遊ぶ", off.name);
    f.reason = format!("{given}くんの家で過ごす日が多い");
    f.policy = format!("{kana}宅とも連絡を取る");
    f.notes = format!("{family}{given}の母から相談");
    let rec = f.check(&m.config, &iv.case, today()).unwrap();
    s.record_item(iv.item.id, &rec, &m.config.closing.categories, Some(iv.item.id)).unwrap();
    let load = MeetingEffect::Load { id: Some(meeting), today: today(), take_lease: false };
    let loaded = execute(&mut s, Effect::Meeting(load)).unwrap();
    pump(&mut s, &mut m, loaded);
    assert!(current(&m).decision.is_some());
    let plain = screen(&m);
    assert!(plain.contains(&off.name) && plain.contains(&kana), "{plain}");
    pump(&mut s, &mut m, ch('p'));
    let text = screen(&m);
    for part in [off.name.as_str(), family, kana.as_str(), &format!("{given}くん")] {
        assert!(!text.contains(part), "{part} shown while projecting:\n{text}");
    }
    assert!(text.contains("同級生の〇〇と遊ぶ"), "{text}");
    // Typed into a form while projecting: the same.
    go_to(&mut s, &mut m, Track::Deep);
    pump(&mut s, &mut m, ch('e'));
    typ(&mut s, &mut m, &format!("{}が見ていた", off.name.replace(' ', "")));
    let text = screen(&m);
    assert!(!text.contains(family) && text.contains("〇〇が見ていた"), "{text}");
}
