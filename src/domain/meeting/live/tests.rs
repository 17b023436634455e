//! The live meeting's rules, each with its cases.
use super::*;
use crate::domain::meeting::SecretariatDraft;
use crate::domain::{CaseStatus, Registration};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

fn item(id: Id, track: Track, session: Id, block: i64) -> AgendaItem {
    AgendaItem::pending(id, track, session, block)
}

fn session(id: Id, section: Option<&str>, start: NaiveTime, end: NaiveTime) -> Session {
    Session {
        id,
        meeting_id: 1,
        label: format!("S{id}"),
        date: d(2026, 12, 8),
        start,
        end,
        section: section.map(str::to_string),
        position: id,
    }
}

fn case() -> Case {
    let mut c = Case::blank(d(2025, 4, 1));
    c.id = 7;
    c.number = "R7-001".into();
    c.name = "山田 太郎".into();
    c.rank = "C".into();
    c.registration = Registration::NeedsSupport;
    c.support_policy = "見守り継続".into();
    c
}

#[test]
fn phases_run_in_the_marac_order() {
    assert_eq!(Phase::default(), Phase::Attendance);
    assert_eq!(Phase::Attendance.next(), Phase::ActionReview);
    assert_eq!(Phase::ActionReview.next(), Phase::Agenda);
    assert_eq!(Phase::Agenda.next(), Phase::Agenda);
    assert_eq!(Phase::Agenda.prev(), Phase::ActionReview);
}

#[test]
fn attendance_and_action_status_cycle_both_ways() {
    assert_eq!(cycle_attendance(None, true), AttendanceStatus::Present);
    assert_eq!(cycle_attendance(Some(AttendanceStatus::Present), true), AttendanceStatus::Apology);
    assert_eq!(cycle_attendance(Some(AttendanceStatus::Present), false), AttendanceStatus::Observer);
    assert_eq!(cycle_action_status(ActionStatus::Open, true), ActionStatus::Done);
    assert_eq!(cycle_action_status(ActionStatus::Done, true), ActionStatus::NotPossible);
    assert_eq!(cycle_action_status(ActionStatus::Open, false), ActionStatus::NotDone);
}

#[test]
fn walk_goes_to_the_next_pending_item_and_wraps() {
    let mut items = vec![item(1, Track::Quick, 1, 1), item(2, Track::Quick, 1, 2), item(3, Track::Deep, 1, 3)];
    items[1].state = ItemState::Done;
    assert_eq!(next_pending(&items, Some(1)), Some(3));
    assert_eq!(next_pending(&items, Some(3)), Some(1));
    assert_eq!(next_pending(&items, None), Some(1));
    items[0].state = ItemState::Deferred;
    items[2].state = ItemState::Done;
    assert_eq!(next_pending(&items, Some(3)), None);
}

#[test]
fn item_moves_to_deep_defers_and_comes_back() {
    let mut i = item(1, Track::Quick, 1, 1);
    i.move_to_deep();
    i.move_to_deep();
    assert_eq!(i.track, Track::Deep);
    assert_eq!(i.reasons, vec!["会議中に重点協議へ変更".to_string()]);
    i.defer();
    assert_eq!(i.state, ItemState::Deferred);
    i.revisit();
    assert_eq!(i.state, ItemState::Pending);
}

