//! The live meeting in the store: leases, records, drafts and closing, on real files.
use super::*;
use crate::demo::{self, Scale};
use crate::domain::meeting::live::DeepForm;
use crate::domain::{CaseStatus, DecisionKind, Track};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

/// The demo in a file under `dir`, its next meeting started (no lease held afterwards).
fn started_demo_file(dir: &std::path::Path) -> (std::path::PathBuf, Id) {
    let db = dir.join("m.db");
    let mut s = Store::open(&db, None).unwrap();
    let sum = demo::generate(&mut s, Scale::Takahama, 2024, today()).unwrap();
    s.start_meeting(sum.next_meeting).unwrap();
    (db, sum.next_meeting)
}

/// The demo municipality with its next meeting (its agenda built by the demo) started.
pub(crate) fn running_demo() -> (Store, Id, Vec<AgendaItem>) {
    let mut s = Store::open_in_memory().unwrap();
    let sum = demo::generate(&mut s, Scale::Takahama, 2024, today()).unwrap();
    let m = sum.next_meeting;
    s.start_meeting(m).unwrap();
    let items = s.agenda(m).unwrap();
    (s, m, items)
}

#[test]
fn a_second_process_is_refused_and_a_dead_ones_lease_is_taken_over() {
    let (mut s, m, _) = running_demo();
    let me = std::process::id();
    assert_eq!(s.acquire_lease(m, me).unwrap(), None);
    assert_eq!(s.acquire_lease(m, me).unwrap(), None, "the holder may open again");
    // Another live process (pid 1 always runs) cannot take it.
    s.write(|t| {
        t.tx.execute("UPDATE meeting_leases SET pid = 1", [])?;
        Ok(())
    })
    .unwrap();
    let err = s.acquire_lease(m, me).unwrap_err().to_string();
    assert!(err.contains("別の shinko（PID 1）で進行中"), "{err}");
    assert!(s.ensure_not_held_elsewhere(m, me).is_err());
    // Silent for longer than the stale limit: taken over.
    let old = (s.now() - chrono::Duration::seconds(LEASE_STALE_SECS + 5)).format("%Y-%m-%dT%H:%M:%S").to_string();
    s.write(|t| {
        t.tx.execute("UPDATE meeting_leases SET heartbeat = ?1", [&old])?;
        Ok(())
    })
    .unwrap();
    assert_eq!(s.acquire_lease(m, me).unwrap(), Some(1));
    s.heartbeat(m, me, None).unwrap();
    s.release_lease(m, me).unwrap();
    assert!(s.lease(m).unwrap().is_none());
    assert!(s.heartbeat(m, me, None).is_err(), "a lost lease is reported");
}

/// Two windows on one database file: the second is refused while the first runs, and
/// takes over at once when the first is closed without releasing (killed, window shut),
/// even though a process with the first one's pid may run (pids are reused on Windows).
#[test]
fn a_closed_window_frees_the_meeting_at_once_and_a_reused_pid_does_not_hold_it() {
    let dir = tempfile::tempdir().unwrap();
    let (db, m) = started_demo_file(dir.path());
    let mut first = Store::open(&db, None).unwrap();
    let mut second = Store::open(&db, None).unwrap();
    assert_eq!(first.acquire_lease(m, 4242).unwrap(), None);
    assert!(super::super::lease_lock::lock_path(&db, m).exists());
    match second.acquire_lease(m, 4343) {
        Err(StoreError::LeaseHeld { pid, host, .. }) => assert_eq!((pid, host), (4242, this_host())),
        other => panic!("the second window must be refused: {other:?}"),
    }
    assert!(matches!(second.ensure_not_held_elsewhere(m, 4343), Err(StoreError::LeaseHeld { .. })));
    drop(first);
    assert_eq!(second.acquire_lease(m, 4343).unwrap(), Some(4242), "taken over without waiting");
    // A lease row naming a live pid (1 always runs) whose process holds no lock is stale.
    second.release_lease(m, 4343).unwrap();
    second
        .write(|t| {
            let at = t.at().to_string();
            t.tx.execute(
                "INSERT INTO meeting_leases(meeting_id, pid, host, heartbeat) VALUES (?1, 1, ?2, ?3)",
                params![m, this_host(), at],
            )?;
            Ok(())
        })
        .unwrap();
    let mut third = Store::open(&db, None).unwrap();
    assert_eq!(third.acquire_lease(m, 4444).unwrap(), Some(1));
    assert!(matches!(second.heartbeat(m, 4343, None), Err(StoreError::LeaseLost)));
    third.close_meeting(m).unwrap();
    assert!(!super::super::lease_lock::lock_path(&db, m).exists(), "a closed meeting leaves no lock file");
}

