//! The meeting screen's effects run against the store (the runtime's side of
//! [`super`]): loading everything the screen shows, the lease, and each change.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::time::Duration;

use super::{self as meeting, AttendanceRow, ItemView, MeetingData, MeetingEffect, MeetingMsg, ReviewRow};
use crate::domain::meeting::live::{ActionLine, DraftKey};
use crate::domain::sheet_merge;
use crate::domain::{DecisionKind, Id, MeetingStatus};
use crate::store::{Store, StoreError};
use crate::tui::msg::Msg;

/// The clock for timers and the idle lock: one tick a second.
pub fn spawn_ticker(tx: Sender<Msg>, stop: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_secs(1));
            if tx.send(Msg::Tick(chrono::Local::now().naive_local())).is_err() {
                break;
            }
        }
    });
}

pub fn effect_name(e: &MeetingEffect) -> &'static str {
    match e {
        MeetingEffect::AddContact { .. } => "meeting_add_contact",
        MeetingEffect::Load { .. } => "meeting_load",
        MeetingEffect::Start { .. } => "meeting_start",
        MeetingEffect::Attend(_) => "meeting_attend",
        MeetingEffect::Review { .. } => "meeting_review_action",
        MeetingEffect::Accept { .. } => "meeting_accept",
        MeetingEffect::Record { .. } => "meeting_record",
        MeetingEffect::UpdateItem { .. } => "meeting_update_item",
        MeetingEffect::SetCurrent { .. } => "meeting_set_current",
        MeetingEffect::Elapsed { .. } => "meeting_elapsed",
        MeetingEffect::Draft { .. } => "meeting_draft",
        MeetingEffect::Heartbeat { .. } => "meeting_heartbeat",
        MeetingEffect::Replan { .. } => "meeting_replan",
        MeetingEffect::Close { .. } => "meeting_close",
        MeetingEffect::Release { .. } => "meeting_release",
    }
}

fn me() -> u32 {
    std::process::id()
}