#[test]
fn accepting_a_quick_item_takes_the_draft_and_proposes_the_review_by_rank() {
    let cfg = Config::default();
    let c = case();
    let mut i = item(1, Track::Quick, 1, 1);
    i.draft = SecretariatDraft {
        summary: "安定".into(), policy: "現状維持・見守り継続".into(), ..Default::default()
    };
    let dec = accept_as_proposed(9, &i, &c, &cfg, d(2026, 9, 22));
    assert!(dec.as_proposed);
    assert_eq!(dec.kind, DecisionKind::Continue);
    assert_eq!(dec.support_policy, "現状維持・見守り継続");
    assert_eq!((dec.rank_before.as_str(), dec.rank_after.as_str()), ("C", "C"));
    // C is 3 months: 2026-12-22 is a Tuesday.
    assert_eq!(dec.next_review, Some(d(2026, 12, 22)));
    // A closing proposal becomes 終結 with its reason and no next review.
    i.draft.close_reason = Some("3か月安定".into());
    let dec = accept_as_proposed(9, &i, &c, &cfg, d(2026, 9, 22));
    assert_eq!((dec.kind, dec.reason.as_str(), dec.next_review), (DecisionKind::Close, "3か月安定", None));
    assert_eq!(dec.category, "", "no category proposed: Store::accept_item refuses it");
    i.draft.close_category = "状態の安定".into();
    assert_eq!(accept_as_proposed(9, &i, &c, &cfg, d(2026, 9, 22)).category, "状態の安定");
    assert_eq!(DeepForm::from_item(&i, &c, &cfg, d(2026, 9, 22)).category, "状態の安定", "the deep form too");
    i.draft.close_category = String::new();
    assert_eq!(proposed_change(&i, &c, &cfg, d(2026, 9, 22)), Some(ProposedChange::Closes));
    let mut plain = i.clone();
    plain.draft.close_reason = None;
    plain.draft.next_review = Some(proposed_next_review(&cfg, &c, &c.rank, d(2026, 9, 22)));
    assert_eq!(proposed_change(&plain, &c, &cfg, d(2026, 9, 22)), None, "the rank's own date is no change");
    plain.draft.next_review = Some(d(2026, 10, 1));
    assert_eq!(proposed_change(&plain, &c, &cfg, d(2026, 9, 22)), Some(ProposedChange::Review(d(2026, 10, 1))));
    // The deep form starts from the same proposal, not from 継続.
    let mut f = DeepForm::from_item(&i, &c, &cfg, d(2026, 9, 22));
    assert_eq!((f.kind.as_str(), f.reason.as_str(), f.next_review.as_str()), ("終結", "3か月安定", ""));
    // A 事務局案 without 終結理由区分: recording the closing asks for one.
    let err = f.check(&cfg, &c, d(2026, 9, 22)).unwrap_err();
    assert!(err.starts_with("終結理由区分を選んでください"), "{err}");
    f.category = "状態の安定".into();
    assert_eq!(
        f.check(&cfg, &c, d(2026, 9, 22)).unwrap().kind,
        DecisionKind::Close,
        "Enter+F10 records what the draft says"
    );
    // Turned back to 継続, it gets the rank's review date again.
    f.kind = DecisionKind::Continue.label().into();
    f.propose_review_when_continuing(&cfg, &c, d(2026, 9, 22));
    assert_eq!(f.next_review, date_text(Some(proposed_next_review(&cfg, &c, &f.rank, d(2026, 9, 22)))));
}

#[test]
fn deep_form_checks_each_field_with_a_japanese_message() {
    let cfg = Config::default();
    let c = case();
    let i = item(1, Track::Deep, 1, 1);
    let mut f = DeepForm::from_item(&i, &c, &cfg, d(2026, 9, 22));
    assert_eq!(f.next_review, "2026/12/22");
    f.summary = "欠席が増えている".into();
    f.actions = "小学校／担任／毎朝の登校確認／2027/1/15\n\n保健センター／保健師／家庭訪問\n".into();
    let rec = f.check(&cfg, &c, d(2026, 9, 22)).unwrap();
    assert_eq!(rec.actions.len(), 2);
    assert_eq!(rec.actions[0].due, Some(d(2027, 1, 15)));
    assert_eq!(rec.actions[1].due, None);

    let mut bad = f.clone();
    bad.rank = "Z".into();
    assert!(bad.check(&cfg, &c, d(2026, 9, 22)).unwrap_err().starts_with("評価（ランク）"));
    let mut bad = f.clone();
    bad.kind = DecisionKind::Close.label().into();
    assert_eq!(bad.check(&cfg, &c, d(2026, 9, 22)).unwrap_err(), "理由: 終結には理由が必要です");
    let mut bad = f.clone();
    bad.kind = DecisionKind::ChangeLead.label().into();
    assert!(bad.check(&cfg, &c, d(2026, 9, 22)).unwrap_err().starts_with("新しい主担当機関"));
    let mut bad = f.clone();
    bad.actions = "小学校／担任／登校確認／来週".into();
    assert!(bad.check(&cfg, &c, d(2026, 9, 22)).unwrap_err().starts_with("役割分担 1行目: 期限"));
    let mut bad = f.clone();
    bad.actions = "\n小学校だけ".into();
    assert!(bad.check(&cfg, &c, d(2026, 9, 22)).unwrap_err().starts_with("役割分担 2行目"));
    let mut bad = f;
    bad.next_review = String::new();
    assert!(bad.check(&cfg, &c, d(2026, 9, 22)).unwrap_err().starts_with("次回確認日"));
}