#[test]
fn drafts_are_kept_until_the_item_is_recorded() {
    let (mut s, m, items) = running_demo();
    let deep = items.iter().find(|i| i.track == Track::Deep).unwrap();
    let key = DraftKey::Item(deep.id);
    s.save_draft(m, key, "{\"summary\":\"途中\"}").unwrap();
    s.save_draft(m, key, "{\"summary\":\"途中まで入力\"}").unwrap();
    assert_eq!(s.drafts(m).unwrap(), vec![(key, "{\"summary\":\"途中まで入力\"}".to_string())]);
    let case = s.case(deep.case_id).unwrap();
    let cfg = Config::default();
    let mut f = DeepForm::from_item(deep, &case, &cfg, today());
    f.summary = "欠席が続く".into();
    f.actions = "東小学校／担任／登校確認／2027/1/15".into();
    let rec = f.check(&cfg, &case, today()).unwrap();
    s.record_item(deep.id, &rec, &cfg.closing.categories, None).unwrap();
    assert!(s.drafts(m).unwrap().is_empty());
    let acts = s.actions_of_meeting(m).unwrap();
    assert_eq!(acts.len(), 1);
    // Recording again replaces the item's actions, never doubles them.
    s.record_item(deep.id, &rec, &cfg.closing.categories, None).unwrap();
    assert_eq!(s.actions_of_meeting(m).unwrap().len(), 1);
}

/// A 終結 decided in the meeting needs a 終結理由区分: the form asks, and the store refuses
/// a record without one (or with one the configuration does not have).
#[test]
fn a_closing_decision_needs_a_configured_category() {
    let (mut s, m, items) = running_demo();
    let cfg = Config::default();
    let deep = items.iter().find(|i| i.track == Track::Deep).unwrap();
    let case = s.case(deep.case_id).unwrap();
    let mut f = DeepForm::from_item(deep, &case, &cfg, today());
    f.kind = DecisionKind::Close.label().into();
    f.reason = "市外へ転出".into();
    let err = f.check(&cfg, &case, today()).unwrap_err();
    assert!(err.contains("終結理由区分を選んでください"), "{err}");
    f.category = "転出".into();
    let mut rec = f.check(&cfg, &case, today()).unwrap();
    rec.category = "転居".into();
    let err = s.record_item(deep.id, &rec, &cfg.closing.categories, None).unwrap_err().to_string();
    assert!(err.contains("終結理由区分「転居」は設定にありません"), "{err}");
    assert!(s.decisions(m).unwrap().iter().all(|d| d.case_id != case.id), "nothing recorded");
    rec.category = "転出".into();
    s.record_item(deep.id, &rec, &cfg.closing.categories, None).unwrap();
    s.close_meeting(m).unwrap();
    let closed = s.case(case.id).unwrap();
    assert_eq!(closed.closure.unwrap().category, "転出", "the meeting's category reaches the ledger");
}

#[test]
fn nothing_is_recorded_in_a_meeting_that_is_not_running() {
    let mut s = Store::open_in_memory().unwrap();
    let sum = demo::generate(&mut s, Scale::Takahama, 2024, today()).unwrap();
    let item = s.agenda(sum.next_meeting).unwrap()[0].clone();
    let err = s.accept_item(&Config::default(), item.id, None).unwrap_err().to_string();
    assert!(err.contains("まだ開始していません"), "{err}");
    let err = s.start_meeting(sum.past_meeting).unwrap_err().to_string();
    assert!(err.contains("既に終了"), "{err}");
}

