//! The capacity proposal against the stored agenda, and accepting it in one audited step.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{Cached, Result, Store, StoreError};
use crate::domain::capacity::{self, CapacityInputs, CapacityPlan, LaterMeeting};
use crate::domain::{AgendaItem, Config, Id, ItemState, Session};

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
        let mut later = self.later_meetings(meeting_id, reading.last_day(), cfg)?;
        self.estimate_unbuilt(&plan, reading.last_day(), &mut later, cfg)?;
        Ok(capacity::propose(&plan, &CapacityInputs { cases: &cases, signalled: &signalled, later: &later }, cfg))
    }

    /// A later meeting whose agenda is not built yet still has its own reviews coming: each
    /// 部会 gets the open cases whose review falls after the meeting before it, up to its day,
    /// at this agenda's minutes per item of the 部会 (so reviews are not all moved onto a
    /// meeting that looks empty).
    fn estimate_unbuilt(
        &self,
        plan: &crate::domain::agenda::AgendaPlan,
        last_day: NaiveDate,
        later: &mut [LaterMeeting],
        cfg: &Config,
    ) -> Result<()> {
        if later.iter().all(|m| !m.planned.is_empty()) {
            return Ok(());
        }
        let mut per_item: BTreeMap<Option<String>, (f64, usize)> = BTreeMap::new();
        for s in &plan.sessions {
            let e = per_item.entry(s.session.section.clone()).or_default();
            e.0 += s.minutes - cfg.budget.action_review_minutes;
            e.1 += s.items.len();
        }
        let cases = self.cases(false)?;
        let mut from = last_day;
        for m in later.iter_mut() {
            if m.planned.is_empty() {
                for c in cases.iter().filter(|c| c.next_review.is_some_and(|d| d > from && d <= m.first_day)) {
                    let section = cfg.section_for(c, m.first_day).map(|s| s.code.clone());
                    let minutes = per_item.get(&section).map_or(0.0, |(t, n)| t / (*n).max(1) as f64);
                    *m.planned.entry(section).or_default() += minutes;
                }
            }
            from = m.first_day;
        }
        Ok(())
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
    /// review becomes the first day of the meeting it moves to, and each 部会 still over gets
    /// the sessions the proposal says it needs (like its last one, on the following business
    /// days), in one transaction (audited per item, case and session); the agenda is then
    /// placed again over the sessions. Returns what was moved and added; refused for a meeting
    /// that is not planned.
    pub fn accept_capacity(&mut self, meeting_id: Id, today: NaiveDate, cfg: &Config) -> Result<Vec<CapacityPlan>> {
        let mut plans = self.capacity_proposal(meeting_id, today, cfg)?;
        let added = self.sessions_needed(meeting_id, &mut plans, today, cfg)?;
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
            let items: std::collections::HashMap<Id, AgendaItem> =
                t.items_of(meeting_id)?.into_iter().map(|i| (i.id, i)).collect();
            let mut moved = 0usize;
            for d in plans.iter().flat_map(|p| p.deferrals.iter()) {
                // Read again in the transaction: an item started or edited since is left alone.
                let Some(it) = items.get(&d.item_id) else { continue };
                if it.state != ItemState::Pending || it.locked || it.elapsed_secs > 0 {
                    continue;
                }
                t.tx.exec_cached("DELETE FROM agenda_items WHERE id = ?1", [it.id])?;
                t.audit("agenda_item", Some(it.id), "deleted", Some(&it.case_id.to_string()), None)?;
                let mut c = t.case(it.case_id)?;
                c.next_review = Some(d.to_day);
                t.save_case(&c)?;
                moved += 1;
            }
            for s in &added {
                t.save_session(s)?;
            }
            let summary = format!("moved={moved} sessions_added={}", added.len());
            t.audit("meeting", Some(meeting_id), "capacity_accepted", None, Some(&summary))?;
            Ok(())
        })?;
        if !added.is_empty() {
            self.place_again(meeting_id, &mut plans, today, cfg)?;
        }
        Ok(plans)
    }

    /// The sessions each 部会 of `plans` still needs, like its last one, on the business days
    /// after the meeting's last day (部会 meeting at different times share a day).
    fn sessions_needed(
        &self,
        meeting_id: Id,
        plans: &mut [CapacityPlan],
        today: NaiveDate,
        cfg: &Config,
    ) -> Result<Vec<Session>> {
        let sessions = self.sessions(meeting_id)?;
        let last = sessions.iter().map(|s| s.date).max().unwrap_or(today);
        let cal = cfg.business_calendar();
        let mut added: Vec<Session> = Vec::new();
        for p in plans.iter_mut().filter(|p| p.more_sessions > 0) {
            let Some(like) =
                sessions.iter().filter(|s| s.section == p.section).max_by_key(|s| (s.date, s.start, s.position))
            else {
                continue;
            };
            let name = crate::domain::agenda::section_label(cfg, p.section.as_deref());
            let all: Vec<Session> = sessions.iter().chain(&added).cloned().collect();
            let new = capacity::added_sessions(&all, like, &name, p.more_sessions as usize, last, &cal);
            p.sessions_added.extend(new.iter().map(|s| s.date));
            added.extend(new);
        }
        Ok(added)
    }

    /// The agenda placed over the sessions again; a 部会 still over by what households could
    /// not split gets one more session, up to three times.
    fn place_again(
        &mut self,
        meeting_id: Id,
        plans: &mut [CapacityPlan],
        today: NaiveDate,
        cfg: &Config,
    ) -> Result<()> {
        for _ in 0..3 {
            let plan = self.build_agenda(meeting_id, today, cfg)?;
            let short = crate::domain::agenda::shortfalls(&plan);
            if short.is_empty() {
                return Ok(());
            }
            // One more each, asked of copies: the plans returned still say what was proposed.
            let mut one_more: Vec<CapacityPlan> = plans.to_vec();
            for p in one_more.iter_mut() {
                p.more_sessions = i64::from(short.iter().any(|s| s.section == p.section));
                p.sessions_added.clear();
            }
            let added = self.sessions_needed(meeting_id, &mut one_more, today, cfg)?;
            for (p, more) in plans.iter_mut().zip(&one_more) {
                p.sessions_added.extend(&more.sessions_added);
            }
            self.write(|t| {
                for s in &added {
                    t.save_session(s)?;
                }
                Ok(())
            })?;
        }
        self.build_agenda(meeting_id, today, cfg)?;
        Ok(())
    }
}