#[test]
fn a_recorded_decision_round_trips_through_the_form() {
    let cfg = Config::default();
    let c = case();
    let i = item(1, Track::Deep, 1, 1);
    let mut f = DeepForm::from_item(&i, &c, &cfg, d(2026, 9, 22));
    f.actions = "小学校／担任／登校確認／2027/01/15".into();
    f.kind = DecisionKind::ChangeLead.label().into();
    f.new_lead = "保健センター".into();
    let rec = f.check(&cfg, &c, d(2026, 9, 22)).unwrap();
    let dec = decision_from_record(9, &i, &c, &rec, Some(42));
    assert_eq!(dec.new_lead_agency, Some(42));
    let back = DeepForm::from_decision(&dec, &rec.actions, rec.new_lead.clone());
    assert_eq!(back.check(&cfg, &c, d(2026, 9, 22)).unwrap(), rec);
}

#[test]
fn applying_decisions_updates_the_ledger_fields_and_closes() {
    let c = case();
    let i = item(1, Track::Deep, 1, 1);
    let rec = DeepRecord {
        summary: String::new(),
        rank: "B".into(),
        kind: DecisionKind::ChangeLead,
        reason: String::new(),
        category: String::new(),
        new_lead: Some("保健センター".into()),
        policy: "週1回の家庭訪問".into(),
        actions: vec![],
        next_review: Some(d(2026, 12, 22)),
        review_moved: None,
        notes: String::new(),
        new_agencies: false,
    };
    let dec = decision_from_record(9, &i, &c, &rec, Some(42));
    let (after, closing) = apply_decision(&c, &dec, d(2026, 9, 22));
    assert_eq!((after.rank.as_str(), after.lead_agency), ("B", Some(42)));
    assert_eq!(after.support_policy, "週1回の家庭訪問");
    assert_eq!((after.last_review, after.next_review), (Some(d(2026, 9, 22)), Some(d(2026, 12, 22))));
    assert!(closing.is_none());
    let mut close = dec.clone();
    close.kind = DecisionKind::Close;
    close.reason = "転居".into();
    let (_, closing) = apply_decision(&c, &close, d(2026, 9, 22));
    assert_eq!(closing, Some((CaseStatus::Closed, "転居".into())));
}

#[test]
fn a_decision_changes_only_what_it_decided_relative_to_what_it_saw() {
    let seen_case = case();
    let seen = DecidedFields::of(&seen_case);
    let i = item(1, Track::Deep, 1, 1);
    let rec = DeepRecord {
        summary: String::new(),
        rank: "B".into(),
        kind: DecisionKind::Continue,
        reason: String::new(),
        category: String::new(),
        new_lead: None,
        policy: seen_case.support_policy.clone(),
        actions: vec![],
        next_review: Some(d(2026, 12, 22)),
        review_moved: None,
        notes: String::new(),
        new_agencies: false,
    };
    let dec = decision_from_record(9, &i, &seen_case, &rec, None);
    let on = d(2026, 9, 22);
    // Nothing changed meanwhile: as apply_decision.
    let (after, _, conflicts) = apply_decision_since(&seen_case, &seen, &dec, on);
    assert_eq!(after, apply_decision(&seen_case, &dec, on).0);
    assert!(conflicts.is_empty());
    // Meanwhile the rank went to A and the policy was rewritten: the rank the meeting
    // changed conflicts and stays A; the policy the meeting kept is not reverted.
    let mut now = seen_case.clone();
    now.rank = "A".into();
    now.support_policy = "別の窓で書いた方針".into();
    let (after, _, conflicts) = apply_decision_since(&now, &seen, &dec, on);
    assert_eq!(conflicts, vec![RANK]);
    assert_eq!((after.rank.as_str(), after.support_policy.as_str()), ("A", "別の窓で書いた方針"));
    assert_eq!((after.last_review, after.next_review), (Some(on), Some(d(2026, 12, 22))));
    // Changed meanwhile to what the meeting decided: no conflict.
    now.rank = "B".into();
    let (after, _, conflicts) = apply_decision_since(&now, &seen, &dec, on);
    assert!(conflicts.is_empty() && after.rank == "B");
}

#[test]
fn session_clock_projects_the_end_and_warns_of_an_overrun() {
    let b = Budget::default(); // 1.2 min quick = 72 s, 7 min deep = 420 s
    let s = session(1, None, t(9, 30), t(10, 0));
    let mut items = vec![item(1, Track::Quick, 1, 1), item(2, Track::Deep, 1, 2), item(3, Track::Deep, 1, 3)];
    items[0].state = ItemState::Done;
    items[0].elapsed_secs = 60;
    items[1].elapsed_secs = 120;
    let c = session_clock(&s, &items, &b, t(9, 40));
    assert_eq!(c.spent_secs, 180);
    assert_eq!(c.remaining_secs, 300 + 420);
    assert_eq!(c.projected_end, t(9, 52));
    assert_eq!(c.overrun_secs(), 0);
    let c = session_clock(&s, &items, &b, t(9, 55));
    assert_eq!(c.overrun_secs(), 7 * 60);
    assert_eq!(clock_text(c.overrun_secs()), "07:00");
    assert_eq!(clock_text(3725), "1:02:05");
}

