//! 役割分担 (actions) and their review.

use rusqlite::{OptionalExtension, Row, params};

use super::{Cached, Reader, Result, Store, StoreError, Tx, date_col};
use crate::domain::{Action, ActionStatus, Id, MeetingStatus};

pub(crate) const COLS: &str =
    "id, case_id, meeting_id, agency_id, owner, what, due, status, review_note, reviewed_in, done_on";

pub(crate) fn row_action(r: &Row<'_>) -> rusqlite::Result<Action> {
    Ok(Action {
        id: r.get(0)?,
        case_id: r.get(1)?,
        meeting_id: r.get(2)?,
        agency_id: r.get(3)?,
        owner: r.get(4)?,
        what: r.get(5)?,
        due: date_col(r.get(6)?)?,
        status: ActionStatus::from_code(&r.get::<_, String>(7)?).unwrap_or_default(),
        review_note: r.get(8)?,
        reviewed_in: r.get(9)?,
        done_on: date_col(r.get(10)?)?,
    })
}

pub(crate) fn fields(a: &Action) -> Vec<(&'static str, String)> {
    vec![
        ("case_id", a.case_id.to_string()),
        ("agency_id", a.agency_id.map(|x| x.to_string()).unwrap_or_default()),
        ("owner", a.owner.clone()),
        ("what", a.what.clone()),
        ("due", a.due.map(|x| x.to_string()).unwrap_or_default()),
        ("status", a.status.code().into()),
        ("review_note", a.review_note.clone()),
        ("reviewed_in", a.reviewed_in.map(|x| x.to_string()).unwrap_or_default()),
        ("done_on", a.done_on.map(|x| x.to_string()).unwrap_or_default()),
    ]
}

impl Reader<'_> {
    pub fn action(&self, id: Id) -> Result<Action> {
        self.0
            .query_row(&format!("SELECT {COLS} FROM actions WHERE id = ?1"), [id], row_action)
            .optional()?
            .ok_or(StoreError::NotFound { entity: "役割分担", id })
    }
}

impl Tx<'_> {
    pub fn save_action(&mut self, a: &Action) -> Result<Id> {
        if a.what.trim().is_empty() {
            return Err(StoreError::invalid("内容", "役割分担の内容が空です"));
        }
        let before: Option<Action> = if a.id == 0 {
            None
        } else {
            self.tx.row_cached(&format!("SELECT {COLS} FROM actions WHERE id = ?1"), [a.id], row_action).optional()?
        };
        let p = params![
            a.case_id,
            a.meeting_id,
            a.agency_id,
            a.owner,
            a.what,
            a.due,
            a.status.code(),
            a.review_note,
            a.reviewed_in,
            a.done_on
        ];
        let id = if a.id == 0 {
            self.tx.exec_cached(
                "INSERT INTO actions(case_id, meeting_id, agency_id, owner, what, due, status, review_note, reviewed_in, done_on)
                 VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
                p,
            )?;
            self.tx.last_insert_rowid()
        } else {
            let mut v: Vec<&dyn rusqlite::ToSql> = p.to_vec();
            v.push(&a.id);
            self.tx.exec_cached(
                "UPDATE actions SET case_id=?1, meeting_id=?2, agency_id=?3, owner=?4, what=?5, due=?6, status=?7,
                 review_note=?8, reviewed_in=?9, done_on=?10 WHERE id=?11",
                v.as_slice(),
            )?;
            a.id
        };
        let old = before.as_ref().map(fields).unwrap_or_default();
        self.audit_diff("action", id, &old, &fields(a))?;
        Ok(id)
    }

    pub fn delete_action(&mut self, id: Id) -> Result<()> {
        let n = self.tx.exec_cached("DELETE FROM actions WHERE id = ?1", [id])?;
        if n == 0 {
            return Err(StoreError::NotFound { entity: "役割分担", id });
        }
        self.audit("action", Some(id), "deleted", Some(&id.to_string()), None)?;
        Ok(())
    }
}

impl Store {
    pub fn action(&self, id: Id) -> Result<Action> {
        Reader(&self.conn).action(id)
    }

    pub fn actions_of_case(&self, case_id: Id) -> Result<Vec<Action>> {
        let mut st =
            self.conn.prepare_cached(&format!("SELECT {COLS} FROM actions WHERE case_id = ?1 ORDER BY due, id"))?;
        let rows = st.query_map([case_id], row_action)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Actions agreed in a meeting.
    pub fn actions_of_meeting(&self, meeting_id: Id) -> Result<Vec<Action>> {
        let mut st = self
            .conn
            .prepare_cached(&format!("SELECT {COLS} FROM actions WHERE meeting_id = ?1 ORDER BY case_id, id"))?;
        let rows = st.query_map([meeting_id], row_action)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Every action still open (not yet reviewed), by due date.
    pub fn open_actions(&self) -> Result<Vec<Action>> {
        let mut st =
            self.conn.prepare_cached(&format!("SELECT {COLS} FROM actions WHERE status = 'open' ORDER BY due, id"))?;
        let rows = st.query_map([], row_action)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The actions a meeting reviews first (役割分担の確認): those already reviewed in it, and,
    /// while it has not closed, every open action agreed before it — in an earlier meeting or
    /// outside any meeting — but not one agreed in this meeting or a later one. The meeting
    /// screen and the minutes both show this set, by due date.
    pub fn actions_to_review(&self, meeting_id: Id) -> Result<Vec<Action>> {
        let meeting = self.meeting(meeting_id)?;
        let dates = self.meeting_dates()?;
        let this_date = dates.get(&meeting_id).copied();
        let before_this = |m: Option<Id>| match m {
            None => true,
            Some(m) if m == meeting_id => false,
            Some(m) => match (dates.get(&m), this_date) {
                (Some(md), Some(d)) => *md < d,
                // A meeting without a date can only be told apart by its number.
                _ => m < meeting_id,
            },
        };
        let open_here = meeting.status != MeetingStatus::Closed;
        // Only the rows that can qualify, not every action of the ledger.
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {COLS} FROM actions WHERE reviewed_in = ?1 OR (?2 AND status = ?3) ORDER BY id"
        ))?;
        let rows = st.query_map(params![meeting_id, open_here, ActionStatus::Open.code()], row_action)?;
        let mut out: Vec<Action> = rows
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .filter(|a| {
                a.reviewed_in == Some(meeting_id)
                    || (open_here && a.status == ActionStatus::Open && before_this(a.meeting_id))
            })
            .collect();
        out.sort_by_key(|a| (a.due, a.case_id, a.id));
        Ok(out)
    }

    pub fn all_actions(&self) -> Result<Vec<Action>> {
        let mut st = self.conn.prepare_cached(&format!("SELECT {COLS} FROM actions ORDER BY id"))?;
        let rows = st.query_map([], row_action)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}
