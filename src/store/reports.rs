//! Reads for the outputs (minutes, schedule, per-agency action lists, yearly statistics): each
//! gathers the domain values one output needs, so the converters in `exchange` stay pure.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::{Result, Store, StoreError, date_col};
use crate::domain::stats::{self, ActionFacts, MeetingFacts, StatsInput, YearStats};
use crate::domain::{
    Action, Agency, AgendaItem, Attendance, Case, Decision, DecisionKind, Id, Meeting, MeetingStatus, Session,
};

/// Everything the minutes (会議録) of one meeting are written from.
#[derive(Debug, Clone)]
pub struct MeetingRecord {
    pub meeting: Meeting,
    pub sessions: Vec<Session>,
    /// 開催日: the first session's date.
    pub date: Option<NaiveDate>,
    /// The previous meeting of the same kind, if any (its date bounds "new registrations").
    pub previous_date: Option<NaiveDate>,
    /// Every agency, by id, for names.
    pub agencies: BTreeMap<Id, Agency>,
    /// Institutions expected at the meeting.
    pub expected: Vec<Id>,
    pub attendance: Vec<Attendance>,
    pub agenda: Vec<AgendaItem>,
    pub decisions: Vec<Decision>,
    /// Actions from earlier meetings reviewed here, or still open when it met.
    pub reviewed_actions: Vec<Action>,
    /// Actions agreed in this meeting (役割分担).
    pub new_actions: Vec<Action>,
    /// Cases accepted since the previous meeting (or in the three months before this one).
    pub new_registrations: Vec<Id>,
    /// Cases this meeting closed or transferred.
    pub closings: Vec<Id>,
    /// Every case named anywhere above.
    pub cases: BTreeMap<Id, Case>,
    /// Name and reading of every case in the ledger, for masking: free text may name a
    /// sibling or a closed case that the minutes do not list. Read only for masked minutes
    /// (it is the whole ledger): None otherwise, and masked minutes refuse such a record.
    pub people: Option<Vec<(String, String)>>,
    /// Institutions' replies to the 事務局案 (事前確認の結果).
    pub replies: Vec<crate::domain::reply::Reply>,
    /// 経過記録 of the agenda's cases since the previous meeting, up to this one's day.
    pub contacts: BTreeMap<Id, crate::domain::contact::ContactSummary>,
    /// 月次報告 of the agenda's cases since the previous meeting's month, up to this one's day.
    pub reports: std::collections::HashMap<Id, Vec<crate::domain::attendance::MonthlyReport>>,
}

impl MeetingRecord {
    pub fn agency_name(&self, id: Option<Id>) -> &str {
        id.and_then(|i| self.agencies.get(&i)).map(|a| a.name.as_str()).unwrap_or("")
    }
}

/// One open case's next review, for the schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewDue {
    pub case_id: Id,
    pub number: String,
    pub registration: crate::domain::Registration,
    pub rank: String,
    pub lead_agency: Option<Id>,
    pub next_review: NaiveDate,
}

/// A session of a meeting not yet closed, for the schedule.
#[derive(Debug, Clone)]
pub struct UpcomingSession {
    pub meeting: Meeting,
    pub session: Session,
}