/// A quick item whose 事務局案 proposes closing is accepted only with one of the configured
/// 終結理由区分, checked in the transaction; the decision and the ledger keep that category.
#[test]
fn a_closing_accepted_as_proposed_needs_and_keeps_its_category() {
    let (mut s, m, items) = running_demo();
    let cfg = Config::default();
    let quick = items.iter().find(|i| i.track == Track::Quick && i.draft.close_reason.is_none()).unwrap();
    // A draft stored before the category was asked for (or by hand): none.
    let mut item = quick.clone();
    item.draft.close_reason = Some("転居により支援終了".into());
    item.draft.close_category = String::new();
    s.write(|t| t.save_agenda_item(&item).map(|_| ())).unwrap();
    let err = s.accept_item(&cfg, item.id, None).unwrap_err().to_string();
    assert!(err.contains("事務局案: 終結案の終結理由区分を選んでください"), "{err}");
    assert!(s.decisions(m).unwrap().iter().all(|d| d.agenda_item_id != Some(item.id)), "nothing recorded");
    assert_eq!(s.agenda_item(item.id).unwrap().state, ItemState::Pending);
    item.draft.close_category = "転入".into();
    s.write(|t| t.save_agenda_item(&item).map(|_| ())).unwrap();
    assert!(s.accept_item(&cfg, item.id, None).unwrap_err().to_string().contains("「転入」は設定にありません"));
    item.draft.close_category = "転出".into();
    s.write(|t| t.save_agenda_item(&item).map(|_| ())).unwrap();
    let d = s.accept_item(&cfg, item.id, None).unwrap();
    assert_eq!((d.kind, d.category.as_str()), (DecisionKind::Close, "転出"));
    s.close_meeting(m).unwrap();
    assert_eq!(s.case(item.case_id).unwrap().closure.unwrap().category, "転出");
}

#[test]
fn closing_writes_the_decisions_into_the_ledger_in_one_audited_transaction() {
    let (mut s, m, items) = running_demo();
    let cfg = Config::default();
    let quick = items.iter().find(|i| i.track == Track::Quick && i.draft.close_reason.is_none()).unwrap();
    let closing = items.iter().find(|i| i.draft.close_reason.is_some()).unwrap();
    let deep = items.iter().find(|i| i.track == Track::Deep).unwrap();
    s.accept_item(&cfg, quick.id, None).unwrap();
    s.accept_item(&cfg, closing.id, None).unwrap();
    let case = s.case(deep.case_id).unwrap();
    let mut f = DeepForm::from_item(deep, &case, &cfg, today());
    f.rank = "A".into();
    f.policy = "一時保護の要否を児相と協議".into();
    f.kind = DecisionKind::ReferToCgc.label().into();
    let rec = f.check(&cfg, &case, today()).unwrap();
    s.record_item(deep.id, &rec, &cfg.closing.categories, None).unwrap();
    let before_audit = s.audit_entries(Some("case"), None, 100_000).unwrap().len();
    let sum = s.close_meeting(m).unwrap();
    assert_eq!((sum.updated, sum.closed), (3, 1));
    assert_eq!(sum.deferred, items.len() - 3);
    let c = s.case(deep.case_id).unwrap();
    assert_eq!((c.rank.as_str(), c.support_policy.as_str()), ("A", "一時保護の要否を児相と協議"));
    assert_eq!(c.next_review, rec.next_review);
    let closed = s.case(closing.case_id).unwrap();
    assert_eq!(closed.status, CaseStatus::Closed);
    assert_eq!(closed.closure.as_ref().unwrap().meeting_id, Some(m));
    assert!(s.audit_entries(Some("case"), None, 100_000).unwrap().len() > before_audit);
    assert_eq!(s.meeting(m).unwrap().status, MeetingStatus::Closed);
    assert!(s.agenda(m).unwrap().iter().all(|i| i.state != ItemState::Pending));
    assert!(s.audit_verify().unwrap().is_ok());
    let data = s.audit_explains_data().unwrap();
    assert!(data.is_clean(), "the log explains a closed meeting's ledger: {:?}", data.unexplained);
}

#[test]
fn a_failed_close_changes_nothing() {
    let (mut s, m, items) = running_demo();
    let cfg = Config::default();
    let quick = &items[0];
    s.accept_item(&cfg, quick.id, None).unwrap();
    // The case was closed in the ledger during the meeting: closing refuses, nothing moves.
    s.write(|t| t.close_case(quick.case_id, CaseStatus::Closed, today(), "転出", None)).unwrap();
    let err = s.close_meeting(m).unwrap_err().to_string();
    assert!(err.contains("反映できません"), "{err}");
    assert_eq!(s.meeting(m).unwrap().status, MeetingStatus::InProgress);
    assert!(s.agenda(m).unwrap().iter().skip(1).all(|i| i.state == ItemState::Pending));
}

