//! Meeting preparation: building the agenda (triage + plan in the domain, written in one
//! audited transaction), the secretariat's edits of it, institutions' discussion requests
//! and planned moves.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, Months, NaiveDate};
use rusqlite::{OptionalExtension, params};

use super::meetings::{ITEM_COLS, row_item};
use super::{Cached, Result, Store, StoreError, Tx, date_col};
use crate::domain::agenda::{self, AgendaPlan, Existing};
use crate::domain::meeting::{Question, SecretariatDraft};
use crate::domain::triage::{self, CaseFacts, DiscussionRequest, MeetingFrame};
use crate::domain::{ActionStatus, AgendaItem, Case, CgcInvolvement, Config, Id, ItemState, MeetingStatus, Track};

/// Cases whose sheets one statement of an agenda build reads.
const TRIAGE_CHUNK: usize = 1000;

/// Marks kept per (meeting, case) so re-planning respects what the secretariat did by hand.
const MARK_ADDED: &str = "added";
const MARK_TRACK: &str = "track";
const MARK_DRAFT: &str = "draft";

/// What one agenda build reads (see [`Store::triage_reading`]).
pub(super) struct TriageReading {
    meeting_id: Id,
    sessions: Vec<crate::domain::Session>,
    first_day: NaiveDate,
    last_day: NaiveDate,
    previous: Option<(Id, NaiveDate)>,
    next_meeting: NaiveDate,
    today: NaiveDate,
    agency_names: BTreeMap<Id, String>,
    cases: Vec<Case>,
    actions: Vec<crate::domain::Action>,
    discussion: Vec<DiscussionRequest>,
    moves: BTreeMap<Id, (NaiveDate, String)>,
    seen_contacts: BTreeMap<Id, (NaiveDate, crate::domain::contact::ContactKind)>,
    /// Newborns: child case → (birth day, mother's case number).
    born: BTreeMap<Id, (NaiveDate, String)>,
    report_alerts: Vec<crate::domain::attendance::ReportAlert>,
    marks: Vec<(Id, String)>,
    ranks: BTreeMap<Id, String>,
    cgc: BTreeMap<Id, String>,
    replies: Vec<crate::domain::reply::Reply>,
    /// Every change of each case's 児相 involvement, oldest first.
    cgc_history: BTreeMap<Id, Vec<triage::CgcChange>>,
}

impl TriageReading {
    pub(super) fn frame(&self) -> MeetingFrame<'_> {
        MeetingFrame {
            meeting_id: self.meeting_id,
            first_day: self.first_day,
            last_day: self.last_day,
            previous: self.previous,
            next_meeting: self.next_meeting,
            today: self.today,
            agency_names: &self.agency_names,
        }
    }

    pub(super) fn last_day(&self) -> NaiveDate {
        self.last_day
    }

    /// Each case's facts but its sheets and sheet requests (read a chunk of cases at a time,
    /// see [`Store::triage_each`]), and the cases whose track or draft the secretariat set by
    /// hand.
    pub(super) fn facts(&self) -> (BTreeMap<Id, CaseFacts<'_>>, BTreeSet<Id>, BTreeSet<Id>) {
        let mut facts: BTreeMap<Id, CaseFacts<'_>> = BTreeMap::new();
        for a in &self.actions {
            facts.entry(a.case_id).or_default().actions.push(a);
        }
        for r in &self.discussion {
            facts.entry(r.case_id).or_default().discussion.push(r);
        }
        for (case, rank) in &self.ranks {
            facts.entry(*case).or_default().rank_at_previous = Some(rank.clone());
        }
        for (case, before) in &self.cgc {
            facts.entry(*case).or_default().cgc_before = Some(CgcInvolvement::from_code(before).unwrap_or_default());
        }
        for (case, (on, _)) in &self.moves {
            facts.entry(*case).or_default().move_on = Some(*on);
        }
        for r in &self.replies {
            facts.entry(r.case_id).or_default().replies.push(r);
        }
        for (case, changes) in &self.cgc_history {
            facts.entry(*case).or_default().cgc_history = changes.clone();
        }
        for (case, seen) in &self.seen_contacts {
            facts.entry(*case).or_default().seen_contact = Some(*seen);
        }
        for (case, born) in &self.born {
            facts.entry(*case).or_default().born = Some(born.clone());
        }
        for a in &self.report_alerts {
            facts.entry(a.case_id).or_default().report_alerts.push(a);
        }
        let mut pinned_tracks = BTreeSet::new();
        let mut edited_drafts = BTreeSet::new();
        for (case, mark) in &self.marks {
            match mark.as_str() {
                MARK_ADDED => facts.entry(*case).or_default().added = true,
                MARK_TRACK => {
                    pinned_tracks.insert(*case);
                }
                MARK_DRAFT => {
                    edited_drafts.insert(*case);
                }
                _ => {}
            }
        }
        (facts, pinned_tracks, edited_drafts)
    }
}