/// Runs one meeting effect; `None` when there is nothing to tell the screen.
pub fn execute(store: &mut Store, e: MeetingEffect) -> Result<Option<MeetingMsg>, StoreError> {
    let name = effect_name(&e);
    let msg = match e {
        MeetingEffect::Load { id, today, take_lease } => {
            let id = match id {
                Some(id) => Some(id),
                None => store.meeting_to_run(today)?,
            };
            let Some(id) = id else { return Ok(Some(MeetingMsg::Loaded(None))) };
            let mut read_only = None;
            if store.meeting(id)?.status == MeetingStatus::InProgress {
                // Opening takes the lease; a reload only looks, so a window that watches another
                // one run the meeting stays read-only and names the holder as it is now.
                let held = if take_lease {
                    store.acquire_lease(id, me()).map(|_| ())
                } else {
                    store.ensure_not_held_elsewhere(id, me())
                };
                match held {
                    Ok(()) => {}
                    Err(e @ (StoreError::LeaseHeld { .. } | StoreError::MeetingLive { .. })) => {
                        read_only = Some(e.to_string())
                    }
                    Err(e) => return Err(e),
                }
            }
            MeetingMsg::Loaded(Some(Box::new(load(store, id, read_only)?)))
        }
        MeetingEffect::AddContact { contact, number, today } => {
            meeting::saved(crate::tui::screen::record_contact(store, &contact, &number, today)?)
        }
        MeetingEffect::Start { id } => {
            store.acquire_lease(id, me())?;
            let m = store.start_meeting(id)?;
            meeting::saved(format!("会議「{}」を開始しました。まず出欠を記録してください", m.title))
        }
        MeetingEffect::Attend(a) => {
            store.record_attendance(&a)?;
            store.clear_draft(a.meeting_id, DraftKey::Attendance(a.agency_id))?;
            meeting::noted(format!("{} を記録しました", a.status.label()))
        }
        MeetingEffect::Review { meeting_id, action_id, status, note, done_on, today } => {
            let a = store.review_action(meeting_id, action_id, status, &note, done_on, today)?;
            store.clear_draft(meeting_id, DraftKey::ActionReview(action_id))?;
            meeting::noted(format!("役割分担を「{}」にしました", a.status.label()))
        }
        MeetingEffect::Accept { item_id, next, config, .. } => {
            let decision = store.accept_item(&config, item_id, next)?;
            let number = store.case(decision.case_id)?.number;
            meeting::noted(format!("ケース {number} を事務局案どおり承認しました"))
        }
        MeetingEffect::Record { item_id, record, next, categories } => {
            let d = match store.record_item(item_id, &record, &categories, next) {
                Err(e @ StoreError::UnknownAgency { .. }) => {
                    return Ok(Some(MeetingMsg::AskAgain(crate::tui::screen::ask_new_agency(&e))));
                }
                other => other?,
            };
            let number = store.case(d.case_id)?.number;
            let moved = record.review_moved.as_deref().map(|m| format!("（{m}）")).unwrap_or_default();
            meeting::saved(format!("ケース {number} の協議結果を記録しました{moved}"))
        }
        MeetingEffect::UpdateItem { item, current, message } => {
            store.update_item(&item, current)?;
            meeting::noted(message)
        }
        MeetingEffect::SetCurrent { meeting_id, item } => {
            store.set_current(meeting_id, item)?;
            return Ok(None);
        }
        MeetingEffect::Elapsed { item_id, secs } => {
            store.write(|t| t.set_item_elapsed(item_id, secs))?;
            return Ok(None);
        }
        MeetingEffect::Draft { meeting_id, key, body } => {
            store.save_draft(meeting_id, key, &body)?;
            return Ok(None);
        }
        MeetingEffect::Heartbeat { meeting_id, elapsed } => {
            store.heartbeat(meeting_id, me(), elapsed)?;
            return Ok(None);
        }
        MeetingEffect::Replan { meeting_id, moves, undo } => {
            let n = store.move_items(meeting_id, &moves)?;
            meeting::saved(if undo {
                format!("再計画を元に戻しました（重点協議 {n} 件を元の日程へ）")
            } else {
                format!("重点協議 {n} 件を次の部会・日程へ移しました（Ctrl+Z で元に戻せます）")
            })
        }
        MeetingEffect::Close { meeting_id } => {
            let s = store.close_meeting(meeting_id)?;
            let conflicts: String = s.conflicts.iter().map(|c| format!(" {}", c.message())).collect();
            meeting::saved(format!(
                "会議を終了しました。台帳に反映 {} 件（終結・移管 {} 件）、次回へ延期 {} 件{conflicts}",
                s.updated, s.closed, s.deferred
            ))
        }
        MeetingEffect::Release { meeting_id } => {
            store.release_lease(meeting_id, me())?;
            return Ok(None);
        }
    };
    tracing::debug!(effect = name, "meeting effect done");
    Ok(Some(msg))
}