/// A lease row for a shinko on another computer that answered just now.
fn held_on_another_computer(s: &mut Store, m: Id) {
    s.write(|t| {
        let at = t.at().to_string();
        t.tx.execute(
            "INSERT INTO meeting_leases(meeting_id, pid, host, heartbeat, since) VALUES (?1, 777, 'kaigi-pc', ?2, ?2)
             ON CONFLICT(meeting_id) DO UPDATE SET pid = 777, host = 'kaigi-pc', heartbeat = ?2, since = ?2",
            params![m, at],
        )?;
        Ok(())
    })
    .unwrap();
}

fn is_live_refusal(r: Result<impl std::fmt::Debug>) -> bool {
    matches!(r, Err(StoreError::MeetingLive { .. }))
}

/// Every writer of a meeting's records asks the store, which refuses inside its write
/// transaction while another live shinko holds the meeting: nothing is written.
#[test]
fn records_of_a_meeting_run_on_another_computer_are_refused() {
    let (mut s, m, items) = running_demo();
    let cfg = Config::default();
    let quick = items.iter().find(|i| i.track == Track::Quick).unwrap();
    let deep = items.iter().find(|i| i.track == Track::Deep).unwrap();
    let case = s.case(deep.case_id).unwrap();
    let mut f = DeepForm::from_item(deep, &case, &cfg, today());
    f.summary = "欠席が続く".into();
    let rec = f.check(&cfg, &case, today()).unwrap();
    let action = s.actions_to_review(m).unwrap().into_iter().next().expect("the demo has actions to review");
    let agency = s.agencies().unwrap()[0].id;
    let later = s.sessions(m).unwrap().last().unwrap().id;
    let mut deferred = quick.clone();
    deferred.defer();
    let audit_before = s.audit_entries(None, None, 1_000_000).unwrap().len();
    held_on_another_computer(&mut s, m);

    let err = s.accept_item(&cfg, quick.id, None).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("別の shinko（PID 777）で進行中") && text.contains("コンピューター名 kaigi-pc"), "{text}");
    assert!(text.contains("から進行") && text.contains("変更できません"), "{text}");
    assert!(!text.contains(&case.name) && !text.contains(&case.kana), "no personal data: {text}");
    assert!(is_live_refusal(s.record_item(deep.id, &rec, &cfg.closing.categories, None)));
    assert!(is_live_refusal(s.update_item(&deferred, None)));
    assert!(is_live_refusal(s.move_items(m, &[Move { item_id: deep.id, to_session: later, position: None }])));
    assert!(is_live_refusal(s.record_attendance(&Attendance {
        meeting_id: m,
        agency_id: agency,
        status: crate::domain::AttendanceStatus::Present,
        person: String::new(),
        info_received_on: None,
    })));
    assert!(is_live_refusal(s.review_action(m, action.id, ActionStatus::Done, "", None, today())));
    assert!(is_live_refusal(s.set_current(m, Some(quick.id))));
    assert!(is_live_refusal(s.start_meeting(m)));
    assert!(is_live_refusal(s.close_meeting(m)));
    assert_eq!(s.meeting(m).unwrap().status, MeetingStatus::InProgress);
    assert!(s.agenda(m).unwrap().iter().all(|i| i.state == ItemState::Pending));
    // Only the lease row was written since.
    assert_eq!(s.audit_entries(None, None, 1_000_000).unwrap().len(), audit_before);

    // Silent for longer than the stale limit: the other computer is gone, writes go ahead.
    let old = (s.now() - chrono::Duration::seconds(LEASE_STALE_SECS + 5)).format("%Y-%m-%dT%H:%M:%S").to_string();
    s.write(|t| {
        t.tx.execute("UPDATE meeting_leases SET heartbeat = ?1", [&old])?;
        Ok(())
    })
    .unwrap();
    s.accept_item(&cfg, quick.id, None).unwrap();
}

