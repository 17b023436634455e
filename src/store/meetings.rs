//! Meetings with their sessions, expected institutions, agenda, decisions and attendance.

use chrono::NaiveTime;
use rusqlite::{OptionalExtension, Row, params};

use super::{Cached, Reader, Result, Store, StoreError, Tx, date_col, json_col, to_json};
use crate::domain::meeting::live::DecidedFields;
use crate::domain::meeting::{Question, SecretariatDraft};
use crate::domain::{
    AgendaItem, Attendance, AttendanceStatus, Decision, DecisionKind, Id, ItemState, Meeting, MeetingKind,
    MeetingStatus, Session, Track,
};

fn bad(col: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(col, rusqlite::types::Type::Text, what.to_string().into())
}

fn time_col(col: usize, s: String) -> rusqlite::Result<NaiveTime> {
    NaiveTime::parse_from_str(&s, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(&s, "%H:%M:%S"))
        .map_err(|_| bad(col, "time"))
}

pub(crate) const MEETING_COLS: &str = "id, kind, title, place, chair, recorder, status, current_item";

pub(crate) fn row_meeting(r: &Row<'_>) -> rusqlite::Result<Meeting> {
    Ok(Meeting {
        id: r.get(0)?,
        kind: MeetingKind::from_code(&r.get::<_, String>(1)?).ok_or_else(|| bad(1, "kind"))?,
        title: r.get(2)?,
        place: r.get(3)?,
        chair: r.get(4)?,
        recorder: r.get(5)?,
        status: MeetingStatus::from_code(&r.get::<_, String>(6)?).ok_or_else(|| bad(6, "status"))?,
        current_item: r.get(7)?,
    })
}

pub(crate) fn meeting_fields(m: &Meeting) -> Vec<(&'static str, String)> {
    vec![
        ("kind", m.kind.code().into()),
        ("title", m.title.clone()),
        ("place", m.place.clone()),
        ("chair", m.chair.clone()),
        ("recorder", m.recorder.clone()),
        ("status", m.status.code().into()),
    ]
}

const SESSION_COLS: &str = "id, meeting_id, label, date, start, end, section, position";

fn row_session(r: &Row<'_>) -> rusqlite::Result<Session> {
    Ok(Session {
        id: r.get(0)?,
        meeting_id: r.get(1)?,
        label: r.get(2)?,
        date: date_col(r.get(3)?)?.ok_or_else(|| bad(3, "date"))?,
        start: time_col(4, r.get(4)?)?,
        end: time_col(5, r.get(5)?)?,
        section: r.get(6)?,
        position: r.get(7)?,
    })
}

pub(super) const ITEM_COLS: &str = "id, meeting_id, session_id, case_id, block, position, track, reasons, draft, questions, locked, state, elapsed_secs";

pub(super) fn row_item(r: &Row<'_>) -> rusqlite::Result<AgendaItem> {
    Ok(AgendaItem {
        id: r.get(0)?,
        meeting_id: r.get(1)?,
        session_id: r.get(2)?,
        case_id: r.get(3)?,
        block: r.get(4)?,
        position: r.get(5)?,
        track: Track::from_code(&r.get::<_, String>(6)?).ok_or_else(|| bad(6, "track"))?,
        reasons: json_col(r.get(7)?)?,
        draft: json_col::<SecretariatDraft>(r.get(8)?)?,
        questions: json_col::<Vec<Question>>(r.get(9)?)?,
        locked: r.get(10)?,
        state: ItemState::from_code(&r.get::<_, String>(11)?).ok_or_else(|| bad(11, "state"))?,
        elapsed_secs: r.get(12)?,
    })
}

pub(crate) fn item_fields(i: &AgendaItem) -> Vec<(&'static str, String)> {
    vec![
        ("session_id", i.session_id.map(|x| x.to_string()).unwrap_or_default()),
        ("case_id", i.case_id.to_string()),
        ("block", i.block.to_string()),
        ("position", i.position.to_string()),
        ("track", i.track.code().into()),
        ("reasons", to_json(&i.reasons)),
        ("draft", to_json(&i.draft)),
        ("questions", to_json(&i.questions)),
        ("locked", i.locked.to_string()),
        ("state", i.state.code().into()),
    ]
}