/// Why a case is (or is not) on a meeting's agenda: every rule and what it found.
#[derive(Debug, Clone)]
pub struct Explanation {
    pub case: Case,
    /// Its next review falls on or before the meeting's last day (or it has none).
    pub review_due: bool,
    /// The secretariat put it on the agenda by hand.
    pub added: bool,
    /// (rule, is a signal, what it found) for every rule, in order.
    pub rules: Vec<(&'static str, bool, Vec<String>)>,
    /// Triage would put it on the agenda.
    pub due: bool,
    /// The track and draft triage proposes if it is on the agenda.
    pub proposal: triage::Proposal,
    /// It is on the stored agenda now.
    pub on_agenda: bool,
}

/// What every rule finds for `case` (on_agenda left for the caller).
fn explanation(case: &Case, frame: &MeetingFrame<'_>, f: &CaseFacts<'_>, cfg: &Config) -> Explanation {
    Explanation {
        review_due: case.next_review.is_none_or(|d| d <= frame.last_day),
        added: f.added,
        rules: triage::evaluate(case, frame, f, cfg)
            .into_iter()
            .map(|(rule, found)| (rule.name, rule.signal, found))
            .collect(),
        due: triage::is_due(case, frame, f, cfg),
        proposal: triage::propose(case, frame, f, cfg),
        on_agenda: false,
        case: case.clone(),
    }
}

fn request_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DiscussionRequest> {
    Ok(DiscussionRequest {
        id: r.get(0)?,
        case_id: r.get(1)?,
        agency_id: r.get(2)?,
        meeting_id: r.get(3)?,
        reason: r.get(4)?,
        requested_on: date_col(r.get(5)?)?.unwrap_or_default(),
    })
}

const REQUEST_COLS: &str = "id, case_id, agency_id, meeting_id, reason, requested_on";

impl Store {
    /// Everything triage reads for `meeting_id`, read once (the meeting's days and neighbours,
    /// every open case with its sheets, actions, requests, rank and 児相 history, marks).
    /// Only the cases that may be due are read in full (see [`Store::triage_candidates`]);
    /// `also` are read whatever they are (the case `agenda explain` asks about, kept items).
    pub(super) fn triage_reading(
        &self,
        meeting_id: Id,
        today: NaiveDate,
        also: &BTreeSet<Id>,
    ) -> Result<TriageReading> {
        let sessions = self.sessions(meeting_id)?;
        let (Some(first_day), Some(last_day)) =
            (sessions.iter().map(|s| s.date).min(), sessions.iter().map(|s| s.date).max())
        else {
            return Err(StoreError::invalid("日程", format!("会議 {meeting_id} に日程（開始・終了時刻）がありません")));
        };
        let previous = self.neighbour_meeting(meeting_id, first_day, true)?;
        let next_meeting = self
            .neighbour_meeting(meeting_id, last_day, false)?
            .map(|m| m.1)
            .unwrap_or_else(|| last_day.checked_add_months(Months::new(3)).unwrap_or(last_day));
        let agency_names: BTreeMap<Id, String> = self.agencies()?.into_iter().map(|a| (a.id, a.name)).collect();
        let since =
            previous.map(|p| p.1).unwrap_or_else(|| first_day.checked_sub_months(Months::new(3)).unwrap_or(first_day));
        let discussion: Vec<DiscussionRequest> = self
            .discussion_requests(None)?
            .into_iter()
            .filter(|r| r.meeting_id == Some(meeting_id) || (r.meeting_id.is_none() && r.requested_on > since))
            .collect();
        // Rank before: as agreed at the previous meeting, or before a later change in the ledger.
        let mut ranks: BTreeMap<Id, String> = self.ranks_at(previous.map(|p| p.0))?.into_iter().collect();
        for (case, rank) in self.before_changes("rank", since)? {
            ranks.entry(case).or_insert(rank);
        }
        let cgc = self.before_changes("cgc", since)?;
        let marks = self.agenda_marks(meeting_id)?;
        let replies = self.replies(meeting_id)?;
        let born = self.newborns_with_mothers()?;
        let report_alerts: Vec<_> = self.report_alerts()?.into_iter().filter(|a| a.raised_on > since).collect();
        let extra: BTreeSet<Id> = also
            .iter()
            .copied()
            .chain(discussion.iter().map(|r| r.case_id))
            .chain(replies.iter().filter(|r| r.answer == crate::domain::reply::Answer::Discuss).map(|r| r.case_id))
            .chain(born.keys().copied())
            .chain(report_alerts.iter().map(|a| a.case_id))
            .chain(cgc.keys().copied())
            .chain(marks.iter().map(|m| m.0))
            .collect();
        let ids = self.triage_candidates(last_day, since, &ranks, &extra)?;
        let mut cases: Vec<Case> = self.cases_by_id(&ids)?.into_values().filter(Case::is_open).collect();
        cases.sort_by(|a, b| a.number.cmp(&b.number));
        Ok(TriageReading {
            meeting_id,
            sessions,
            first_day,
            last_day,
            previous,
            next_meeting,
            today,
            agency_names,
            cases,
            actions: self.all_actions()?,
            discussion,
            moves: self.planned_moves()?,
            marks,
            seen_contacts: self.last_seen_contacts()?,
            born,
            report_alerts,
            ranks,
            cgc,
            replies,
            cgc_history: self.cgc_history()?,
        })
    }

    /// The cases of `reading` with news since the last meeting (a signal rule found something).
    pub(super) fn signalled(&self, reading: &TriageReading, cfg: &Config) -> Result<BTreeSet<Id>> {
        let frame = reading.frame();
        let (facts, _, _) = reading.facts();
        let mut out = BTreeSet::new();
        self.triage_each(&reading.cases, &facts, |c, f| {
            if !triage::signals(c, &frame, f, cfg).is_empty() {
                out.insert(c.id);
            }
        })?;
        Ok(out)
    }

    /// Calls `each` with every case of `cases` and its facts, its sheets and sheet requests
    /// read a chunk of cases at a time and dropped after: all the sheets of a large ledger,
    /// notes and all, were most of an agenda build's memory.
    fn triage_each<'c>(
        &self,
        cases: &'c [Case],
        base: &BTreeMap<Id, CaseFacts<'_>>,
        mut each: impl FnMut(&'c Case, &CaseFacts<'_>),
    ) -> Result<()> {
        for chunk in cases.chunks(TRIAGE_CHUNK) {
            let ids: Vec<Id> = chunk.iter().map(|c| c.id).collect();
            let sheets = self.sheets_of_cases(&ids)?;
            let mut requests = self.sheet_requests_of_cases(&ids)?;
            for c in chunk {
                let mut f = base.get(&c.id).cloned().unwrap_or_default();
                f.sheets = sheets.get(&c.id).map(|v| v.iter().collect()).unwrap_or_default();
                f.requests = requests.remove(&c.id).unwrap_or_default();
                each(c, &f);
            }
        }
        Ok(())
    }

