//! The capacity proposal against the stored agenda, and accepting it in one audited step.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{Result, Store, StoreError};
use crate::domain::capacity::{self, CapacityInputs, CapacityPlan, LaterMeeting};
use crate::domain::{Config, Id, ItemState};

impl Store {
    /// For each 部会 whose sessions cannot hold the stored agenda: the reviews that can move
    /// to the later registered meetings within their interval, and the sessions still needed.
    pub fn capacity_proposal(&self, meeting_id: Id, today: NaiveDate, cfg: &Config) -> Result<Vec<CapacityPlan>> {
        let plan = self.agenda_plan(meeting_id, cfg)?;
        if crate::domain::agenda::shortfalls(&plan).is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Id> = plan.items().map(|i| i.case_id).collect();
        let reading = self.triage_reading(meeting_id, today, &ids.iter().copied().collect())?;
        let mut signalled = self.signalled(&reading, cfg)?;
        signalled.extend(
            self.replies(meeting_id)?
                .iter()
                .filter(|r| r.answer == crate::domain::reply::Answer::Discuss)
                .map(|r| r.case_id),
        );
        let cases = self.cases_by_id(&ids)?.into_iter().collect();
        let later = self.later_meetings(meeting_id, reading.last_day(), cfg)?;
        Ok(capacity::propose(&plan, &CapacityInputs { cases: &cases, signalled: &signalled, later: &later }, cfg))
    }

    /// The meetings whose first day is after `day`, earliest first, with their sessions and
    /// the minutes their stored agendas already plan per 部会.
    fn later_meetings(&self, meeting_id: Id, day: NaiveDate, cfg: &Config) -> Result<Vec<LaterMeeting>> {
        let mut out = Vec::new();
        for m in self.meetings()? {
            if m.id == meeting_id || m.status != crate::domain::MeetingStatus::Planned {
                continue;
            }
            let sessions = self.sessions(m.id)?;
            let Some(first_day) = sessions.iter().map(|s| s.date).min().filter(|d| *d > day) else { continue };
            let mut planned: BTreeMap<Option<String>, f64> = BTreeMap::new();
            for s in self.agenda_plan(m.id, cfg)?.sessions {
                *planned.entry(s.session.section.clone()).or_default() += s.minutes - cfg.budget.action_review_minutes;
            }
            out.push(LaterMeeting { id: m.id, first_day, sessions, planned });
        }
        out.sort_by_key(|m| (m.first_day, m.id));
        Ok(out)
    }

    /// Accepts the proposal: every review it moves leaves this agenda and the case's next
    /// review becomes the first day of the meeting it moves to, in one transaction (audited
    /// per item and case). Returns what was moved; refused for a meeting that is not planned.
    pub fn accept_capacity(&mut self, meeting_id: Id, today: NaiveDate, cfg: &Config) -> Result<Vec<CapacityPlan>> {
        let plans = self.capacity_proposal(meeting_id, today, cfg)?;
        let last_day = self.sessions(meeting_id)?.iter().map(|s| s.date).max().unwrap_or(today);
        if self.neighbour_meeting(meeting_id, last_day, false)?.is_none() {
            return Err(StoreError::invalid(
                "次回の会議",
                "次の会議が登録されていないため、確認を次回へ回せません（shinko meeting new で次の会議を登録してください）",
            ));
        }
        self.write(|t| {
            let m = t.meeting(meeting_id)?;
            if m.status != crate::domain::MeetingStatus::Planned {
                return Err(StoreError::invalid(
                    "会議",
                    format!("会議 {meeting_id} は準備中ではないため、議題を次回へ回せません"),
                ));
            }
            t.ensure_meeting_writable(meeting_id)?;
            let items = t.items_of(meeting_id)?;
            let mut moved = 0usize;
            for d in plans.iter().flat_map(|p| p.deferrals.iter()) {
                // Read again in the transaction: an item started or edited since is left alone.
                let Some(it) = items.iter().find(|i| i.id == d.item_id) else { continue };
                if it.state != ItemState::Pending || it.locked || it.elapsed_secs > 0 {
                    continue;
                }
                t.tx.execute("DELETE FROM agenda_items WHERE id = ?1", [it.id])?;
                t.audit("agenda_item", Some(it.id), "deleted", Some(&it.case_id.to_string()), None)?;
                let mut c = t.case(it.case_id)?;
                c.next_review = Some(d.to_day);
                t.save_case(&c)?;
                moved += 1;
            }
            t.audit("meeting", Some(meeting_id), "capacity_accepted", None, Some(&moved.to_string()))?;
            Ok(())
        })?;
        Ok(plans)
    }
}