pub(crate) const DECISION_COLS: &str =
    "id, meeting_id, case_id, agenda_item_id, as_proposed, status_summary, rank_before, rank_after,
    kind, reason, support_policy, next_review, new_lead_agency, notes, close_category";

pub(crate) fn row_decision(r: &Row<'_>) -> rusqlite::Result<Decision> {
    Ok(Decision {
        id: r.get(0)?,
        meeting_id: r.get(1)?,
        case_id: r.get(2)?,
        agenda_item_id: r.get(3)?,
        as_proposed: r.get(4)?,
        status_summary: r.get(5)?,
        rank_before: r.get(6)?,
        rank_after: r.get(7)?,
        kind: DecisionKind::from_code(&r.get::<_, String>(8)?).ok_or_else(|| bad(8, "kind"))?,
        reason: r.get(9)?,
        support_policy: r.get(10)?,
        next_review: date_col(r.get(11)?)?,
        new_lead_agency: r.get(12)?,
        notes: r.get(13)?,
        category: r.get(14)?,
    })
}

pub(crate) fn decision_fields(d: &Decision) -> Vec<(&'static str, String)> {
    vec![
        ("case_id", d.case_id.to_string()),
        ("as_proposed", d.as_proposed.to_string()),
        ("status_summary", d.status_summary.clone()),
        ("rank_before", d.rank_before.clone()),
        ("rank_after", d.rank_after.clone()),
        ("kind", d.kind.code().into()),
        ("reason", d.reason.clone()),
        ("support_policy", d.support_policy.clone()),
        ("next_review", d.next_review.map(|x| x.to_string()).unwrap_or_default()),
        ("new_lead_agency", d.new_lead_agency.map(|x| x.to_string()).unwrap_or_default()),
        ("notes", d.notes.clone()),
        ("close_category", d.category.clone()),
    ]
}