    /// The open cases [`triage::triage_case`] can put on the agenda, found through the review
    /// and sheet indexes before anything else is read: those due by their review date (or with
    /// none), and those with a fact a signal rule reads (registered since the last meeting, a
    /// sheet since then, a rank other than the one agreed, or one of `extra`: a request, a
    /// change of 児相 involvement, a mark, a kept item). A superset: triage decides.
    fn triage_candidates(
        &self,
        last_day: NaiveDate,
        since: NaiveDate,
        ranks: &BTreeMap<Id, String>,
        extra: &BTreeSet<Id>,
    ) -> Result<Vec<Id>> {
        let mut ids: BTreeSet<Id> = extra.clone();
        let mut st = self.conn.prepare_cached(
            "SELECT id, rank, next_review IS NULL OR next_review <= ?1 OR accepted_on > ?2 FROM cases
             WHERE status = 'open'",
        )?;
        let rows = st.query_map(params![last_day, since], |r| {
            Ok((r.get::<_, Id>(0)?, r.get::<_, String>(1)?, r.get::<_, bool>(2)?))
        })?;
        for row in rows {
            let (id, rank, due) = row?;
            if due || ranks.get(&id).is_some_and(|before| *before != rank) {
                ids.insert(id);
            }
        }
        let mut st = self.conn.prepare_cached("SELECT DISTINCT case_id FROM sheets WHERE period > ?1")?;
        for id in st.query_map([since], |r| r.get::<_, Id>(0))? {
            ids.insert(id?);
        }
        Ok(ids.into_iter().collect())
    }

    /// Every triage rule evaluated for one case against `meeting_id`, for `agenda explain`:
    /// whether its review is due, what each rule found, and the proposal that follows.
    pub fn explain_case(&self, meeting_id: Id, case_id: Id, today: NaiveDate, cfg: &Config) -> Result<Explanation> {
        let r = self.triage_reading(meeting_id, today, &BTreeSet::from([case_id]))?;
        let frame = r.frame();
        let (facts, _, _) = r.facts();
        let case = r.cases.iter().find(|c| c.id == case_id).cloned().map_or_else(|| self.case(case_id), Ok)?;
        let on_agenda = self.agenda(meeting_id)?.iter().any(|i| i.case_id == case_id);
        let mut out = None;
        self.triage_each(std::slice::from_ref(&case), &facts, |case, f| out = Some(explanation(case, &frame, f, cfg)))?;
        let mut e = out.ok_or(StoreError::NotFound { entity: "ケース", id: case_id })?;
        e.on_agenda = on_agenda;
        Ok(e)
    }

    /// Proposes a track with reasons for every due case, plans blocks and sessions, and writes
    /// the agenda in one audited transaction. Locked items, hand-set tracks, edited drafts,
    /// questions, states and timers of an earlier build are kept. Only a planned meeting's
    /// agenda is built: a running one's would turn recorded deep items back into quick ones
    /// (checked again inside the write transaction).
    pub fn build_agenda(&mut self, meeting_id: Id, today: NaiveDate, cfg: &Config) -> Result<AgendaPlan> {
        not_buildable(&self.meeting(meeting_id)?)?;
        let existing_items = self.agenda(meeting_id)?;
        // Items the secretariat placed or asked about, and items already discussed (a decision
        // may point at them), stay on the agenda even if the case is no longer due.
        let decided = self.decided_items(meeting_id)?;
        let kept: BTreeSet<Id> = existing_items
            .iter()
            .filter(|i| {
                i.locked
                    || !i.questions.is_empty()
                    || i.state != ItemState::Pending
                    || i.elapsed_secs > 0
                    || decided.contains(&i.id)
            })
            .map(|i| i.case_id)
            .collect();

        let reading = self.triage_reading(meeting_id, today, &kept)?;
        let frame = reading.frame();
        let (first_day, previous, sessions, actions) =
            (reading.first_day, reading.previous, &reading.sessions, &reading.actions);
        let (facts, pinned_tracks, edited_drafts) = reading.facts();

        let mut due: BTreeMap<Id, &Case> = BTreeMap::new();
        let mut proposals = Vec::new();
        let mut pulled_in = Vec::new();
        self.triage_each(&reading.cases, &facts, |c, f| {
            if let Some((proposal, signals)) = triage::triage_case(c, &frame, f, cfg, kept.contains(&c.id)) {
                if !signals.is_empty() {
                    pulled_in.push((c.id, signals));
                }
                proposals.push(proposal);
                due.insert(c.id, c);
            }
        })?;
        let open_actions: Vec<crate::domain::Action> = actions
            .iter()
            .filter(|a| a.status == ActionStatus::Open && previous.is_some_and(|p| a.meeting_id == Some(p.0)))
            .cloned()
            .collect();
        let existing = Existing {
            items: &existing_items,
            pinned_tracks,
            edited_drafts,
            open_actions: open_actions.iter().map(|a| a.case_id).collect(),
        };
        let planned = agenda::plan(meeting_id, first_day, &due, proposals, sessions, &existing, cfg);

        let before: BTreeMap<Id, &AgendaItem> = existing_items.iter().map(|i| (i.id, i)).collect();
        let planned = self.write(|t| {
            t.ensure_agenda_buildable(meeting_id)?;
            let mut out = Vec::with_capacity(planned.len());
            let mut still = BTreeSet::new();
            for mut it in planned {
                if it.id == 0 || before.get(&it.id).is_none_or(|b| **b != it) {
                    it.id = t.save_agenda_item(&it)?;
                }
                still.insert(it.id);
                out.push(it);
            }
            for old in existing_items.iter().filter(|i| !still.contains(&i.id)) {
                t.tx.exec_cached("DELETE FROM agenda_items WHERE id = ?1", [old.id])?;
                t.audit("agenda_item", Some(old.id), "deleted", Some(&old.case_id.to_string()), None)?;
            }
            t.audit("meeting", Some(meeting_id), "agenda_built", None, Some(&out.len().to_string()))?;
            Ok(out)
        })?;
        let open_actions = self.place_reviews(open_actions, sessions, first_day, cfg)?;
        let mut plan = agenda::summarise(meeting_id, sessions, planned, open_actions, &cfg.budget);
        plan.pulled_in = pulled_in;
        Ok(plan)
    }

