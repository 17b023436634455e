//! 定期的な情報提供 as stored: institutions' monthly reports per case and month, and the
//! alerts (要確認) each raised. A report is checked and its alerts are raised here, inside the
//! write transaction, whichever screen or command saves it.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Row, params};

use super::{Cached, Result, Store, StoreError, Tx, date_col};
use crate::domain::Id;
use crate::domain::attendance::{self, AlertKind, MonthlyReport, ReportAlert};
use crate::domain::config::MonthlyReports;

const COLS: &str = "id, case_id, agency_id, month, school_days, attended, absent, absent_notified, absent_unnotified,
    late_early, longest_absence, absence_reason, observations, remarks, moved, writer, written_on, source, urgent";

fn row_report(r: &Row<'_>) -> rusqlite::Result<MonthlyReport> {
    Ok(MonthlyReport {
        id: r.get(0)?,
        case_id: r.get(1)?,
        agency_id: r.get(2)?,
        month: date_col(r.get(3)?)?.unwrap_or_default(),
        school_days: r.get(4)?,
        attended: r.get(5)?,
        absent: r.get(6)?,
        absent_notified: r.get(7)?,
        absent_unnotified: r.get(8)?,
        late_early: r.get(9)?,
        longest_absence: r.get(10)?,
        absence_reason: r.get(11)?,
        observations: r.get(12)?,
        remarks: r.get(13)?,
        moved: r.get(14)?,
        writer: r.get(15)?,
        written_on: date_col(r.get(16)?)?,
        source: r.get(17)?,
        urgent: r.get(18)?,
    })
}

const ALERT_COLS: &str = "id, case_id, agency_id, report_id, month, kind, detail, raised_on";

fn row_alert(r: &Row<'_>) -> rusqlite::Result<ReportAlert> {
    let kind: String = r.get(5)?;
    Ok(ReportAlert {
        id: r.get(0)?,
        case_id: r.get(1)?,
        agency_id: r.get(2)?,
        report_id: r.get(3)?,
        month: date_col(r.get(4)?)?.unwrap_or_default(),
        kind: AlertKind::from_code(&kind).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                5,
                rusqlite::types::Type::Text,
                format!("alert kind {kind}").into(),
            )
        })?,
        detail: r.get(6)?,
        raised_on: date_col(r.get(7)?)?.unwrap_or_default(),
    })
}

impl Tx<'_> {
    /// Stores a report, replacing the one for the same case, institution, month and kind
    /// (regular or urgent), and raises its alerts. A report whose numbers do not add up, or
    /// of a month not begun, is refused. Returns the id and the alerts raised.
    pub fn save_monthly_report(
        &mut self,
        r: &MonthlyReport,
        cfg: &MonthlyReports,
    ) -> Result<(Id, Vec<(AlertKind, String)>)> {
        if let Some((field, reason)) = attendance::problems(r, self.now.date()).into_iter().next() {
            return Err(StoreError::invalid(field, reason));
        }
        let old: Option<Id> = self
            .tx
            .prepare_cached(
                "SELECT id FROM monthly_reports WHERE case_id = ?1 AND agency_id = ?2 AND month = ?3 AND urgent = ?4",
            )?
            .query_row(params![r.case_id, r.agency_id, r.month, r.urgent], |row| row.get(0))
            .optional()?;
        if let Some(id) = old {
            self.tx.exec_cached("DELETE FROM report_alerts WHERE report_id = ?1", [id])?;
            self.tx.exec_cached("DELETE FROM monthly_reports WHERE id = ?1", [id])?;
            self.audit("monthly_report", Some(id), "replaced", Some(&id.to_string()), None)?;
        }
        let at = self.at().to_string();
        self.tx
            .prepare_cached(
                "INSERT INTO monthly_reports(case_id, agency_id, month, school_days, attended, absent, absent_notified,
                    absent_unnotified, late_early, longest_absence, absence_reason, observations, remarks, moved,
                    writer, written_on, source, urgent, imported_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
            )?
            .execute(params![
                r.case_id,
                r.agency_id,
                r.month,
                r.school_days,
                r.attended,
                r.absent,
                r.absent_notified,
                r.absent_unnotified,
                r.late_early,
                r.longest_absence,
                r.absence_reason,
                r.observations,
                r.remarks,
                r.moved,
                r.writer,
                r.written_on,
                r.source,
                r.urgent,
                at
            ])?;
        let id = self.tx.last_insert_rowid();
        // Numbers only: the audit log never holds the narrative cells.
        let summary = format!(
            "case={} agency={} month={} absent={} unnotified={} longest={} urgent={}",
            r.case_id,
            r.agency_id,
            r.month.format("%Y-%m"),
            r.absent,
            r.absent_unnotified,
            r.longest_absence,
            r.urgent
        );
        self.audit("monthly_report", Some(id), "imported", None, Some(&summary))?;
        let raised = attendance::alerts(r, cfg);
        let today = self.now.date();
        for (kind, detail) in &raised {
            self.tx
                .prepare_cached(
                    "INSERT INTO report_alerts(case_id, agency_id, report_id, month, kind, detail, raised_on)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![r.case_id, r.agency_id, id, r.month, kind.code(), detail, today])?;
            let alert = self.tx.last_insert_rowid();
            self.audit(
                "report_alert",
                Some(alert),
                "raised",
                None,
                Some(&format!("case={} {}", r.case_id, kind.code())),
            )?;
        }
        Ok((id, raised))
    }
}