/// Two windows on one file: the holder records, the other is refused until the holder is
/// closed; a holder whose lease was taken over is refused in turn.
#[test]
fn only_the_lease_holder_writes_and_a_window_that_lost_the_lease_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (db, m) = started_demo_file(dir.path());
    let cfg = Config::default();
    let mut holder = Store::open(&db, None).unwrap();
    let mut other = Store::open(&db, None).unwrap();
    holder.acquire_lease(m, 4242).unwrap();
    let items = holder.agenda(m).unwrap();
    let (a, b) = (&items[0], &items[1]);
    holder.accept_item(&cfg, a.id, Some(b.id)).unwrap();
    match other.accept_item(&cfg, b.id, None) {
        Err(StoreError::MeetingLive { pid, host, .. }) => assert_eq!((pid, host), (4242, this_host())),
        r => panic!("the other window must be refused: {r:?}"),
    }
    assert!(is_live_refusal(other.close_meeting(m)));
    assert_eq!(other.agenda_item(b.id).unwrap().state, ItemState::Pending);

    // The holder hangs past the stale limit; the other window takes the meeting over.
    let old = (holder.now() - chrono::Duration::seconds(LEASE_STALE_SECS + 5)).format("%Y-%m-%dT%H:%M:%S").to_string();
    holder
        .write(|t| {
            t.tx.execute("UPDATE meeting_leases SET heartbeat = ?1", [&old])?;
            Ok(())
        })
        .unwrap();
    assert_eq!(other.acquire_lease(m, 4343).unwrap(), Some(4242));
    assert!(is_live_refusal(holder.accept_item(&cfg, b.id, None)), "a lost lease writes nothing");
    other.accept_item(&cfg, b.id, None).unwrap();
    other.close_meeting(m).unwrap();
}

/// A rank changed in the ledger during the meeting is not reverted by closing it; the
/// conflict is reported. Fields the meeting did not change keep edits made meanwhile.
#[test]
fn closing_keeps_edits_made_meanwhile_and_reports_conflicts() {
    let (mut s, m, items) = running_demo();
    let cfg = Config::default();
    // Two deep items of cases ranked B or C in a scheme that has A, B and C.
    let deep: Vec<&AgendaItem> = items
        .iter()
        .filter(|i| {
            let c = s.case(i.case_id).unwrap();
            let scheme = cfg.rank_scheme(c.registration);
            i.track == Track::Deep
                && ["A", "B", "C"].iter().all(|r| scheme.get(r).is_some())
                && (c.rank == "B" || c.rank == "C")
        })
        .take(2)
        .collect();
    let (x, y) = (deep[0], deep[1]);
    let record = |s: &mut Store, item: &AgendaItem, rank: &str| {
        let case = s.case(item.case_id).unwrap();
        let mut f = DeepForm::from_item(item, &case, &cfg, today());
        f.summary = "状況を確認".into();
        f.rank = rank.into();
        f.policy = "会議で決めた方針".into();
        let rec = f.check(&cfg, &case, today()).unwrap();
        s.record_item(item.id, &rec, &cfg.closing.categories, None).unwrap();
        (case, rec)
    };
    // x: the meeting raises the rank to A; the ledger meanwhile sets it to C.
    let (cx, rx) = record(&mut s, x, "A");
    // y: the meeting keeps the rank; the ledger meanwhile sets it to A and the town.
    let kept = s.case(y.case_id).unwrap().rank;
    let (cy, _) = record(&mut s, y, &kept);
    s.write(|t| {
        let mut c = t.case(cx.id)?;
        c.rank = if cx.rank == "C" { "B".into() } else { "C".into() };
        t.save_case(&c)?;
        let mut c = t.case(cy.id)?;
        c.rank = "A".into();
        c.town = "新町".into();
        t.save_case(&c)
    })
    .unwrap();
    let meanwhile_x = s.case(cx.id).unwrap().rank;

    let sum = s.close_meeting(m).unwrap();
    assert_eq!(sum.conflicts, vec![CloseConflict { case_number: cx.number.clone(), field: live::RANK }]);
    assert!(sum.conflicts[0].message().contains(&format!("ケース {}: ランクは会議中に台帳で変更", cx.number)));
    let after_x = s.case(cx.id).unwrap();
    assert_eq!(after_x.rank, meanwhile_x, "the ledger's rank is not overwritten");
    assert_eq!(after_x.support_policy, "会議で決めた方針", "what did not conflict is applied");
    assert_eq!(after_x.next_review, rx.next_review);
    let after_y = s.case(cy.id).unwrap();
    assert_eq!((after_y.rank.as_str(), after_y.town.as_str()), ("A", "新町"), "edits made meanwhile stay");
    assert_eq!(after_y.support_policy, "会議で決めた方針");
    assert!(s.audit_verify().unwrap().is_ok());
    assert!(s.audit_explains_data().unwrap().is_clean());
}