    /// The stored agenda as a plan (sessions, counts, expected end times), without re-planning.
    pub fn agenda_plan(&self, meeting_id: Id, cfg: &Config) -> Result<AgendaPlan> {
        let sessions = self.sessions(meeting_id)?;
        let items = self.agenda(meeting_id)?;
        let first_day = sessions.iter().map(|s| s.date).min();
        let previous = match first_day {
            Some(d) => self.neighbour_meeting(meeting_id, d, true)?,
            None => None,
        };
        let open = match previous {
            Some((p, _)) => {
                self.actions_of_meeting(p)?.into_iter().filter(|a| a.status == ActionStatus::Open).collect()
            }
            None => Vec::new(),
        };
        let open = self.place_reviews(open, &sessions, first_day.unwrap_or_default(), cfg)?;
        Ok(agenda::summarise(meeting_id, &sessions, items, open, &cfg.budget))
    }

    /// Each open action with the session its review belongs in if its case is not on the
    /// agenda ([`agenda::review_session`]: where its agency attends).
    fn place_reviews(
        &self,
        actions: Vec<crate::domain::Action>,
        sessions: &[crate::domain::Session],
        day: NaiveDate,
        cfg: &Config,
    ) -> Result<Vec<(crate::domain::Action, Option<Id>)>> {
        let kinds: BTreeMap<Id, crate::domain::AgencyKind> =
            self.agencies()?.into_iter().map(|a| (a.id, a.kind)).collect();
        let cases = self.cases_by_id(&actions.iter().map(|a| a.case_id).collect::<Vec<_>>())?;
        actions
            .into_iter()
            .map(|a| {
                let case = cases.get(&a.case_id).ok_or(StoreError::NotFound { entity: "ケース", id: a.case_id })?;
                let kind = a.agency_id.and_then(|id| kinds.get(&id).copied());
                let at = agenda::review_session(Some(case), kind, day, sessions, cfg);
                Ok((a, at))
            })
            .collect()
    }

    /// Marks a case as added by the secretariat and re-plans (a planned meeting only).
    pub fn add_to_agenda(&mut self, meeting_id: Id, case_id: Id, today: NaiveDate, cfg: &Config) -> Result<AgendaPlan> {
        self.write(|t| {
            t.ensure_agenda_buildable(meeting_id)?;
            t.add_case_to_agenda(meeting_id, case_id)
        })?;
        self.build_agenda(meeting_id, today, cfg)
    }