/// Everything the meeting screen shows, in one read.
pub fn load(store: &Store, id: Id, read_only: Option<String>) -> Result<MeetingData, StoreError> {
    let meeting = store.meeting(id)?;
    let sessions = store.sessions(id)?;
    let agencies = store.agencies()?;
    let decisions = store.decisions(id)?;
    let this_meeting_actions = store.actions_of_meeting(id)?;
    // Found by id, not searched for per item: a joint meeting has tens of thousands of items.
    let agency_of: HashMap<Id, &crate::domain::Agency> = agencies.iter().map(|a| (a.id, a)).collect();
    let agency_name = |a: Option<Id>| a.and_then(|i| agency_of.get(&i)).map(|x| x.name.clone());
    let mut decision_of: HashMap<Id, &crate::domain::Decision> = HashMap::new();
    for d in &decisions {
        decision_of.entry(d.case_id).or_insert(d);
    }
    let actions_of = crate::store::by_case(this_meeting_actions.iter().map(|a| (a.case_id, a)));
    // One statement per kind of fact for the whole agenda, not one per item.
    let agenda = store.agenda(id)?;
    let ids: Vec<Id> = agenda.iter().map(|i| i.case_id).collect();
    let cases = store.cases_by_id(&ids)?;
    let sheets_of = store.sheets_of_cases(&ids)?;
    let requests_of = store.sheet_requests_of_cases(&ids)?;
    let history_of = store.decisions_of_cases(&ids)?;
    let replies_of = crate::store::by_case(store.replies(id)?.into_iter().map(|r| (r.case_id, r)));
    let (contacts_of, mut reports_of) = match sessions.first() {
        Some(s) => {
            (store.contacts_for_meeting(id, &ids, s.date)?, store.monthly_reports_for_meeting(id, &ids, s.date)?)
        }
        None => Default::default(),
    };
    let mut items = Vec::new();
    for item in agenda {
        let case =
            cases.get(&item.case_id).cloned().ok_or(StoreError::NotFound { entity: "ケース", id: item.case_id })?;
        let sheets = sheets_of.get(&case.id).cloned().unwrap_or_default();
        let requests = requests_of.get(&case.id).cloned().unwrap_or_default();
        let history =
            history_of.get(&case.id).cloned().unwrap_or_default().into_iter().filter(|d| d.meeting_id != id).collect();
        let decision = decision_of.get(&case.id).map(|d| (*d).clone());
        let actions = actions_of
            .get(&case.id)
            .into_iter()
            .flatten()
            .map(|a| ActionLine {
                agency: agency_name(a.agency_id).unwrap_or_default(),
                owner: a.owner.clone(),
                what: a.what.clone(),
                due: a.due,
            })
            .collect();
        let new_lead = decision
            .as_ref()
            .filter(|d| d.kind == DecisionKind::ChangeLead)
            .and_then(|d| agency_name(d.new_lead_agency));
        let contacts = contacts_of.get(&case.id).copied().unwrap_or_default();
        let reports = reports_of.remove(&case.id).unwrap_or_default();
        items.push(ItemView {
            replies: replies_of.get(&case.id).cloned().unwrap_or_default(),
            merged: sheet_merge::merge(case.id, &sheets, &requests),
            item,
            case,
            history,
            decision,
            actions,
            new_lead,
            contacts,
            reports,
        });
    }
    let recorded = store.attendance(id)?;
    let mut expected = store.meeting_agencies(id)?;
    for a in &recorded {
        if !expected.contains(&a.agency_id) {
            expected.push(a.agency_id);
        }
    }
    let mut record_of: HashMap<Id, &crate::domain::Attendance> = HashMap::new();
    for a in &recorded {
        record_of.entry(a.agency_id).or_insert(a);
    }
    let attendance = expected
        .into_iter()
        .filter_map(|aid| agency_of.get(&aid).map(|a| (*a).clone()))
        .map(|agency| AttendanceRow { record: record_of.get(&agency.id).map(|r| (*r).clone()), agency })
        .collect();
    // The same set the minutes show (one rule: Store::actions_to_review).
    let to_review = store.actions_to_review(id)?;
    let review_cases = store.cases_by_id(&to_review.iter().map(|a| a.case_id).collect::<Vec<_>>())?;
    let mut reviews = Vec::new();
    for a in to_review {
        let c = review_cases.get(&a.case_id).ok_or(StoreError::NotFound { entity: "ケース", id: a.case_id })?;
        let (case_number, case_name, case_kana) = (c.number.clone(), c.name.clone(), c.kana.clone());
        reviews.push(ReviewRow { action: a, case_number, case_name, case_kana });
    }
    reviews.sort_by(|a, b| (a.case_number.as_str(), a.action.id).cmp(&(b.case_number.as_str(), b.action.id)));
    Ok(MeetingData { meeting, sessions, items, attendance, reviews, drafts: store.drafts(id)?, read_only, agencies })
}