impl Tx<'_> {
    pub fn save_meeting(&mut self, m: &Meeting) -> Result<Id> {
        if m.title.trim().is_empty() {
            return Err(StoreError::invalid("会議名", "会議名が空です"));
        }
        let before = if m.id == 0 { None } else { Some(self.meeting(m.id)?) };
        let id = if m.id == 0 {
            let at = self.at().to_string();
            self.tx.exec_cached(
                "INSERT INTO meetings(kind, title, place, chair, recorder, status, current_item, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![m.kind.code(), m.title, m.place, m.chair, m.recorder, m.status.code(), m.current_item, at],
            )?;
            self.tx.last_insert_rowid()
        } else {
            self.tx.exec_cached(
                "UPDATE meetings SET kind=?1, title=?2, place=?3, chair=?4, recorder=?5, status=?6, current_item=?7 WHERE id=?8",
                params![m.kind.code(), m.title, m.place, m.chair, m.recorder, m.status.code(), m.current_item, m.id],
            )?;
            m.id
        };
        let old = before.as_ref().map(meeting_fields).unwrap_or_default();
        self.audit_diff("meeting", id, &old, &meeting_fields(m))?;
        Ok(id)
    }

    /// Moves the meeting screen's cursor; not audited (navigation, not a change of record).
    pub fn set_current_item(&mut self, meeting_id: Id, item: Option<Id>) -> Result<()> {
        self.tx.exec_cached("UPDATE meetings SET current_item = ?1 WHERE id = ?2", params![item, meeting_id])?;
        Ok(())
    }

    pub fn meeting(&self, id: Id) -> Result<Meeting> {
        self.tx
            .row_cached(&format!("SELECT {MEETING_COLS} FROM meetings WHERE id = ?1"), [id], row_meeting)
            .optional()?
            .ok_or(StoreError::NotFound { entity: "会議", id })
    }

    pub fn save_session(&mut self, s: &Session) -> Result<Id> {
        if s.end <= s.start {
            return Err(StoreError::invalid("時間", format!("{}: 終了時刻は開始時刻より後にしてください", s.label)));
        }
        let (start, end) = (s.start.format("%H:%M").to_string(), s.end.format("%H:%M").to_string());
        let id = if s.id == 0 {
            self.tx.exec_cached(
                "INSERT INTO sessions(meeting_id, label, date, start, end, section, position) VALUES (?1,?2,?3,?4,?5,?6,?7)",
                params![s.meeting_id, s.label, s.date, start, end, s.section, s.position],
            )?;
            self.tx.last_insert_rowid()
        } else {
            self.tx.exec_cached(
                "UPDATE sessions SET label=?1, date=?2, start=?3, end=?4, section=?5, position=?6 WHERE id=?7",
                params![s.label, s.date, start, end, s.section, s.position, s.id],
            )?;
            s.id
        };
        let summary = format!("{} {} {}-{}", s.label, s.date, start, end);
        self.audit("session", Some(id), "saved", None, Some(&summary))?;
        Ok(id)
    }

    pub fn set_meeting_agencies(&mut self, meeting_id: Id, agencies: &[Id]) -> Result<()> {
        self.tx.exec_cached("DELETE FROM meeting_agencies WHERE meeting_id = ?1", [meeting_id])?;
        for a in agencies {
            self.tx.exec_cached(
                "INSERT OR IGNORE INTO meeting_agencies(meeting_id, agency_id) VALUES (?1, ?2)",
                [meeting_id, *a],
            )?;
        }
        let list = agencies.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(",");
        self.audit("meeting", Some(meeting_id), "expected_agencies", None, Some(&list))?;
        Ok(())
    }

    /// Creates or updates an agenda item (unique per meeting and case).
    pub fn save_agenda_item(&mut self, i: &AgendaItem) -> Result<Id> {
        let before: Option<AgendaItem> = if i.id == 0 {
            None
        } else {
            self.tx
                .row_cached(&format!("SELECT {ITEM_COLS} FROM agenda_items WHERE id = ?1"), [i.id], row_item)
                .optional()?
        };
        let p = params![
            i.meeting_id,
            i.session_id,
            i.case_id,
            i.block,
            i.position,
            i.track.code(),
            to_json(&i.reasons),
            to_json(&i.draft),
            to_json(&i.questions),
            i.locked,
            i.state.code(),
            i.elapsed_secs
        ];
        let id = if i.id == 0 {
            self.tx.exec_cached(
                "INSERT INTO agenda_items(meeting_id, session_id, case_id, block, position, track, reasons, draft, questions,
                 locked, state, elapsed_secs) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)",
                p,
            )?;
            self.tx.last_insert_rowid()
        } else {
            let mut v: Vec<&dyn rusqlite::ToSql> = p.to_vec();
            v.push(&i.id);
            self.tx.exec_cached(
                "UPDATE agenda_items SET meeting_id=?1, session_id=?2, case_id=?3, block=?4, position=?5, track=?6, reasons=?7,
                 draft=?8, questions=?9, locked=?10, state=?11, elapsed_secs=?12 WHERE id=?13",
                v.as_slice(),
            )?;
            i.id
        };
        let old = before.as_ref().map(item_fields).unwrap_or_default();
        self.audit_diff("agenda_item", id, &old, &item_fields(i))?;
        if i.state == ItemState::Deferred {
            self.drop_item_outcome(i.meeting_id, i.case_id)?;
        }
        Ok(id)
    }

    /// 延期: the case was not reviewed in this meeting after all, so the decision and the
    /// 役割分担 recorded for it there go (audited), in the transaction that defers it.
    fn drop_item_outcome(&mut self, meeting_id: Id, case_id: Id) -> Result<()> {
        let decisions: Vec<Id> = {
            let mut st = self.tx.prepare_cached("SELECT id FROM decisions WHERE meeting_id = ?1 AND case_id = ?2")?;
            st.query_map([meeting_id, case_id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
        };
        for id in decisions {
            self.tx.exec_cached("DELETE FROM decisions WHERE id = ?1", [id])?;
            self.audit("decision", Some(id), "deleted", Some(&id.to_string()), None)?;
        }
        let actions: Vec<Id> = {
            let mut st = self.tx.prepare_cached("SELECT id FROM actions WHERE meeting_id = ?1 AND case_id = ?2")?;
            st.query_map([meeting_id, case_id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
        };
        for id in actions {
            self.delete_action(id)?;
        }
        Ok(())
    }

    /// Timers tick every few seconds: stored without an audit entry each time.
    pub fn set_item_elapsed(&mut self, item_id: Id, secs: i64) -> Result<()> {
        self.tx.exec_cached("UPDATE agenda_items SET elapsed_secs = ?1 WHERE id = ?2", params![secs, item_id])?;
        Ok(())
    }

    pub fn delete_agenda(&mut self, meeting_id: Id) -> Result<usize> {
        let n = self.tx.exec_cached("DELETE FROM agenda_items WHERE meeting_id = ?1 AND locked = 0", [meeting_id])?;
        self.audit("meeting", Some(meeting_id), "agenda_cleared", None, Some(&n.to_string()))?;
        Ok(n)
    }

    /// Records (or replaces) the decision for one case in one meeting.
    pub fn save_decision(&mut self, d: &Decision) -> Result<Id> {
        let before: Option<Decision> = self
            .tx
            .row_cached(
                &format!("SELECT {DECISION_COLS} FROM decisions WHERE meeting_id = ?1 AND case_id = ?2"),
                [d.meeting_id, d.case_id],
                row_decision,
            )
            .optional()?;
        let at = self.at().to_string();
        let p = params![
            d.meeting_id,
            d.case_id,
            d.agenda_item_id,
            d.as_proposed,
            d.status_summary,
            d.rank_before,
            d.rank_after,
            d.kind.code(),
            d.reason,
            d.support_policy,
            d.next_review,
            d.new_lead_agency,
            d.notes,
            at,
            d.category
        ];
        // What the decision saw of its case, read in this transaction: closing the meeting
        // applies only what the meeting changed relative to it.
        let seen = to_json(&DecidedFields::of(&self.case(d.case_id)?));
        let id = match &before {
            None => {
                self.tx.exec_cached(
                    "INSERT INTO decisions(meeting_id, case_id, agenda_item_id, as_proposed, status_summary, rank_before,
                     rank_after, kind, reason, support_policy, next_review, new_lead_agency, notes, decided_at, close_category)
                     VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)",
                    p,
                )?;
                let id = self.tx.last_insert_rowid();
                self.tx.exec_cached("UPDATE decisions SET case_seen = ?1 WHERE id = ?2", params![seen, id])?;
                id
            }
            Some(b) => {
                let mut v: Vec<&dyn rusqlite::ToSql> = p.to_vec();
                v.push(&b.id);
                self.tx.exec_cached("UPDATE decisions SET case_seen = ?1 WHERE id = ?2", params![seen, b.id])?;
                self.tx.exec_cached(
                    "UPDATE decisions SET meeting_id=?1, case_id=?2, agenda_item_id=?3, as_proposed=?4, status_summary=?5,
                     rank_before=?6, rank_after=?7, kind=?8, reason=?9, support_policy=?10, next_review=?11,
                     new_lead_agency=?12, notes=?13, decided_at=?14, close_category=?15 WHERE id=?16",
                    v.as_slice(),
                )?;
                b.id
            }
        };
        let old = before.as_ref().map(decision_fields).unwrap_or_default();
        self.audit_diff("decision", id, &old, &decision_fields(d))?;
        Ok(id)
    }

    /// What each decision of a meeting saw of its case (decisions recorded before shinko kept
    /// it are absent), by case.
    pub(crate) fn decisions_seen(&self, meeting_id: Id) -> Result<std::collections::HashMap<Id, DecidedFields>> {
        let mut st = self.tx.prepare_cached(
            "SELECT case_id, case_seen FROM decisions WHERE meeting_id = ?1 AND case_seen IS NOT NULL",
        )?;
        let rows = st.query_map([meeting_id], |r| Ok((r.get::<_, Id>(0)?, json_col(r.get(1)?)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn save_attendance(&mut self, a: &Attendance) -> Result<()> {
        self.tx.exec_cached(
            "INSERT INTO attendance(meeting_id, agency_id, status, person, info_received_on) VALUES (?1,?2,?3,?4,?5)
             ON CONFLICT(meeting_id, agency_id) DO UPDATE SET status=excluded.status, person=excluded.person,
             info_received_on=excluded.info_received_on",
            params![a.meeting_id, a.agency_id, a.status.code(), a.person, a.info_received_on],
        )?;
        let summary = format!("agency={} status={}", a.agency_id, a.status.code());
        self.audit("attendance", Some(a.meeting_id), "status", None, Some(&summary))?;
        Ok(())
    }
}

/// Reads of a meeting that a [`Store`] and an open write transaction both make, so a write
/// can decide on what it reads inside its own transaction.
impl Reader<'_> {
    pub fn sessions(&self, meeting_id: Id) -> Result<Vec<Session>> {
        let mut st = self.0.prepare_cached(&format!(
            "SELECT {SESSION_COLS} FROM sessions WHERE meeting_id = ?1 ORDER BY date, start, position"
        ))?;
        let rows = st.query_map([meeting_id], row_session)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The agenda in order (session, position).
    pub fn agenda(&self, meeting_id: Id) -> Result<Vec<AgendaItem>> {
        let mut st = self.0.prepare_cached(&format!(
            "SELECT {ITEM_COLS} FROM agenda_items a WHERE meeting_id = ?1
             ORDER BY (SELECT position FROM sessions s WHERE s.id = a.session_id), position, id"
        ))?;
        let rows = st.query_map([meeting_id], row_item)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn agenda_item(&self, id: Id) -> Result<AgendaItem> {
        self.0
            .query_row(&format!("SELECT {ITEM_COLS} FROM agenda_items WHERE id = ?1"), [id], row_item)
            .optional()?
            .ok_or(StoreError::NotFound { entity: "議題", id })
    }

    pub fn decisions(&self, meeting_id: Id) -> Result<Vec<Decision>> {
        let mut st = self
            .0
            .prepare_cached(&format!("SELECT {DECISION_COLS} FROM decisions WHERE meeting_id = ?1 ORDER BY id"))?;
        let rows = st.query_map([meeting_id], row_decision)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

impl Store {
    pub fn meeting(&self, id: Id) -> Result<Meeting> {
        self.conn
            .row_cached(&format!("SELECT {MEETING_COLS} FROM meetings WHERE id = ?1"), [id], row_meeting)
            .optional()?
            .ok_or(StoreError::NotFound { entity: "会議", id })
    }

    /// Meetings, newest first.
    pub fn meetings(&self) -> Result<Vec<Meeting>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {MEETING_COLS} FROM meetings m ORDER BY (SELECT min(date) FROM sessions s WHERE s.meeting_id = m.id) DESC, id DESC"
        ))?;
        let rows = st.query_map([], row_meeting)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn sessions(&self, meeting_id: Id) -> Result<Vec<Session>> {
        Reader(&self.conn).sessions(meeting_id)
    }

    /// The agenda in order (session, position).
    pub fn agenda(&self, meeting_id: Id) -> Result<Vec<AgendaItem>> {
        Reader(&self.conn).agenda(meeting_id)
    }

    pub fn agenda_item(&self, id: Id) -> Result<AgendaItem> {
        Reader(&self.conn).agenda_item(id)
    }

    pub fn decisions(&self, meeting_id: Id) -> Result<Vec<Decision>> {
        Reader(&self.conn).decisions(meeting_id)
    }

    pub fn meeting_agencies(&self, meeting_id: Id) -> Result<Vec<Id>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT agency_id FROM meeting_agencies WHERE meeting_id = ?1 ORDER BY agency_id")?;
        let rows = st.query_map([meeting_id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// A case's decisions across meetings, oldest first.
    pub fn decisions_of_case(&self, case_id: Id) -> Result<Vec<Decision>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {DECISION_COLS} FROM decisions WHERE case_id = ?1 ORDER BY decided_at, id"
        ))?;
        let rows = st.query_map([case_id], row_decision)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn attendance(&self, meeting_id: Id) -> Result<Vec<Attendance>> {
        let mut st = self.conn.prepare_cached(
            "SELECT meeting_id, agency_id, status, person, info_received_on FROM attendance WHERE meeting_id = ?1 ORDER BY agency_id",
        )?;
        let rows = st.query_map([meeting_id], |r| {
            Ok(Attendance {
                meeting_id: r.get(0)?,
                agency_id: r.get(1)?,
                status: AttendanceStatus::from_code(&r.get::<_, String>(2)?).ok_or_else(|| bad(2, "status"))?,
                person: r.get(3)?,
                info_received_on: date_col(r.get(4)?)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The first session date of a meeting (its 開催日).
    pub fn meeting_date(&self, meeting_id: Id) -> Result<Option<chrono::NaiveDate>> {
        let s: Option<String> =
            self.conn.row_cached("SELECT min(date) FROM sessions WHERE meeting_id = ?1", [meeting_id], |r| r.get(0))?;
        Ok(date_col(s)?)
    }

    /// Every meeting's first day (its earliest session), in one query; meetings without a
    /// session are absent.
    pub fn meeting_dates(&self) -> Result<std::collections::HashMap<Id, chrono::NaiveDate>> {
        let mut st = self.conn.prepare_cached("SELECT meeting_id, min(date) FROM sessions GROUP BY meeting_id")?;
        collect_dates(st.query_map([], row_date)?)
    }

    /// [`Store::meeting_dates`] of these meetings only, through the sessions' meeting index
    /// (the ledger's detail asks for its decisions' meetings on every move).
    pub fn meeting_dates_of(&self, ids: &[Id]) -> Result<std::collections::HashMap<Id, chrono::NaiveDate>> {
        let mut st = self.conn.prepare_cached(
            "SELECT meeting_id, min(date) FROM sessions WHERE meeting_id IN (SELECT value FROM json_each(?1))
             GROUP BY meeting_id",
        )?;
        collect_dates(st.query_map([super::id_list(ids)], row_date)?)
    }
}

fn row_date(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Id, Option<chrono::NaiveDate>)> {
    Ok((r.get(0)?, date_col(r.get(1)?)?))
}

/// (meeting, first day) rows as a map; meetings without a day are left out.
fn collect_dates(
    rows: impl Iterator<Item = rusqlite::Result<(Id, Option<chrono::NaiveDate>)>>,
) -> Result<std::collections::HashMap<Id, chrono::NaiveDate>> {
    let mut out = std::collections::HashMap::new();
    for row in rows {
        if let (id, Some(d)) = row? {
            out.insert(id, d);
        }
    }
    Ok(out)
}

impl Store {
    /// Each case's decisions in order, in one statement.
    pub fn decisions_of_cases(&self, ids: &[Id]) -> Result<std::collections::HashMap<Id, Vec<Decision>>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {DECISION_COLS} FROM decisions WHERE case_id IN (SELECT value FROM json_each(?1)) ORDER BY decided_at, id"
        ))?;
        let rows = st.query_map([super::id_list(ids)], row_decision)?;
        let decisions = rows.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(super::by_case(decisions.into_iter().map(|d| (d.case_id, d))))
    }
}