    /// The closest meeting before (`before` = true) or after `day`, as (id, first day).
    pub(super) fn neighbour_meeting(
        &self,
        meeting_id: Id,
        day: NaiveDate,
        before: bool,
    ) -> Result<Option<(Id, NaiveDate)>> {
        let sql = if before {
            "SELECT meeting_id, min(date) d FROM sessions WHERE meeting_id != ?1 GROUP BY meeting_id HAVING d < ?2 ORDER BY d DESC LIMIT 1"
        } else {
            "SELECT meeting_id, min(date) d FROM sessions WHERE meeting_id != ?1 GROUP BY meeting_id HAVING d > ?2 ORDER BY d LIMIT 1"
        };
        let row: Option<(Id, String)> =
            self.conn.row_cached(sql, params![meeting_id, day], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
        Ok(match row {
            Some((id, d)) => date_col(Some(d))?.map(|d| (id, d)),
            None => None,
        })
    }

    fn decided_items(&self, meeting_id: Id) -> Result<BTreeSet<Id>> {
        let mut st = self.conn.prepare_cached(
            "SELECT agenda_item_id FROM decisions WHERE meeting_id = ?1 AND agenda_item_id IS NOT NULL",
        )?;
        let rows = st.query_map([meeting_id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<BTreeSet<Id>>>()?)
    }

    /// Rank agreed per case at a meeting.
    fn ranks_at(&self, meeting_id: Option<Id>) -> Result<Vec<(Id, String)>> {
        let Some(m) = meeting_id else { return Ok(Vec::new()) };
        let mut st = self.conn.prepare_cached("SELECT case_id, rank_after FROM decisions WHERE meeting_id = ?1")?;
        let rows = st.query_map([m], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Each case's value of a ledger field before its first change after `since`, from the
    /// audit log (cases whose field did not change are absent).
    fn before_changes(&self, field: &str, since: NaiveDate) -> Result<BTreeMap<Id, String>> {
        let from = (since + Duration::days(1)).to_string();
        let mut st = self.conn.prepare_cached(
            "SELECT entity_id, before FROM audit_log WHERE entity = 'case' AND field = ?1 AND at >= ?2 ORDER BY seq",
        )?;
        let rows = st.query_map(params![field, from], |r| Ok((r.get::<_, Id>(0)?, r.get::<_, Option<String>>(1)?)))?;
        let mut out = BTreeMap::new();
        for row in rows {
            let (id, before) = row?;
            out.entry(id).or_insert(before.unwrap_or_default());
        }
        Ok(out)
    }

    /// Every recorded change of 児相 involvement, per case, oldest first: (date, from, to).
    fn cgc_history(&self) -> Result<BTreeMap<Id, Vec<triage::CgcChange>>> {
        let mut st = self.conn.prepare_cached(
            "SELECT entity_id, substr(at, 1, 10), before, after FROM audit_log
             WHERE entity = 'case' AND field = 'cgc' AND before IS NOT NULL ORDER BY seq",
        )?;
        let rows = st.query_map([], |r| {
            Ok((r.get::<_, Id>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, Option<String>>(3)?))
        })?;
        let mut out: BTreeMap<Id, Vec<_>> = BTreeMap::new();
        for row in rows {
            let (id, at, before, after) = row?;
            let (Ok(on), Some(from), Some(to)) = (
                NaiveDate::parse_from_str(&at, "%Y-%m-%d"),
                CgcInvolvement::from_code(&before),
                CgcInvolvement::from_code(after.as_deref().unwrap_or_default()),
            ) else {
                continue;
            };
            out.entry(id).or_default().push((on, from, to));
        }
        Ok(out)
    }

    /// Institutions' requests to discuss a case (all cases with None), oldest first.
    pub fn discussion_requests(&self, case_id: Option<Id>) -> Result<Vec<DiscussionRequest>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {REQUEST_COLS} FROM discussion_requests WHERE (?1 IS NULL OR case_id = ?1) ORDER BY requested_on, id"
        ))?;
        let rows = st.query_map([case_id], request_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Planned moves by case: (day, note).
    pub fn planned_moves(&self) -> Result<BTreeMap<Id, (NaiveDate, String)>> {
        let mut st = self.conn.prepare_cached("SELECT case_id, move_on, note FROM planned_moves")?;
        let rows = st.query_map([], |r| {
            Ok((r.get::<_, Id>(0)?, date_col(r.get(1)?)?.unwrap_or_default(), r.get::<_, String>(2)?))
        })?;
        let mut out = BTreeMap::new();
        for row in rows {
            let (id, on, note) = row?;
            out.insert(id, (on, note));
        }
        Ok(out)
    }

    fn agenda_marks(&self, meeting_id: Id) -> Result<Vec<(Id, String)>> {
        let mut st = self.conn.prepare_cached("SELECT case_id, mark FROM agenda_marks WHERE meeting_id = ?1")?;
        let rows = st.query_map([meeting_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

/// Refuses to (re)build the agenda of a meeting that is running or over.
fn not_buildable(m: &crate::domain::Meeting) -> Result<()> {
    let message = match m.status {
        MeetingStatus::Planned => return Ok(()),
        MeetingStatus::Closed => format!("会議 {} は終了しているため議事次第を作り直せません", m.id),
        MeetingStatus::InProgress => format!(
            "会議 {} は進行中のため議事次第を作り直せません（作り直すと記録済みの重点協議が一括確認に戻ります）。議題の移動は会議画面で行ってください",
            m.id
        ),
    };
    Err(StoreError::invalid("会議", message))
}

impl Tx<'_> {
    /// The agenda of `meeting_id` may be built: the meeting is planned, read in this transaction.
    fn ensure_agenda_buildable(&self, meeting_id: Id) -> Result<()> {
        not_buildable(&self.meeting(meeting_id)?)?;
        self.ensure_meeting_writable(meeting_id)
    }

    /// An item to edit by hand: not of a meeting another live shinko runs.
    fn editable_item(&self, id: Id) -> Result<AgendaItem> {
        let it = self.item(id)?;
        self.ensure_meeting_writable(it.meeting_id)?;
        Ok(it)
    }

    fn mark(&mut self, meeting_id: Id, case_id: Id, mark: &str) -> Result<()> {
        let n = self.tx.exec_cached(
            "INSERT OR IGNORE INTO agenda_marks(meeting_id, case_id, mark) VALUES (?1, ?2, ?3)",
            params![meeting_id, case_id, mark],
        )?;
        if n > 0 {
            self.audit("agenda_mark", Some(meeting_id), mark, None, Some(&case_id.to_string()))?;
        }
        Ok(())
    }

    /// Puts a case on a meeting's agenda whether due or not; the next build includes it.
    pub fn add_case_to_agenda(&mut self, meeting_id: Id, case_id: Id) -> Result<()> {
        self.meeting(meeting_id)?;
        self.ensure_meeting_writable(meeting_id)?;
        self.case(case_id)?;
        self.mark(meeting_id, case_id, MARK_ADDED)
    }

    fn item(&self, id: Id) -> Result<AgendaItem> {
        let meeting: Option<Id> =
            self.tx.row_cached("SELECT meeting_id FROM agenda_items WHERE id = ?1", [id], |r| r.get(0)).optional()?;
        let m = meeting.ok_or(StoreError::NotFound { entity: "議題", id })?;
        self.items_of(m)?.into_iter().find(|i| i.id == id).ok_or(StoreError::NotFound { entity: "議題", id })
    }

    /// A meeting's items in (session, position) order, read inside the transaction.
    pub(super) fn items_of(&self, meeting_id: Id) -> Result<Vec<AgendaItem>> {
        let cols = ITEM_COLS.split(", ").map(|c| format!("a.{c}")).collect::<Vec<_>>().join(", ");
        let mut st = self.tx.prepare_cached(&format!(
            "SELECT {cols} FROM agenda_items a LEFT JOIN sessions s ON s.id = a.session_id
             WHERE a.meeting_id = ?1 ORDER BY s.position, a.position, a.id"
        ))?;
        let rows = st.query_map([meeting_id], row_item)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Records an institution's request to discuss a case.
    pub fn add_discussion_request(&mut self, r: &DiscussionRequest) -> Result<Id> {
        if r.reason.trim().is_empty() {
            return Err(StoreError::invalid("理由", "協議依頼の理由が空です"));
        }
        self.tx.exec_cached(
            &format!("INSERT INTO discussion_requests({}) VALUES (NULL, ?1, ?2, ?3, ?4, ?5)", REQUEST_COLS),
            params![r.case_id, r.agency_id, r.meeting_id, r.reason, r.requested_on],
        )?;
        let id = self.tx.last_insert_rowid();
        let summary = format!("case={} agency={}", r.case_id, r.agency_id.map(|a| a.to_string()).unwrap_or_default());
        self.audit("discussion_request", Some(id), "created", None, Some(&summary))?;
        Ok(id)
    }

    /// Sets (Some) or clears (None) a case's planned move.
    pub fn set_planned_move(&mut self, case_id: Id, on: Option<NaiveDate>, note: &str) -> Result<()> {
        let before: Option<String> = self
            .tx
            .row_cached("SELECT move_on FROM planned_moves WHERE case_id = ?1", [case_id], |r| r.get(0))
            .optional()?;
        match on {
            Some(d) => self.tx.exec_cached(
                "INSERT INTO planned_moves(case_id, move_on, note) VALUES (?1, ?2, ?3)
                 ON CONFLICT(case_id) DO UPDATE SET move_on = excluded.move_on, note = excluded.note",
                params![case_id, d, note],
            )?,
            None => self.tx.exec_cached("DELETE FROM planned_moves WHERE case_id = ?1", [case_id])?,
        };
        let after = on.map(|d| d.to_string());
        self.audit("planned_move", Some(case_id), "move_on", before.as_deref(), after.as_deref())?;
        Ok(())
    }

    /// Moves an item (and its block) to the other track; re-planning keeps the choice.
    pub fn set_item_track(&mut self, item_id: Id, track: Track) -> Result<()> {
        let it = self.editable_item(item_id)?;
        let block: Vec<AgendaItem> =
            self.items_of(it.meeting_id)?.into_iter().filter(|i| i.block == it.block).collect();
        for mut b in block {
            if b.track != track {
                b.track = track;
                self.save_agenda_item(&b)?;
            }
            self.mark(b.meeting_id, b.case_id, MARK_TRACK)?;
        }
        Ok(())
    }

    /// Moves an item's block to another session (at its end) and locks it there.
    pub fn set_item_session(&mut self, item_id: Id, session_id: Id) -> Result<()> {
        let it = self.editable_item(item_id)?;
        let ok: bool = self.tx.row_cached(
            "SELECT count(*) FROM sessions WHERE id = ?1 AND meeting_id = ?2",
            [session_id, it.meeting_id],
            |r| r.get::<_, i64>(0).map(|n| n > 0),
        )?;
        if !ok {
            return Err(StoreError::invalid("日程", format!("日程 {session_id} はこの会議のものではありません")));
        }
        self.place_block(&it, Some(session_id), i64::MAX)
    }

    /// Puts an item's block at `position` (0 = first) in its session and locks it there.
    pub fn reorder_item(&mut self, item_id: Id, position: i64) -> Result<()> {
        let it = self.editable_item(item_id)?;
        self.place_block(&it, it.session_id, position.max(0))
    }

    /// Takes the block of `it` out, inserts it into `session` at `position`, renumbers the
    /// session and locks the block (placed by hand).
    fn place_block(&mut self, it: &AgendaItem, session: Option<Id>, position: i64) -> Result<()> {
        let all = self.items_of(it.meeting_id)?;
        let (block, rest): (Vec<AgendaItem>, Vec<AgendaItem>) = all.into_iter().partition(|i| i.block == it.block);
        let mut target: Vec<AgendaItem> = rest.into_iter().filter(|i| i.session_id == session).collect();
        let at = (position as usize).min(target.len());
        target.splice(
            at..at,
            block.into_iter().map(|mut b| {
                b.session_id = session;
                b.locked = true;
                b
            }),
        );
        for (pos, mut i) in target.into_iter().enumerate() {
            let before = i.clone();
            i.position = pos as i64;
            if i != before || before.block == it.block {
                self.save_agenda_item(&i)?;
            }
        }
        Ok(())
    }

    /// Locks or unlocks an item's block (locked blocks keep their place when re-planning).
    pub fn set_item_locked(&mut self, item_id: Id, locked: bool) -> Result<()> {
        let it = self.editable_item(item_id)?;
        for mut b in self.items_of(it.meeting_id)?.into_iter().filter(|i| i.block == it.block) {
            if b.locked != locked {
                b.locked = locked;
                self.save_agenda_item(&b)?;
            }
        }
        Ok(())
    }

    /// Replaces the 事務局案 of an item; re-planning keeps it. `based_on`: the 事務局案 the
    /// edit started from; if the stored one is no longer it (another window or command saved
    /// one in between), nothing is saved and the differing fields are named (never values).
    pub fn set_item_draft(
        &mut self,
        item_id: Id,
        draft: &SecretariatDraft,
        based_on: Option<&SecretariatDraft>,
    ) -> Result<()> {
        let mut it = self.editable_item(item_id)?;
        if let Some(b) = based_on.filter(|b| **b != it.draft) {
            let s = &it.draft;
            let fields = [
                ("状況", s.summary != b.summary),
                ("援助方針", s.policy != b.policy),
                ("ランク", s.rank != b.rank),
                ("次回確認日", s.next_review != b.next_review),
                ("終結の提案", s.close_reason != b.close_reason || s.close_category != b.close_category),
            ];
            let number = self.case(it.case_id)?.number;
            return Err(StoreError::Stale {
                entity: "事務局案 ケース",
                number,
                fields: fields.iter().filter(|(_, d)| *d).map(|(f, _)| *f).collect(),
            });
        }
        it.draft = draft.clone();
        self.save_agenda_item(&it)?;
        self.mark(it.meeting_id, it.case_id, MARK_DRAFT)
    }

    /// Adds a question addressed to an institution (「この点についてご説明ください」).
    pub fn add_question(&mut self, item_id: Id, q: &Question) -> Result<()> {
        if q.text.trim().is_empty() {
            return Err(StoreError::invalid("質問", "質問の内容が空です"));
        }
        let mut it = self.editable_item(item_id)?;
        it.questions.push(q.clone());
        self.save_agenda_item(&it)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{self, Scale};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
    }

    fn demo_store() -> (Store, Id) {
        let mut s = Store::open_in_memory().unwrap();
        let sum = demo::generate(&mut s, Scale::Takahama, 7, today()).unwrap();
        (s, sum.next_meeting)
    }

    /// The build triages only the cases that may be due; `agenda explain` reads each case in
    /// full whatever it is. They agree on every open case: none is left out by the first read.
    #[test]
    fn the_cases_read_for_triage_are_every_case_triage_would_put_on_the_agenda() {
        let (mut s, m) = demo_store();
        let cfg = Config::default();
        s.write(|t| t.delete_agenda(m)).unwrap();
        let plan = s.build_agenda(m, today(), &cfg).unwrap();
        let on: BTreeSet<Id> = plan.items().map(|i| i.case_id).collect();
        let mut due = BTreeSet::new();
        for c in s.cases(false).unwrap() {
            if s.explain_case(m, c.id, today(), &cfg).unwrap().due {
                due.insert(c.id);
            }
        }
        assert_eq!(on, due);
        assert!(!plan.pulled_in.is_empty(), "the demo has cases brought in by a signal");
    }

    /// An agenda built from empty appends an audit entry per item in one transaction: the
    /// chain's last entry is read once, not once per entry, and the chain still verifies.
    #[test]
    fn an_agenda_build_reads_the_chains_last_entry_once_and_the_chain_verifies() {
        let (mut s, m) = demo_store();
        let cfg = Config::default();
        s.write(|t| t.delete_agenda(m)).unwrap();
        let entries = s.audit_head().unwrap().count;
        crate::store::trace_statements(s.conn());
        let plan = s.build_agenda(m, today(), &cfg).unwrap();
        let ran = crate::store::traced_statements(s.conn());
        let appended = s.audit_head().unwrap().count - entries;
        assert!(plan.items().count() >= 10 && appended > plan.items().count() as i64, "{appended}");
        let head_reads = ran.iter().filter(|q| q.contains("SELECT seq, hash FROM audit_log")).count();
        assert_eq!(head_reads, 1, "{appended} entries");
        assert_eq!(s.audit_verify().unwrap(), Ok(s.audit_head().unwrap().count as u64));
    }

    #[test]
    fn rebuilding_keeps_locks_tracks_drafts_and_questions() {
        let (mut s, m) = demo_store();
        let cfg = Config::default();
        let plan = s.agenda_plan(m, &cfg).unwrap();
        let first = plan.sessions[1].items.last().unwrap().clone();
        let quick = plan.items().find(|i| i.track == Track::Quick && i.block != first.block).unwrap().clone();
        let target = plan.sessions[2].session.id;
        s.write(|t| {
            t.set_item_session(first.id, target)?;
            t.reorder_item(first.id, 0)?;
            t.set_item_track(quick.id, Track::Deep)?;
            t.set_item_draft(
                quick.id,
                &SecretariatDraft { policy: "手で書いた案".into(), ..Default::default() },
                None,
            )?;
            t.add_question(quick.id, &Question { agency_id: 1, text: "登校状況をご説明ください".into() })
        })
        .unwrap();
        let again = s.build_agenda(m, today(), &cfg).unwrap();
        let by: BTreeMap<Id, &AgendaItem> = again.items().map(|i| (i.id, i)).collect();
        assert_eq!(by[&first.id].session_id, Some(target));
        assert_eq!(by[&first.id].position, 0);
        assert!(by[&first.id].locked);
        let q = by[&quick.id];
        assert_eq!(q.track, Track::Deep);
        assert_eq!(q.draft.policy, "手で書いた案");
        assert_eq!(q.questions.len(), 1);
        assert!(q.reasons.iter().any(|r| r == "事務局の判断で重点協議へ"));
        assert_eq!(again.items().count(), plan.items().count());
        assert_eq!(s.audit_verify().unwrap().map(|n| n > 0), Ok(true));
        s.write(|t| t.set_item_locked(first.id, false)).unwrap();
        assert!(!s.agenda_item(first.id).unwrap().locked);
    }

    #[test]
    fn added_cases_and_requests_land_on_the_agenda() {
        let (mut s, m) = demo_store();
        let cfg = Config::default();
        let plan = s.agenda_plan(m, &cfg).unwrap();
        let on: BTreeSet<Id> = plan.items().map(|i| i.case_id).collect();
        let off: Vec<Id> = s.cases(false).unwrap().into_iter().map(|c| c.id).filter(|c| !on.contains(c)).collect();
        assert!(off.len() >= 2, "some cases are not due");
        let plan = s.add_to_agenda(m, off[0], today(), &cfg).unwrap();
        let item = plan.items().find(|i| i.case_id == off[0]).unwrap();
        assert!(item.reasons.iter().any(|r| r == "事務局が議題に追加"), "{:?}", item.reasons);
        s.write(|t| {
            t.add_discussion_request(&DiscussionRequest {
                id: 0,
                case_id: off[1],
                agency_id: None,
                meeting_id: Some(m),
                reason: "進路について協議したい".into(),
                requested_on: today(),
            })
        })
        .unwrap();
        let plan = s.build_agenda(m, today(), &cfg).unwrap();
        let item = plan.items().find(|i| i.case_id == off[1]).unwrap();
        assert_eq!(item.track, Track::Deep);
        assert!(item.reasons.iter().any(|r| r == "機関から協議の依頼: 進路について協議したい"));
    }

    #[test]
    fn ledger_changes_since_the_last_meeting_are_picked_up() {
        let (mut s, m) = demo_store();
        let cfg = Config::default();
        let plan = s.agenda_plan(m, &cfg).unwrap();
        let quick: Vec<Id> = plan.items().filter(|i| i.track == Track::Quick).map(|i| i.case_id).collect();
        let (a, b) = (quick[0], quick[1]);
        s.set_clock(Some(today().and_hms_opt(10, 0, 0).unwrap()));
        s.write(|t| {
            let mut c = t.case(a)?;
            c.rank = "A".into();
            t.save_case(&c)?;
            let mut c = t.case(b)?;
            c.cgc = CgcInvolvement::ReturnedHome;
            t.save_case(&c)
        })
        .unwrap();
        let plan = s.build_agenda(m, today(), &cfg).unwrap();
        let by: BTreeMap<Id, &AgendaItem> = plan.items().map(|i| (i.case_id, i)).collect();
        assert!(
            by[&a].reasons.iter().any(|r| r.starts_with("ランクが") && r.ends_with("からAに上がった")),
            "{:?}",
            by[&a].reasons
        );
        assert!(by[&b].reasons.iter().any(|r| r.ends_with("に変わった（措置解除・家庭復帰）")), "{:?}", by[&b].reasons);
    }

    #[test]
    fn discussed_items_stay_and_a_closed_meeting_is_not_rebuilt() {
        let (mut s, m) = demo_store();
        let cfg = Config::default();
        let plan = s.agenda_plan(m, &cfg).unwrap();
        let mut it = plan.items().next().unwrap().clone();
        it.state = crate::domain::ItemState::Done;
        s.write(|t| {
            t.save_agenda_item(&it)?;
            let mut c = t.case(it.case_id)?;
            c.next_review = Some(today() + Duration::days(200));
            t.save_case(&c)
        })
        .unwrap();
        let again = s.build_agenda(m, today(), &cfg).unwrap();
        assert!(again.items().any(|i| i.id == it.id && i.state == crate::domain::ItemState::Done));
        let mut meeting = s.meeting(m).unwrap();
        meeting.status = MeetingStatus::Closed;
        s.write(|t| t.save_meeting(&meeting)).unwrap();
        let e = s.build_agenda(m, today(), &cfg).unwrap_err();
        assert!(e.to_string().contains("終了しているため"), "{e}");
    }

    #[test]
    fn a_meeting_without_sessions_is_refused_in_japanese() {
        let (mut s, _) = demo_store();
        let m = s
            .write(|t| {
                t.save_meeting(&crate::domain::Meeting {
                    id: 0,
                    kind: crate::domain::MeetingKind::Progress,
                    title: "臨時".into(),
                    place: String::new(),
                    chair: String::new(),
                    recorder: String::new(),
                    status: Default::default(),
                    current_item: None,
                })
            })
            .unwrap();
        let e = s.build_agenda(m, today(), &Config::default()).unwrap_err();
        assert!(e.to_string().contains("日程"), "{e}");
    }

    #[test]
    fn a_running_meetings_agenda_is_not_rebuilt_even_by_its_holder() {
        let (mut s, m) = demo_store();
        let cfg = Config::default();
        s.start_meeting(m).unwrap();
        s.acquire_lease(m, std::process::id()).unwrap();
        let before = s.agenda(m).unwrap();
        let e = s.build_agenda(m, today(), &cfg).unwrap_err().to_string();
        assert!(e.contains("進行中のため議事次第を作り直せません"), "{e}");
        let off = s.cases(false).unwrap().into_iter().find(|c| before.iter().all(|i| i.case_id != c.id)).unwrap();
        let e = s.add_to_agenda(m, off.id, today(), &cfg).unwrap_err().to_string();
        assert!(e.contains("進行中のため"), "{e}");
        assert_eq!(s.agenda(m).unwrap(), before);
        assert!(s.agenda_marks(m).unwrap().iter().all(|(c, _)| *c != off.id), "no mark was left behind");
    }

    /// The demo in a database file (so two stores can open it), and its next meeting.
    fn demo_file(dir: &std::path::Path) -> (std::path::PathBuf, Id) {
        let db = dir.join("a.db");
        let mut s = Store::open(&db, None).unwrap();
        let m = demo::generate(&mut s, Scale::Takahama, 7, today()).unwrap().next_meeting;
        (db, m)
    }

    /// The preparation screen or `shinko agenda …` in a second window, while the first runs
    /// the meeting: every hand edit of the agenda is refused inside its write transaction.
    #[test]
    fn agenda_edits_of_a_meeting_run_elsewhere_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (db, m) = demo_file(dir.path());
        let mut holder = Store::open(&db, None).unwrap();
        let mut other = Store::open(&db, None).unwrap();
        holder.start_meeting(m).unwrap();
        holder.acquire_lease(m, 4242).unwrap();
        let items = other.agenda(m).unwrap();
        let it = items[0].clone();
        let session = other.sessions(m).unwrap().last().unwrap().id;
        let off = other.cases(false).unwrap().into_iter().find(|c| items.iter().all(|i| i.case_id != c.id)).unwrap();
        let refused = |r: Result<()>| match r {
            Err(StoreError::MeetingLive { pid, host, .. }) => {
                pid == 4242 && host == crate::store::meeting_live::this_host()
            }
            _ => false,
        };
        assert!(refused(other.write(|t| t.set_item_track(it.id, Track::Deep))));
        assert!(refused(other.write(|t| t.set_item_session(it.id, session))));
        assert!(refused(other.write(|t| t.reorder_item(it.id, 3))));
        assert!(refused(other.write(|t| t.set_item_locked(it.id, true))));
        assert!(refused(other.write(|t| t.set_item_draft(it.id, &SecretariatDraft::default(), None))));
        assert!(refused(
            other.write(|t| t.add_question(it.id, &Question { agency_id: 1, text: "ご説明ください".into() }))
        ));
        assert!(refused(other.write(|t| t.add_case_to_agenda(m, off.id))));
        assert_eq!(other.agenda(m).unwrap(), items, "nothing changed");
        // The holder may edit by hand (but not rebuild).
        holder.write(|t| t.set_item_locked(it.id, true)).unwrap();
        assert!(holder.agenda_item(it.id).unwrap().locked);
        // Once the holder is closed, its lock goes with it and the other window may edit.
        drop(holder);
        other.write(|t| t.set_item_locked(it.id, false)).unwrap();
    }

    /// Two windows open the same 事務局案; the second save, based on what it read before the
    /// first was saved, is refused and names the fields that changed.
    #[test]
    fn a_draft_saved_on_a_stale_read_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (db, m) = demo_file(dir.path());
        let mut a = Store::open(&db, None).unwrap();
        let mut b = Store::open(&db, None).unwrap();
        let it = a.agenda(m).unwrap()[0].clone();
        let mine = SecretariatDraft { policy: "Aの案".into(), ..it.draft.clone() };
        let theirs = SecretariatDraft { summary: "Bの状況".into(), ..it.draft.clone() };
        b.write(|t| t.set_item_draft(it.id, &theirs, Some(&it.draft))).unwrap();
        match a.write(|t| t.set_item_draft(it.id, &mine, Some(&it.draft))) {
            Err(StoreError::Stale { fields, .. }) => assert_eq!(fields, vec!["状況"]),
            other => panic!("{other:?}"),
        }
        assert_eq!(a.agenda_item(it.id).unwrap().draft, theirs, "B's save is kept");
        // Based on what is stored now, it goes through.
        a.write(|t| t.set_item_draft(it.id, &mine, Some(&theirs))).unwrap();
    }
}