#[test]
fn replan_moves_the_least_urgent_deep_blocks_to_the_next_session_of_the_same_section() {
    let b = Budget::default();
    let sessions = vec![
        session(1, Some("school"), t(13, 30), t(14, 0)),
        session(2, Some("infant"), t(9, 30), t(12, 0)),
        session(3, Some("school"), t(13, 30), t(17, 0)),
    ];
    // Five deep items (35 min) in a 30 min session; 2 and 3 are siblings (block 2).
    let mut items: Vec<AgendaItem> = (1..=5).map(|i| item(i, Track::Deep, 1, i)).collect();
    items[2].block = 2;
    items[4].locked = true;
    let urgency = |i: &AgendaItem| if i.id == 1 { 5 } else { 1 };
    let moves = replan(&items, &sessions, 1, Some(4), &b, t(13, 30), urgency);
    // 4 is current and 5 locked; the latest least urgent block (2+3) goes to session 3.
    assert_eq!(
        moves,
        vec![Move { item_id: 2, to_session: 3, position: None }, Move { item_id: 3, to_session: 3, position: None }]
    );
    // A session that fits is left alone; the last session has nowhere to go.
    assert!(replan(&items[..1], &sessions, 1, None, &b, t(13, 30), urgency).is_empty());
    assert!(replan(&items, &sessions, 3, None, &b, t(13, 30), urgency).is_empty());
}

#[test]
fn a_next_review_on_a_closed_day_is_moved_at_decision_time_and_said() {
    let cfg = Config::default();
    let c = case();
    let i = item(1, Track::Deep, 1, 1);
    let mut f = DeepForm::from_item(&i, &c, &cfg, d(2026, 9, 22));
    for (typed, recorded, why) in [
        ("2027/1/9", d(2027, 1, 12), "土曜日"),
        ("R9.1.1", d(2027, 1, 4), "元日"),
        ("12/29", d(2027, 1, 4), "年末年始"),
    ] {
        f.next_review = typed.into();
        let rec = f.check(&cfg, &c, d(2026, 9, 22)).unwrap();
        assert_eq!(rec.next_review, Some(recorded), "{typed}");
        let note = rec.review_moved.unwrap();
        assert!(note.contains(why) && note.contains(&recorded.to_string()), "{note}");
    }
    f.next_review = "2027/1/12".into();
    assert_eq!(f.check(&cfg, &c, d(2026, 9, 22)).unwrap().review_moved, None);
    // A 事務局案 dated on a Sunday is confirmed as proposed on the next business day.
    let mut quick = item(2, Track::Quick, 1, 1);
    quick.draft.next_review = Some(d(2026, 11, 1));
    let dec = accept_as_proposed(1, &quick, &c, &cfg, d(2026, 9, 22));
    assert_eq!(dec.next_review, Some(d(2026, 11, 2)));
}

#[test]
fn a_reason_about_an_action_reviewed_in_this_meeting_says_what_the_review_found() {
    use crate::domain::triage::overdue_action_reason;
    use crate::domain::{Action, ActionStatus};
    let due = chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
    let mut a = Action {
        id: 5,
        case_id: 1,
        meeting_id: Some(2),
        agency_id: Some(3),
        owner: String::new(),
        what: "家庭訪問".into(),
        due: Some(due),
        status: ActionStatus::Open,
        review_note: String::new(),
        reviewed_in: None,
        done_on: None,
    };
    let reasons = vec![overdue_action_reason("家庭訪問", due, "東小学校"), "別の理由".to_string()];
    let name = |_: Option<Id>| "東小学校".to_string();
    assert_eq!(reasons_now(&reasons, std::slice::from_ref(&a), 9, name), reasons, "not reviewed yet");
    a.status = ActionStatus::Done;
    a.reviewed_in = Some(9);
    let now = reasons_now(&reasons, &[a], 9, name);
    assert_eq!(now[0], format!("{} → この会議で確認: {}", reasons[0], ActionStatus::Done.label()));
    assert_eq!(now[1], "別の理由");
}
