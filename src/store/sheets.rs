//! アセスメントシート as a time series per case, and the sheets asked for.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Row, params};

use super::{Cached, Result, Store, Tx, date_col, json_col, to_json};
use crate::domain::{AssessmentSheet, Id};

const COLS: &str = "id, case_id, agency_id, period, written_on, checks, notes, safety_scale, writer, source";

fn row_sheet(r: &Row<'_>) -> rusqlite::Result<AssessmentSheet> {
    Ok(AssessmentSheet {
        id: r.get(0)?,
        case_id: r.get(1)?,
        agency_id: r.get(2)?,
        period: date_col(r.get(3)?)?.unwrap_or_default(),
        written_on: date_col(r.get(4)?)?,
        checks: json_col(r.get(5)?)?,
        notes: json_col(r.get(6)?)?,
        safety_scale: r.get(7)?,
        writer: r.get(8)?,
        source: r.get(9)?,
    })
}

impl Tx<'_> {
    /// Stores a sheet; an existing sheet for the same case, agency and period is replaced
    /// (the caller decides which submission wins). Returns the id.
    pub fn save_sheet(&mut self, s: &AssessmentSheet) -> Result<Id> {
        let old: Option<Id> = self
            .tx
            .row_cached(
                "SELECT id FROM sheets WHERE case_id = ?1 AND agency_id = ?2 AND period = ?3",
                params![s.case_id, s.agency_id, s.period],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(id) = old {
            self.tx.exec_cached("DELETE FROM sheets WHERE id = ?1", [id])?;
            self.audit("sheet", Some(id), "replaced", Some(&id.to_string()), None)?;
        }
        let at = self.at().to_string();
        self.tx.exec_cached(
            "INSERT INTO sheets(case_id, agency_id, period, written_on, checks, notes, safety_scale, writer, source, imported_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                s.case_id,
                s.agency_id,
                s.period,
                s.written_on,
                to_json(&s.checks),
                to_json(&s.notes),
                s.safety_scale,
                s.writer,
                s.source,
                at
            ],
        )?;
        let id = self.tx.last_insert_rowid();
        let summary = format!(
            "case={} agency={} period={} scale={}",
            s.case_id,
            s.agency_id,
            s.period,
            s.safety_scale.map(|x| x.to_string()).unwrap_or_default()
        );
        self.audit("sheet", Some(id), "imported", None, Some(&summary))?;
        Ok(id)
    }

    /// Records that a sheet was asked of `agency_id` for `case_id` and `period`.
    pub fn request_sheet(&mut self, case_id: Id, agency_id: Id, period: NaiveDate) -> Result<()> {
        self.tx.exec_cached(
            "INSERT OR IGNORE INTO sheet_requests(case_id, agency_id, period) VALUES (?1, ?2, ?3)",
            params![case_id, agency_id, period],
        )?;
        Ok(())
    }
}

impl Store {
    /// All sheets of a case, oldest period first.
    pub fn sheets_of_case(&self, case_id: Id) -> Result<Vec<AssessmentSheet>> {
        let mut st = self
            .conn
            .prepare_cached(&format!("SELECT {COLS} FROM sheets WHERE case_id = ?1 ORDER BY period, agency_id"))?;
        let rows = st.query_map([case_id], row_sheet)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Every sheet (triage over the whole ledger), ordered by case and period.
    pub fn all_sheets(&self) -> Result<Vec<AssessmentSheet>> {
        let mut st =
            self.conn.prepare_cached(&format!("SELECT {COLS} FROM sheets ORDER BY case_id, period, agency_id"))?;
        let rows = st.query_map([], row_sheet)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn sheet_for(&self, case_id: Id, agency_id: Id, period: NaiveDate) -> Result<Option<AssessmentSheet>> {
        Ok(self
            .conn
            .row_cached(
                &format!("SELECT {COLS} FROM sheets WHERE case_id = ?1 AND agency_id = ?2 AND period = ?3"),
                params![case_id, agency_id, period],
                row_sheet,
            )
            .optional()?)
    }

    /// (case, agency, period) of every sheet asked for.
    pub fn sheet_requests(&self) -> Result<Vec<SheetRequest>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT case_id, agency_id, period FROM sheet_requests ORDER BY period, case_id")?;
        let rows = st.query_map([], row_request)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

/// A sheet asked for: (case, agency, period).
pub type SheetRequest = (Id, Id, NaiveDate);

/// `case_id, agency_id, period` of `sheet_requests`.
fn row_request(r: &rusqlite::Row<'_>) -> rusqlite::Result<SheetRequest> {
    Ok((r.get(0)?, r.get(1)?, date_col(r.get(2)?)?.unwrap_or_default()))
}

impl Store {
    /// Each case's sheets by period, in one statement.
    pub fn sheets_of_cases(&self, ids: &[Id]) -> Result<std::collections::HashMap<Id, Vec<AssessmentSheet>>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {COLS} FROM sheets WHERE case_id IN (SELECT value FROM json_each(?1)) ORDER BY period, agency_id"
        ))?;
        let rows = st.query_map([super::id_list(ids)], row_sheet)?;
        let sheets = rows.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(super::by_case(sheets.into_iter().map(|s| (s.case_id, s))))
    }

    /// One case's sheet requests (case, agency, period): a range of the primary key, no scan
    /// (the ledger asks on every move of the selection).
    pub fn sheet_requests_of_case(&self, case_id: Id) -> Result<Vec<SheetRequest>> {
        let mut st = self.conn.prepare_cached(
            "SELECT case_id, agency_id, period FROM sheet_requests WHERE case_id = ?1 ORDER BY period, agency_id",
        )?;
        let rows = st.query_map([case_id], row_request)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Each case's sheet requests (case, agency, period), in one statement.
    pub fn sheet_requests_of_cases(&self, ids: &[Id]) -> Result<std::collections::HashMap<Id, Vec<SheetRequest>>> {
        let mut st = self.conn.prepare_cached(
            "SELECT case_id, agency_id, period FROM sheet_requests
             WHERE case_id IN (SELECT value FROM json_each(?1)) ORDER BY period, case_id",
        )?;
        let rows = st.query_map([super::id_list(ids)], |r| row_request(r).map(|q| (q.0, q)))?;
        Ok(super::by_case(rows.collect::<rusqlite::Result<Vec<_>>>()?))
    }
}