fn ids(store: &Store, sql: &str, params: impl rusqlite::Params) -> Result<Vec<Id>> {
    let mut st = store.conn().prepare_cached(sql)?;
    let rows = st.query_map(params, |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

impl Store {
    /// Every person the ledger names, as (name, reading): each child, and the guardians and
    /// household members recorded with them (保護者・同居人), for the masker.
    pub fn case_names(&self) -> Result<Vec<(String, String)>> {
        let mut st = self.conn.prepare("SELECT name, kana, people FROM cases")?;
        let rows =
            st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (name, kana, people) = row?;
            out.push((name, kana));
            let listed = crate::domain::case::parse_people(&people).unwrap_or_default();
            out.extend(listed.into_iter().map(|p| (p.name, p.kana)));
        }
        Ok(out)
    }

    /// 開催日 of the meeting of the same kind before `meeting_id` (by first session), if any.
    pub fn previous_meeting_date(&self, meeting_id: Id) -> Result<Option<NaiveDate>> {
        let meeting = self.meeting(meeting_id)?;
        let Some(d) = self.sessions(meeting_id)?.first().map(|s| s.date) else { return Ok(None) };
        let dates = self.meeting_dates()?;
        let mut best = None;
        for m in self.meetings()? {
            if m.id == meeting_id || m.kind != meeting.kind {
                continue;
            }
            if let Some(md) = dates.get(&m.id).copied().filter(|md| *md < d) {
                best = best.max(Some(md));
            }
        }
        Ok(best)
    }

    /// Each agenda case's contacts since the previous meeting up to `day` (the meeting's).
    pub fn contacts_for_meeting(
        &self,
        meeting_id: Id,
        ids: &[Id],
        day: NaiveDate,
    ) -> Result<BTreeMap<Id, crate::domain::contact::ContactSummary>> {
        self.contact_summaries(ids, self.previous_meeting_date(meeting_id)?, day)
    }

    /// The minutes' facts for `meeting_id`; `masked` also reads every name the ledger holds,
    /// for the masker ([`MeetingRecord::people`]).
    pub fn meeting_record(&self, meeting_id: Id, masked: bool) -> Result<MeetingRecord> {
        let meeting = self.meeting(meeting_id)?;
        let sessions = self.sessions(meeting_id)?;
        let date = sessions.first().map(|s| s.date);
        let previous_date = self.previous_meeting_date(meeting_id)?;
        let agencies = self.agencies()?.into_iter().map(|a| (a.id, a)).collect();
        let decisions = self.decisions(meeting_id)?;
        let reviewed_actions = self.actions_to_review(meeting_id)?;
        let new_actions = self.actions_of_meeting(meeting_id)?;
        let new_registrations = match date {
            None => Vec::new(),
            Some(d) => {
                let since = crate::domain::triage::news_since(previous_date, d);
                ids(
                    self,
                    "SELECT id FROM cases WHERE accepted_on > ?1 AND accepted_on <= ?2 ORDER BY accepted_on, number",
                    (since.to_string(), d.to_string()),
                )?
            }
        };
        let mut closings = ids(self, "SELECT id FROM cases WHERE close_meeting = ?1 ORDER BY number", [meeting_id])?;
        let mut closed: std::collections::HashSet<Id> = closings.iter().copied().collect();
        for d in &decisions {
            if matches!(d.kind, DecisionKind::Close | DecisionKind::Transfer) && closed.insert(d.case_id) {
                closings.push(d.case_id);
            }
        }
        let agenda = self.agenda(meeting_id)?;
        let wanted: BTreeSet<Id> = agenda
            .iter()
            .map(|i| i.case_id)
            .chain(decisions.iter().map(|d| d.case_id))
            .chain(reviewed_actions.iter().map(|a| a.case_id))
            .chain(new_actions.iter().map(|a| a.case_id))
            .chain(new_registrations.iter().copied())
            .chain(closings.iter().copied())
            .collect();
        let wanted: Vec<Id> = wanted.into_iter().collect();
        // In one statement: a joint meeting names tens of thousands of cases.
        let mut found = self.cases_by_id(&wanted)?;
        let mut cases = BTreeMap::new();
        for id in wanted {
            let c = found.remove(&id).ok_or(StoreError::NotFound { entity: "ケース", id })?;
            cases.insert(id, c);
        }
        let agenda = self.agenda(meeting_id)?;
        let (contacts, reports) = match date {
            Some(d) => {
                let ids: Vec<Id> = agenda.iter().map(|i| i.case_id).collect();
                let from = crate::domain::report_months::first_month(previous_date, d);
                (self.contact_summaries(&ids, previous_date, d)?, self.monthly_reports_of_cases(&ids, from, d)?)
            }
            None => Default::default(),
        };
        Ok(MeetingRecord {
            agenda,
            contacts,
            reports,
            expected: self.meeting_agencies(meeting_id)?,
            attendance: self.attendance(meeting_id)?,
            meeting,
            sessions,
            date,
            previous_date,
            agencies,
            decisions,
            reviewed_actions,
            new_actions,
            new_registrations,
            closings,
            cases,
            people: if masked { Some(self.case_names()?) } else { None },
            replies: self.replies(meeting_id)?,
        })
    }

    /// Open cases with a next-review date, and how many open cases have none.
    pub fn reviews_due(&self) -> Result<(Vec<ReviewDue>, usize)> {
        let mut due = Vec::new();
        let mut missing = 0;
        for r in self.case_rows()? {
            if r.status != crate::domain::CaseStatus::Open {
                continue;
            }
            match r.next_review {
                Some(next_review) => due.push(ReviewDue {
                    case_id: r.id,
                    number: r.number,
                    registration: r.registration,
                    rank: r.rank,
                    lead_agency: r.lead_agency,
                    next_review,
                }),
                None => missing += 1,
            }
        }
        Ok((due, missing))
    }

    /// Sessions of meetings not yet closed, dated within `from..=to`.
    pub fn upcoming_sessions(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<UpcomingSession>> {
        let mut out = Vec::new();
        for m in self.meetings()? {
            if m.status == MeetingStatus::Closed {
                continue;
            }
            for s in self.sessions(m.id)? {
                if from <= s.date && s.date <= to {
                    out.push(UpcomingSession { meeting: m.clone(), session: s });
                }
            }
        }
        out.sort_by_key(|u| (u.session.date, u.session.start, u.session.id));
        Ok(out)
    }

    /// The day each action was last marked done, read from the audit log (the action row
    /// itself keeps no date).
    pub fn action_done_dates(&self) -> Result<BTreeMap<Id, NaiveDate>> {
        let mut st = self.conn().prepare_cached(
            "SELECT entity_id, max(substr(at, 1, 10)) FROM audit_log WHERE entity = 'action' AND entity_id IS NOT NULL
             AND ((field = 'status' AND after = 'done') OR (field = 'created' AND after LIKE '%\"status\":\"done\"%'))
             GROUP BY entity_id",
        )?;
        let rows = st.query_map([], |r| Ok((r.get::<_, Id>(0)?, date_col(r.get(1)?)?)))?;
        let mut out = BTreeMap::new();
        for row in rows {
            let (id, d) = row?;
            if let Some(d) = d {
                out.insert(id, d);
            }
        }
        Ok(out)
    }

    /// Meetings with their 開催日, every decision, and every action with its done date: the
    /// facts `domain::stats::compute` counts.
    pub fn stats_facts(&self) -> Result<(Vec<MeetingFacts>, Vec<Decision>, Vec<ActionFacts>)> {
        let dates = self.meeting_dates()?;
        let mut meetings = Vec::new();
        let mut decisions = Vec::new();
        for m in self.meetings()? {
            decisions.extend(self.decisions(m.id)?);
            meetings.push(MeetingFacts { date: dates.get(&m.id).copied(), meeting: m });
        }
        let done = self.action_done_dates()?;
        let actions = self
            .all_actions()?
            .into_iter()
            .map(|a| ActionFacts { recorded_done: done.get(&a.id).copied(), action: a })
            .collect();
        Ok((meetings, decisions, actions))
    }

    /// The figures of fiscal year `fy` (the CLI's `stats` and the TUI's 年度統計 screen).
    /// `order`: the configured order of 終結理由区分 and ranks.
    pub fn year_stats(&self, fy: i32, today: NaiveDate, order: &stats::Order) -> Result<YearStats> {
        let cases = self.cases(true)?;
        let (meetings, decisions, actions) = self.stats_facts()?;
        let agency_names = self.agencies()?.into_iter().map(|a| (a.id, a.name)).collect();
        let contacts = self.contacts_since(None)?;
        let births: Vec<NaiveDate> = self.newborns()?.into_values().map(|(on, _)| on).collect();
        let reports: Vec<NaiveDate> = self.monthly_reports(None)?.iter().map(|r| r.month).collect();
        let alerts: Vec<NaiveDate> = self.report_alerts()?.iter().map(|a| a.raised_on).collect();
        let input = StatsInput {
            cases: &cases,
            meetings: &meetings,
            decisions: &decisions,
            actions: &actions,
            agency_names: &agency_names,
            contacts: &contacts,
            births: &births,
            reports: &reports,
            alerts: &alerts,
            order,
        };
        Ok(stats::compute_with_previous(fy, input, today))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{self, Scale};
    use crate::domain::ActionStatus;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
    }

    #[test]
    fn record_of_the_demo_meeting_names_every_case_it_uses() {
        let mut s = Store::open_in_memory().unwrap();
        let sum = demo::generate(&mut s, Scale::Takahama, 2024, today()).unwrap();
        let r = s.meeting_record(sum.past_meeting, true).unwrap();
        assert!(!r.decisions.is_empty());
        assert_eq!(r.attendance.len(), r.expected.len());
        for d in &r.decisions {
            assert!(r.cases.contains_key(&d.case_id));
        }
        assert!(r.new_actions.iter().all(|a| a.meeting_id == Some(sum.past_meeting)));
        // The next meeting reviews the past meeting's open actions.
        let next = s.meeting_record(sum.next_meeting, false).unwrap();
        assert_eq!(next.previous_date, r.date);
        assert!(!next.reviewed_actions.is_empty());
        assert!(next.reviewed_actions.iter().all(|a| a.status == ActionStatus::Open));
        // Masking knows every child in the ledger, not only those the minutes list.
        assert_eq!(r.people.as_ref().map(Vec::len), Some(s.case_count(true).unwrap() as usize));
        assert!(next.people.is_none(), "plain minutes do not read the whole ledger's names");
    }

    #[test]
    fn done_dates_come_from_the_audit_log() {
        let mut s = Store::open_in_memory().unwrap();
        let sum = demo::generate(&mut s, Scale::Takahama, 2024, today()).unwrap();
        let done = s.action_done_dates().unwrap();
        let past = s.meeting_date(sum.past_meeting).unwrap().unwrap();
        let all = s.all_actions().unwrap();
        let n_done = all.iter().filter(|a| a.status == ActionStatus::Done).count();
        assert_eq!(done.len(), n_done);
        assert!(done.values().all(|d| *d == past));
    }
}