impl Store {
    /// Every report of `month` (every month when None), by month, institution and case.
    pub fn monthly_reports(&self, month: Option<NaiveDate>) -> Result<Vec<MonthlyReport>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {COLS} FROM monthly_reports WHERE ?1 IS NULL OR month = ?1 ORDER BY month, agency_id, case_id, urgent"
        ))?;
        let rows = st.query_map([month], row_report)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// One case's reports, oldest month first: the history by month.
    pub fn monthly_reports_of_case(&self, case_id: Id) -> Result<Vec<MonthlyReport>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {COLS} FROM monthly_reports WHERE case_id = ?1 ORDER BY month, agency_id, urgent"
        ))?;
        let rows = st.query_map([case_id], row_report)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The stored report for the case, institution and month (regular or urgent).
    pub fn monthly_report_for(
        &self,
        case_id: Id,
        agency_id: Id,
        month: NaiveDate,
        urgent: bool,
    ) -> Result<Option<MonthlyReport>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {COLS} FROM monthly_reports WHERE case_id = ?1 AND agency_id = ?2 AND month = ?3 AND urgent = ?4"
            ))?
            .query_row(params![case_id, agency_id, month, urgent], row_report)
            .optional()?)
    }

    /// Each case's reports of the months from `from` (a month's first day) to `until`, oldest
    /// month first; cases without a report are left out.
    pub fn monthly_reports_of_cases(
        &self,
        ids: &[Id],
        from: NaiveDate,
        until: NaiveDate,
    ) -> Result<std::collections::HashMap<Id, Vec<MonthlyReport>>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {COLS} FROM monthly_reports WHERE case_id IN (SELECT value FROM json_each(?1))
               AND month >= ?2 AND month <= ?3 ORDER BY case_id, month, agency_id, urgent"
        ))?;
        let rows = st.query_map(params![super::id_list(ids), from, until], row_report)?;
        Ok(super::by_case(rows.map(|r| r.map(|x| (x.case_id, x))).collect::<rusqlite::Result<Vec<_>>>()?))
    }

    /// The reports a meeting on `day` reads for its cases: since the previous meeting's month.
    pub fn monthly_reports_for_meeting(
        &self,
        meeting_id: Id,
        ids: &[Id],
        day: NaiveDate,
    ) -> Result<std::collections::HashMap<Id, Vec<MonthlyReport>>> {
        let from = crate::domain::report_months::first_month(self.previous_meeting_date(meeting_id)?, day);
        self.monthly_reports_of_cases(ids, from, day)
    }

    /// Every alert raised, oldest first.
    pub fn report_alerts(&self) -> Result<Vec<ReportAlert>> {
        let mut st =
            self.conn.prepare_cached(&format!("SELECT {ALERT_COLS} FROM report_alerts ORDER BY raised_on, id"))?;
        let rows = st.query_map([], row_alert)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// One case's alerts, oldest first.
    pub fn report_alerts_of_case(&self, case_id: Id) -> Result<Vec<ReportAlert>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {ALERT_COLS} FROM report_alerts WHERE case_id = ?1 ORDER BY raised_on, id"
        ))?;
        let rows = st.query_map([case_id], row_alert)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Alerts raised since each case's last review, by case: what is 要確認 now (a meeting
    /// that reviews the case has seen them).
    pub fn open_report_alerts(&self) -> Result<std::collections::HashMap<Id, Vec<ReportAlert>>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {} FROM report_alerts a JOIN cases c ON c.id = a.case_id
             WHERE c.last_review IS NULL OR a.raised_on > c.last_review ORDER BY a.raised_on, a.id",
            ALERT_COLS.split(", ").map(|c| format!("a.{c}")).collect::<Vec<_>>().join(", ")
        ))?;
        let rows = st.query_map([], |r| Ok((r.get::<_, Id>(1)?, row_alert(r)?)))?;
        Ok(super::by_case(rows.collect::<rusqlite::Result<Vec<_>>>()?))
    }
}