#[test]
fn the_done_date_of_a_review_is_checked_in_the_store_and_audited() {
    let (mut s, m, _) = running_demo();
    let action = s.actions_to_review(m).unwrap().into_iter().next().expect("the demo has actions to review");
    let agreed = s.sessions(action.meeting_id.unwrap()).unwrap().iter().map(|x| x.date).min().unwrap();
    let invalid = |r: Result<Action>| match r {
        Err(StoreError::Invalid { field, message }) => {
            assert_eq!(field, "実施日");
            message
        }
        other => panic!("must be refused: {other:?}"),
    };
    let tomorrow = today().succ_opt().unwrap();
    let msg = invalid(s.review_action(m, action.id, ActionStatus::Done, "", Some(tomorrow), today()));
    assert!(msg.contains("今日"), "{msg}");
    let msg = invalid(s.review_action(m, action.id, ActionStatus::Done, "", agreed.pred_opt(), today()));
    assert!(msg.contains("会議"), "{msg}");
    let msg = invalid(s.review_action(m, action.id, ActionStatus::NotPossible, "転居", Some(agreed), today()));
    assert!(msg.contains("実施済"), "{msg}");
    assert_eq!(s.action(action.id).unwrap(), action, "nothing was written by the refusals");

    let done = s.review_action(m, action.id, ActionStatus::Done, "訪問済", Some(agreed), today()).unwrap();
    assert_eq!(done.done_on, Some(agreed));
    assert_eq!(s.action(action.id).unwrap().done_on, Some(agreed), "kept in the row");
    let log = s.audit_entries(Some("action"), Some(action.id), 100).unwrap();
    assert!(log.iter().any(|e| e.field == "done_on" && e.after.as_deref() == Some(&agreed.to_string())), "{log:?}");
    // Found not done after all: the 実施日 goes.
    let undone = s.review_action(m, action.id, ActionStatus::NotDone, "", None, today()).unwrap();
    assert_eq!(s.action(undone.id).unwrap().done_on, None);
}

#[test]
fn a_case_accepted_then_deferred_in_the_same_meeting_keeps_no_decision_or_actions() {
    let (mut s, m, items) = running_demo();
    let cfg = Config::default();
    let quick = items.iter().find(|i| i.track == Track::Quick).unwrap();
    let deep = items.iter().find(|i| i.track == Track::Deep).unwrap();
    let other = items.iter().filter(|i| i.track == Track::Quick).nth(1).unwrap();
    s.accept_item(&cfg, quick.id, None).unwrap();
    s.accept_item(&cfg, other.id, None).unwrap();
    let case = s.case(deep.case_id).unwrap();
    let mut f = DeepForm::from_item(deep, &case, &cfg, today());
    f.summary = "欠席が続く".into();
    f.actions = "こども家庭センター／家庭相談員／家庭訪問／2026/12/15".into();
    let rec = f.check(&cfg, &case, today()).unwrap();
    s.record_item(deep.id, &rec, &cfg.closing.categories, None).unwrap();
    assert!(s.actions_of_meeting(m).unwrap().iter().any(|a| a.case_id == deep.case_id));

    for item in [quick, deep] {
        let mut deferred = s.agenda(m).unwrap().into_iter().find(|i| i.id == item.id).unwrap();
        deferred.defer();
        s.update_item(&deferred, None).unwrap();
    }
    let decided: Vec<Id> = s.decisions(m).unwrap().iter().map(|d| d.case_id).collect();
    assert_eq!(decided, vec![other.case_id], "only the case not deferred counts as reviewed");
    assert!(s.actions_of_meeting(m).unwrap().iter().all(|a| a.case_id != deep.case_id), "its 役割分担 went too");
    let log = s.audit_entries(Some("decision"), None, 1000).unwrap();
    assert_eq!(log.iter().filter(|e| e.field == "deleted").count(), 2, "both deletions audited");
    assert!(s.audit_verify().unwrap().is_ok());
}
