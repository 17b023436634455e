//! The ledger's cases: audited writes, lookups, keyset-paged listing and the search index rows.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

use super::{Cached, Result, Store, StoreError, Tx, date_col, date_ref};
use crate::domain::{
    AbuseType, Case, CaseStatus, CgcInvolvement, Closure, Id, Registration, ReportDesignation, Sex, search,
};

pub(crate) const COLUMNS: &str = "id, number, name, kana, sex, birth_date, due_date, household_id, town, accepted_on,
    presenting_concern, registration, abuse_types, rank, lead_agency, key_worker, affiliation, grade, cgc,
    support_policy, last_review, next_review, status, closed_on, close_reason, close_meeting, previous_case, version, notes, people, close_category, monthly_report";

fn d(x: Option<NaiveDate>) -> String {
    x.map(|d| d.to_string()).unwrap_or_default()
}
fn i(x: Option<Id>) -> String {
    x.map(|d| d.to_string()).unwrap_or_default()
}

/// Field values as the audit log records them.
pub fn case_fields(c: &Case) -> Vec<(&'static str, String)> {
    let cl = c.closure.as_ref();
    vec![
        ("number", c.number.clone()),
        ("name", c.name.clone()),
        ("kana", c.kana.clone()),
        ("sex", c.sex.code().into()),
        ("birth_date", d(c.birth_date)),
        ("due_date", d(c.due_date)),
        ("household_id", i(c.household_id)),
        ("town", c.town.clone()),
        ("accepted_on", c.accepted_on.to_string()),
        ("presenting_concern", c.presenting_concern.clone()),
        ("registration", c.registration.code().into()),
        ("abuse_types", AbuseType::join(&c.abuse_types)),
        ("rank", c.rank.clone()),
        ("lead_agency", i(c.lead_agency)),
        ("key_worker", c.key_worker.clone()),
        ("affiliation", i(c.affiliation)),
        ("grade", c.grade.clone()),
        ("cgc", c.cgc.code().into()),
        ("support_policy", c.support_policy.clone()),
        ("last_review", d(c.last_review)),
        ("next_review", d(c.next_review)),
        ("status", c.status.code().into()),
        ("closed_on", d(cl.map(|c| c.on))),
        ("close_reason", cl.map(|c| c.reason.clone()).unwrap_or_default()),
        ("close_meeting", i(cl.and_then(|c| c.meeting_id))),
        ("previous_case", i(c.previous_case)),
        ("notes", c.notes.clone()),
        ("people", c.people.clone()),
        ("close_category", cl.map(|c| c.category.clone()).unwrap_or_default()),
        // 既定 is logged as empty, so cases written before the column existed stay explained.
        (
            "monthly_report",
            match c.monthly_report {
                ReportDesignation::Default => String::new(),
                m => m.code().into(),
            },
        ),
    ]
}

fn bad(col: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(col, rusqlite::types::Type::Text, what.to_string().into())
}

pub(crate) fn row_case(r: &Row<'_>) -> rusqlite::Result<Case> {
    let abuse: String = r.get(12)?;
    let closed_on = date_col(r.get(23)?)?;
    let closure = closed_on.map(|on| -> rusqlite::Result<Closure> {
        Ok(Closure {
            on,
            reason: r.get::<_, Option<String>>(24)?.unwrap_or_default(),
            meeting_id: r.get(25)?,
            category: r.get(30)?,
        })
    });
    Ok(Case {
        id: r.get(0)?,
        number: r.get(1)?,
        name: r.get(2)?,
        kana: r.get(3)?,
        sex: Sex::from_code(&r.get::<_, String>(4)?).ok_or_else(|| bad(4, "sex"))?,
        birth_date: date_col(r.get(5)?)?,
        due_date: date_col(r.get(6)?)?,
        household_id: r.get(7)?,
        town: r.get(8)?,
        accepted_on: date_col(r.get(9)?)?.ok_or_else(|| bad(9, "accepted_on"))?,
        presenting_concern: r.get(10)?,
        registration: Registration::from_code(&r.get::<_, String>(11)?).ok_or_else(|| bad(11, "registration"))?,
        abuse_types: AbuseType::parse_list(&abuse).map_err(|_| bad(12, "abuse_types"))?,
        rank: r.get(13)?,
        lead_agency: r.get(14)?,
        key_worker: r.get(15)?,
        affiliation: r.get(16)?,
        grade: r.get(17)?,
        cgc: CgcInvolvement::from_code(&r.get::<_, String>(18)?).ok_or_else(|| bad(18, "cgc"))?,
        support_policy: r.get(19)?,
        last_review: date_col(r.get(20)?)?,
        next_review: date_col(r.get(21)?)?,
        status: CaseStatus::from_code(&r.get::<_, String>(22)?).ok_or_else(|| bad(22, "status"))?,
        closure: closure.transpose()?,
        previous_case: r.get(26)?,
        version: r.get(27)?,
        notes: r.get(28)?,
        people: r.get(29)?,
        monthly_report: ReportDesignation::from_code(&r.get::<_, String>(31)?)
            .ok_or_else(|| bad(31, "monthly_report"))?,
    })
}

/// The label a form shows for a field of [`case_fields`] (a refused save names fields so).
fn field_label(field: &str) -> &'static str {
    match field {
        "number" => "ケース番号",
        "name" => "氏名",
        "kana" => "ふりがな",
        "sex" => "性別",
        "birth_date" => "生年月日",
        "due_date" => "出産予定日",
        "household_id" => "世帯",
        "town" => "町名",
        "accepted_on" => "受理日",
        "presenting_concern" => "主訴",
        "registration" => "登録区分",
        "abuse_types" => "虐待種別",
        "rank" => "ランク",
        "lead_agency" => "主担当機関",
        "key_worker" => "主たる援助者",
        "affiliation" => "所属機関",
        "grade" => "学年・クラス",
        "cgc" => "児相の関与",
        "support_policy" => "援助方針",
        "last_review" => "前回確認日",
        "next_review" => "次回確認日",
        "status" => "状態",
        "closed_on" => "終結日",
        "close_reason" => "終結理由",
        "close_meeting" => "終結を決めた会議",
        "previous_case" => "以前のケース",
        "notes" => "備考",
        "people" => "保護者・同居人",
        "close_category" => "終結理由区分",
        "monthly_report" => "月次報告",
        _ => "その他",
    }
}

impl Tx<'_> {
    /// The one function that creates or changes a case. Validates, writes, audits every
    /// changed field and bumps the case's version. Returns the case id (new for id == 0).
    /// A change based on an older read (its `version` is no longer the stored one) is refused
    /// with [`StoreError::Stale`]: someone else saved the case since it was read.
    pub fn save_case(&mut self, case: &Case) -> Result<Id> {
        if let Err(errs) = case.validate() {
            let (f, m) = &errs[0];
            return Err(StoreError::invalid(*f, m.clone()));
        }
        let before = if case.id == 0 { None } else { Some(self.case(case.id)?) };
        if let Some(b) = before.as_ref().filter(|b| b.version != case.version) {
            let ours = case_fields(case);
            let mut fields: Vec<&'static str> = case_fields(b)
                .into_iter()
                .zip(ours)
                .filter(|(stored, saving)| stored.1 != saving.1)
                .map(|(stored, _)| field_label(stored.0))
                .collect();
            fields.dedup();
            if fields.is_empty() {
                // What is being saved is already stored: nothing to write, nothing lost.
                return Ok(case.id);
            }
            return Err(StoreError::Stale { entity: "ケース", number: b.number.clone(), fields });
        }
        // Saving what is stored changes nothing, not even the version.
        if before.as_ref().is_some_and(|b| case_fields(b) == case_fields(case)) {
            return Ok(case.id);
        }
        if let Some(other) = self
            .tx
            .row_cached("SELECT id FROM cases WHERE number = ?1 AND id != ?2", params![case.number, case.id], |r| {
                r.get::<_, Id>(0)
            })
            .optional()?
        {
            let _ = other;
            return Err(StoreError::invalid(
                "ケース番号",
                format!("ケース番号「{}」は既に使われています", case.number),
            ));
        }
        let cl = case.closure.as_ref();
        let key = search::case_key(&case.number, &case.name, &case.kana);
        let p = params![
            case.number,
            case.name,
            case.kana,
            case.sex.code(),
            case.birth_date,
            case.due_date,
            case.household_id,
            case.town,
            case.accepted_on,
            case.presenting_concern,
            case.registration.code(),
            AbuseType::join(&case.abuse_types),
            case.rank,
            case.lead_agency,
            case.key_worker,
            case.affiliation,
            case.grade,
            case.cgc.code(),
            case.support_policy,
            case.last_review,
            case.next_review,
            case.status.code(),
            cl.map(|c| c.on),
            cl.map(|c| c.reason.clone()),
            cl.and_then(|c| c.meeting_id),
            case.previous_case,
            key,
            case.notes,
            case.people,
            cl.map(|c| c.category.clone()).unwrap_or_default(),
            case.monthly_report.code(),
        ];
        let id = if case.id == 0 {
            self.tx.exec_cached(
                "INSERT INTO cases(number, name, kana, sex, birth_date, due_date, household_id, town, accepted_on,
                 presenting_concern, registration, abuse_types, rank, lead_agency, key_worker, affiliation, grade, cgc,
                 support_policy, last_review, next_review, status, closed_on, close_reason, close_meeting, previous_case,
                 search_key, notes, people, close_category, monthly_report) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23,?24,?25,?26,?27,?28,?29,?30,?31)",
                p,
            )?;
            self.tx.last_insert_rowid()
        } else {
            let mut v: Vec<&dyn rusqlite::ToSql> = p.to_vec();
            v.push(&case.id);
            self.tx.exec_cached(
                "UPDATE cases SET number=?1, name=?2, kana=?3, sex=?4, birth_date=?5, due_date=?6, household_id=?7,
                 town=?8, accepted_on=?9, presenting_concern=?10, registration=?11, abuse_types=?12, rank=?13,
                 lead_agency=?14, key_worker=?15, affiliation=?16, grade=?17, cgc=?18, support_policy=?19,
                 last_review=?20, next_review=?21, status=?22, closed_on=?23, close_reason=?24, close_meeting=?25,
                 previous_case=?26, search_key=?27, notes=?28, people=?29, close_category=?30, monthly_report=?31, version = version + 1 WHERE id=?32",
                v.as_slice(),
            )?;
            case.id
        };
        let old = before.as_ref().map(case_fields).unwrap_or_default();
        self.audit_diff("case", id, &old, &case_fields(case))?;
        Ok(id)
    }

    /// 終結 (or 移管) with no 終結理由区分 (the statistics count it under 「（区分なし）」), for
    /// the store's own tests.
    #[cfg(test)]
    pub(crate) fn close_case(
        &mut self,
        id: Id,
        status: CaseStatus,
        on: NaiveDate,
        reason: &str,
        meeting_id: Option<Id>,
    ) -> Result<()> {
        self.close_unchecked(id, status, on, reason, "", meeting_id)
    }

    /// 終結 (or 移管): needs a reason and one of the configured 終結理由区分 `categories`
    /// (checked here, inside the transaction, whatever screen or command asked); records the
    /// deciding meeting.
    #[allow(clippy::too_many_arguments)]
    pub fn close_case_as(
        &mut self,
        id: Id,
        status: CaseStatus,
        on: NaiveDate,
        reason: &str,
        category: &str,
        categories: &[String],
        meeting_id: Option<Id>,
    ) -> Result<()> {
        let category = crate::domain::config::check_closing_category(categories, category)
            .map_err(|e| StoreError::invalid("終結理由区分", e))?;
        self.close_unchecked(id, status, on, reason, category, meeting_id)
    }

    /// [`Tx::close_case_as`] with a category already checked (a meeting's decision, checked
    /// when it was recorded) or none (a decision accepted as the 事務局案 proposed).
    pub(crate) fn close_unchecked(
        &mut self,
        id: Id,
        status: CaseStatus,
        on: NaiveDate,
        reason: &str,
        category: &str,
        meeting_id: Option<Id>,
    ) -> Result<()> {
        if reason.trim().is_empty() {
            return Err(StoreError::invalid("終結理由", "終結・移管には理由が必要です"));
        }
        if status == CaseStatus::Open {
            return Err(StoreError::invalid("状態", "終結か移管を指定してください"));
        }
        let mut c = self.case(id)?;
        if !c.is_open() {
            return Err(StoreError::invalid(
                "状態",
                format!("ケース {} は既に{}しています", c.number, c.status.label()),
            ));
        }
        c.status = status;
        c.closure = Some(Closure { on, reason: reason.trim().to_string(), meeting_id, category: category.to_string() });
        // A closed or transferred case is reviewed no more: no date is left to show or schedule.
        c.next_review = None;
        self.save_case(&c)?;
        Ok(())
    }

    pub fn case(&self, id: Id) -> Result<Case> {
        self.tx
            .row_cached(&format!("SELECT {COLUMNS} FROM cases WHERE id = ?1"), [id], row_case)
            .optional()?
            .ok_or(StoreError::NotFound { entity: "ケース", id })
    }

    pub fn case_id_by_number(&self, number: &str) -> Result<Option<Id>> {
        Ok(self.tx.row_cached("SELECT id FROM cases WHERE number = ?1", [number], |r| r.get(0)).optional()?)
    }

    /// Gives a case a new ケース番号 (a ledger imported with 取込-0001… numbered the town's way),
    /// through [`Tx::save_case`]: the new number is checked and unused, and the change is in
    /// the audit chain. Sheets, decisions and actions follow, as they hold the case's id.
    pub fn renumber_case(&mut self, old: &str, new: &str) -> Result<Id> {
        let id = self
            .case_id_by_number(old)?
            .ok_or_else(|| StoreError::invalid("ケース番号", format!("ケース番号「{old}」は台帳にありません")))?;
        let mut c = self.case(id)?;
        c.number = new.trim().to_string();
        self.save_case(&c)
    }

    /// Links an extra 関係機関 to a case.
    pub fn link_case_agency(&mut self, case_id: Id, agency_id: Id, role: &str) -> Result<()> {
        let n = self.tx.exec_cached(
            "INSERT OR IGNORE INTO case_agencies(case_id, agency_id, role) VALUES (?1, ?2, ?3)",
            params![case_id, agency_id, role],
        )?;
        if n > 0 {
            self.audit("case_agency", Some(case_id), "agency_id", None, Some(&agency_id.to_string()))?;
        }
        Ok(())
    }
}

/// Filters for the ledger list (all optional).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaseFilter {
    pub query: String,
    pub registration: Option<Registration>,
    pub rank: Option<String>,
    pub lead_agency: Option<Id>,
    pub affiliation: Option<Id>,
    /// Only open cases whose next review is before this date.
    pub overdue_on: Option<NaiveDate>,
    /// Only children last seen before this day, or never (`domain::contact::seen_cutoff`).
    pub unseen_before: Option<NaiveDate>,
    /// Only cases with an alert from a monthly report since their last review (要確認).
    pub needs_check: bool,
    pub include_closed: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CaseSort {
    #[default]
    Number,
    Kana,
    NextReview,
    AcceptedOn,
}

impl CaseSort {
    pub const ALL: [CaseSort; 4] = [CaseSort::Number, CaseSort::Kana, CaseSort::NextReview, CaseSort::AcceptedOn];

    fn column(self) -> &'static str {
        match self {
            CaseSort::Number => "number",
            CaseSort::Kana => "kana",
            CaseSort::NextReview => "coalesce(next_review, '9999-12-31')",
            CaseSort::AcceptedOn => "accepted_on",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CaseSort::Number => "ケース番号順",
            CaseSort::Kana => "ふりがな順",
            CaseSort::NextReview => "次回確認日順",
            CaseSort::AcceptedOn => "受理日順",
        }
    }
}

/// The columns the ledger table shows: light enough to hold 100,000 in memory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseRow {
    pub id: Id,
    pub number: String,
    pub name: String,
    pub kana: String,
    pub registration: Registration,
    pub rank: String,
    pub birth_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub household_id: Option<Id>,
    pub lead_agency: Option<Id>,
    pub affiliation: Option<Id>,
    pub next_review: Option<NaiveDate>,
    pub status: CaseStatus,
    /// 最終目視確認日: the later of the newest contact with 目視確認 and the newest sheet (the
    /// rule of `domain::contact::last_sighting`).
    pub last_seen: Option<NaiveDate>,
    #[serde(skip)]
    pub search_key: String,
    /// 要確認: alerts raised by monthly reports since the case's last review.
    pub alerts: u32,
}

/// How many alerts of a case its last review has not seen (see `Store::open_report_alerts`).
macro_rules! open_alerts {
    () => {
        "(SELECT count(*) FROM report_alerts a WHERE a.case_id = cases.id
          AND (cases.last_review IS NULL OR a.raised_on > cases.last_review))"
    };
}

/// The newest seen contact and the newest sheet of the row's case (indexed lookups).
const SEEN_CONTACT: &str = "(SELECT max(date) FROM contacts WHERE contacts.case_id = cases.id AND seen = 1)";
const SEEN_SHEET: &str = "(SELECT max(coalesce(written_on, period)) FROM sheets WHERE sheets.case_id = cases.id)";

fn row_columns() -> String {
    format!(
        "id, number, name, kana, registration, rank, birth_date, due_date, household_id, lead_agency,
    affiliation, next_review, status, search_key, {SEEN_CONTACT}, {SEEN_SHEET}, {}",
        open_alerts!()
    )
}

fn row_row(r: &Row<'_>) -> rusqlite::Result<CaseRow> {
    // Codes are matched in place: copying each into a String was most of the decoding.
    let code = |i: usize| r.get_ref(i).and_then(|v| Ok(v.as_str()?));
    Ok(CaseRow {
        id: r.get(0)?,
        number: r.get(1)?,
        name: r.get(2)?,
        kana: r.get(3)?,
        registration: Registration::from_code(code(4)?).ok_or_else(|| bad(4, "registration"))?,
        rank: r.get(5)?,
        birth_date: date_ref(r, 6)?,
        due_date: date_ref(r, 7)?,
        household_id: r.get(8)?,
        lead_agency: r.get(9)?,
        affiliation: r.get(10)?,
        next_review: date_ref(r, 11)?,
        status: CaseStatus::from_code(code(12)?).ok_or_else(|| bad(12, "status"))?,
        search_key: r.get(13)?,
        last_seen: date_col(r.get(14)?)?.max(date_col(r.get(15)?)?),
        alerts: r.get(16)?,
    })
}

impl CaseRow {
    /// Whether the row passes `f` (the query must already be folded into words).
    pub fn passes(&self, f: &CaseFilter, words: &[String]) -> bool {
        (f.include_closed || self.status == CaseStatus::Open)
            && f.registration.is_none_or(|r| r == self.registration)
            && f.rank.as_ref().is_none_or(|r| *r == self.rank)
            && f.lead_agency.is_none_or(|a| Some(a) == self.lead_agency)
            && f.affiliation.is_none_or(|a| Some(a) == self.affiliation)
            && f.overdue_on.is_none_or(|t| self.status == CaseStatus::Open && self.next_review.is_some_and(|d| d < t))
            && f.unseen_before.is_none_or(|t| {
                self.status == CaseStatus::Open
                    && crate::domain::contact::has_child(self.registration)
                    && self.last_seen.is_none_or(|d| d < t)
            })
            && (!f.needs_check || self.alerts > 0)
            && search::matches(&self.search_key, words)
    }
}

impl Store {
    pub fn case(&self, id: Id) -> Result<Case> {
        self.conn
            .row_cached(&format!("SELECT {COLUMNS} FROM cases WHERE id = ?1"), [id], row_case)
            .optional()?
            .ok_or(StoreError::NotFound { entity: "ケース", id })
    }

    pub fn case_by_number(&self, number: &str) -> Result<Option<Case>> {
        Ok(self
            .conn
            .query_row(&format!("SELECT {COLUMNS} FROM cases WHERE number = ?1"), [number], row_case)
            .optional()?)
    }

    /// Every case, in case-number order (exports, triage).
    pub fn cases(&self, include_closed: bool) -> Result<Vec<Case>> {
        let mut st = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM cases WHERE (?1 OR status = 'open') ORDER BY number"))?;
        let rows = st.query_map([include_closed], row_case)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn cases_in_household(&self, household_id: Id) -> Result<Vec<Case>> {
        let mut st = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM cases WHERE household_id = ?1 ORDER BY birth_date"))?;
        let rows = st.query_map([household_id], row_case)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Light rows of every case for the in-memory index the TUI searches as the user types.
    pub fn case_rows(&self) -> Result<Vec<CaseRow>> {
        self.case_rows_telling(usize::MAX, |_| {})
    }

    /// [`Store::case_rows`], telling `progress` the count read after every `every` rows (the
    /// ledger's header counts them while the index is built).
    pub fn case_rows_telling(&self, every: usize, mut progress: impl FnMut(usize)) -> Result<Vec<CaseRow>> {
        let mut st = self.conn.prepare_cached(&format!("SELECT {} FROM cases ORDER BY number", row_columns()))?;
        let mut out = Vec::new();
        for row in st.query_map([], row_row)? {
            out.push(row?);
            if out.len().is_multiple_of(every.max(1)) {
                progress(out.len());
            }
        }
        Ok(out)
    }

    /// One page of the ledger in `sort` order, starting after `after` (the last row of the
    /// previous page). Keyset paging: cost does not grow with the page number.
    pub fn case_page(
        &self,
        f: &CaseFilter,
        sort: CaseSort,
        after: Option<&CaseRow>,
        limit: usize,
    ) -> Result<Vec<CaseRow>> {
        let col = sort.column();
        let words = search::query_words(&f.query);
        let mut sql = format!("SELECT {} FROM cases WHERE 1=1", row_columns());
        let mut args: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
        let mut arg = |sql: &mut String, cond: &str, v: Box<dyn rusqlite::ToSql>| {
            args.push(v);
            sql.push_str(&cond.replace('?', &format!("?{}", args.len())));
        };
        if !f.include_closed {
            sql.push_str(" AND status = 'open'");
        }
        if let Some(r) = f.registration {
            arg(&mut sql, " AND registration = ?", Box::new(r.code()));
        }
        if let Some(r) = &f.rank {
            arg(&mut sql, " AND rank = ?", Box::new(r.clone()));
        }
        if let Some(a) = f.lead_agency {
            arg(&mut sql, " AND lead_agency = ?", Box::new(a));
        }
        if let Some(a) = f.affiliation {
            arg(&mut sql, " AND affiliation = ?", Box::new(a));
        }
        if let Some(t) = f.overdue_on {
            arg(&mut sql, " AND status = 'open' AND next_review < ?", Box::new(t));
        }
        if let Some(t) = f.unseen_before {
            let cond = format!(
                " AND status = 'open' AND registration != '{}' AND coalesce(max(coalesce({SEEN_CONTACT}, ''), coalesce({SEEN_SHEET}, '')), '') < ?",
                Registration::ExpectantMother.code()
            );
            arg(&mut sql, &cond, Box::new(t));
        }
        if f.needs_check {
            sql.push_str(concat!(" AND ", open_alerts!(), " > 0"));
        }
        for w in words {
            let pat = format!("%{}%", w.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
            arg(&mut sql, " AND search_key LIKE ? ESCAPE '\\'", Box::new(pat));
        }
        if let Some(a) = after {
            let key: String = match sort {
                CaseSort::Number => a.number.clone(),
                CaseSort::Kana => a.kana.clone(),
                CaseSort::NextReview => a.next_review.map(|d| d.to_string()).unwrap_or("9999-12-31".into()),
                CaseSort::AcceptedOn => self.case(a.id)?.accepted_on.to_string(),
            };
            args.push(Box::new(key));
            args.push(Box::new(a.id));
            let (k, i) = (args.len() - 1, args.len());
            sql.push_str(&format!(" AND ({col}, id) > (?{k}, ?{i})"));
        }
        sql.push_str(&format!(" ORDER BY {col}, id LIMIT {limit}"));
        let mut st = self.conn.prepare_cached(&sql)?;
        let refs: Vec<&dyn rusqlite::ToSql> = args.iter().map(|b| b.as_ref()).collect();
        let rows = st.query_map(refs.as_slice(), row_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Extra 関係機関 of a case (besides 所属 and 主担当).
    pub fn case_agencies(&self, case_id: Id) -> Result<Vec<(Id, String)>> {
        let mut st = self.conn.prepare_cached("SELECT agency_id, role FROM case_agencies WHERE case_id = ?1")?;
        let rows = st.query_map([case_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Ids of the open cases an agency is involved in: as 所属, 主担当 or linked 関係機関.
    pub fn cases_of_agency(&self, agency_id: Id) -> Result<Vec<Id>> {
        let mut st = self.conn.prepare_cached(
            "SELECT id FROM cases WHERE status = 'open' AND (affiliation = ?1 OR lead_agency = ?1
               OR id IN (SELECT case_id FROM case_agencies WHERE agency_id = ?1)) ORDER BY number",
        )?;
        let rows = st.query_map([agency_id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// How many cases (open only, or all). The open ones are all less the closed and
    /// transferred, which are few and counted through the status index; counting the open
    /// ones themselves walked 95,000 index entries at 100,000 cases (the first frame waits).
    pub fn case_count(&self, include_closed: bool) -> Result<i64> {
        let all: i64 = self.conn.query_row("SELECT count(*) FROM cases", [], |r| r.get(0))?;
        if include_closed {
            return Ok(all);
        }
        let ended: i64 =
            self.conn
                .query_row("SELECT count(*) FROM cases WHERE status IN ('closed', 'transferred')", [], |r| r.get(0))?;
        Ok(all - ended)
    }
}

impl Store {
    /// The cases with these ids, in one statement.
    pub fn cases_by_id(&self, ids: &[Id]) -> Result<std::collections::HashMap<Id, Case>> {
        let mut st = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM cases WHERE id IN (SELECT value FROM json_each(?1))"))?;
        let rows = st.query_map([super::id_list(ids)], row_case)?;
        let mut out = std::collections::HashMap::new();
        for c in rows {
            let c = c?;
            out.insert(c.id, c);
        }
        Ok(out)
    }

    /// The cases with these numbers, by number, in one statement (an import's rows).
    pub fn cases_by_numbers(&self, numbers: &[&str]) -> Result<std::collections::HashMap<String, Case>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM cases WHERE number IN (SELECT value FROM json_each(?1))"
        ))?;
        let rows = st.query_map([super::to_json(&numbers)], row_case)?;
        let mut out = std::collections::HashMap::new();
        for c in rows {
            let c = c?;
            out.insert(c.number.clone(), c);
        }
        Ok(out)
    }

    /// Each case's linked 関係機関 (agency, role), in one statement.
    pub fn case_agencies_of_cases(&self, ids: &[Id]) -> Result<std::collections::HashMap<Id, Vec<(Id, String)>>> {
        let mut st = self.conn.prepare_cached(
            "SELECT case_id, agency_id, role FROM case_agencies WHERE case_id IN (SELECT value FROM json_each(?1))",
        )?;
        let rows = st.query_map([super::id_list(ids)], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?;
        Ok(super::by_case(rows.collect::<rusqlite::Result<Vec<_>>>()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn sample(n: usize) -> Case {
        let mut c = Case::blank(dt(2024, 4, 1));
        c.number = format!("R6-{n:03}");
        c.name = format!("山田 太郎{n}");
        c.kana = format!("やまだ たろう{n}");
        c.birth_date = Some(dt(2015, 5, 5));
        c.rank = "B".into();
        c.next_review = Some(dt(2024, 7, 1) + chrono::Duration::days(n as i64));
        c
    }

    #[test]
    fn save_audits_each_changed_field() {
        let mut s = Store::open_in_memory().unwrap();
        let id = s.write(|t| t.save_case(&sample(1))).unwrap();
        let created = s.audit_entries(Some("case"), Some(id), 100).unwrap();
        assert_eq!(created.len(), 1, "creation is one entry");
        assert!(created[0].after.as_deref().unwrap().contains("山田 太郎1"));
        let mut c = s.case(id).unwrap();
        c.rank = "A".into();
        c.support_policy = "週1回の家庭訪問".into();
        s.write(|t| t.save_case(&c)).unwrap();
        let e = s.audit_entries(Some("case"), Some(id), 2).unwrap();
        let fields: Vec<_> = e.iter().map(|e| (e.field.as_str(), e.before.as_deref(), e.after.as_deref())).collect();
        assert!(fields.contains(&("rank", Some("B"), Some("A"))));
        assert!(fields.contains(&("support_policy", Some(""), Some("週1回の家庭訪問"))));
        assert_eq!(s.case(id).unwrap(), Case { version: c.version + 1, ..c });
    }

    /// Two windows open the same case; the second saves what it read before the first saved.
    #[test]
    fn a_save_from_an_older_read_is_refused_and_names_the_fields() {
        let mut s = Store::open_in_memory().unwrap();
        let id = s.write(|t| t.save_case(&sample(1))).unwrap();
        let mut first = s.case(id).unwrap();
        let mut second = s.case(id).unwrap();
        assert_eq!(first.version, 0);
        first.rank = "A".into();
        s.write(|t| t.save_case(&first)).unwrap();
        assert_eq!(s.case(id).unwrap().version, 1, "every write bumps the version");
        second.support_policy = "週1回の家庭訪問".into();
        let err = s.write(|t| t.save_case(&second)).unwrap_err();
        match &err {
            StoreError::Stale { number, fields, .. } => {
                assert_eq!(number, "R6-001");
                assert_eq!(fields, &vec!["ランク", "援助方針"]);
            }
            other => panic!("a stale save must be refused: {other:?}"),
        }
        let text = err.to_string();
        assert!(text.contains("ほかの画面かコマンドで変更されました") && text.contains("読み込み直して"), "{text}");
        assert!(!text.contains("山田") && !text.contains("やまだ"), "no personal data: {text}");
        let stored = s.case(id).unwrap();
        assert_eq!((stored.rank.as_str(), stored.support_policy.as_str()), ("A", ""), "nothing was reverted");
        // Reloaded, the same change saves.
        let mut again = s.case(id).unwrap();
        again.support_policy = "週1回の家庭訪問".into();
        s.write(|t| t.save_case(&again)).unwrap();
        assert_eq!(s.case(id).unwrap().version, 2);
        // A save that changes nothing writes nothing, and a stale copy equal to the stored case
        // is no conflict.
        s.write(|t| t.save_case(&again)).unwrap();
        assert_eq!(s.case(id).unwrap().version, 2);
        // Closing is a write of the case too.
        let mut dated = s.case(id).unwrap();
        dated.next_review = Some(dt(2024, 12, 1));
        s.write(|t| t.save_case(&dated)).unwrap();
        again = s.case(id).unwrap();
        s.write(|t| t.close_case(id, CaseStatus::Closed, dt(2024, 9, 1), "転出", None)).unwrap();
        assert_eq!(s.case(id).unwrap().version, 4);
        assert_eq!(s.case(id).unwrap().next_review, None, "a closed case has no next review left");
        assert!(matches!(s.write(|t| t.save_case(&again)), Err(StoreError::Stale { .. })));
    }

    #[test]
    fn duplicate_number_and_missing_reason_are_refused() {
        let mut s = Store::open_in_memory().unwrap();
        let id = s.write(|t| t.save_case(&sample(1))).unwrap();
        let err = s.write(|t| t.save_case(&sample(1))).unwrap_err();
        assert!(err.to_string().contains("既に使われています"));
        let err = s.write(|t| t.close_case(id, CaseStatus::Closed, dt(2024, 9, 1), " ", None)).unwrap_err();
        assert!(err.to_string().contains("理由"));
        s.write(|t| t.close_case(id, CaseStatus::Closed, dt(2024, 9, 1), "転出", None)).unwrap();
        assert_eq!(s.case(id).unwrap().status, CaseStatus::Closed);
        assert_eq!(s.audit_verify().unwrap().unwrap(), s.audit_entries(None, None, 10000).unwrap().len() as u64);
    }

    /// Whatever screen or command asks, the store closes a case only with one of the
    /// configured 終結理由区分.
    #[test]
    fn a_closing_without_a_configured_category_is_refused_by_the_store() {
        let mut s = Store::open_in_memory().unwrap();
        let id = s.write(|t| t.save_case(&sample(1))).unwrap();
        let cats = crate::domain::Config::default().closing.categories;
        for (category, said) in
            [("", "終結理由区分を選んでください"), ("転居", "終結理由区分「転居」は設定にありません")]
        {
            let err = s
                .write(|t| t.close_case_as(id, CaseStatus::Closed, dt(2024, 9, 1), "転出", category, &cats, None))
                .unwrap_err()
                .to_string();
            assert!(err.contains(said), "{err}");
            assert!(s.case(id).unwrap().is_open(), "nothing written");
        }
        s.write(|t| t.close_case_as(id, CaseStatus::Closed, dt(2024, 9, 1), "市外へ", " 転出 ", &cats, None)).unwrap();
        assert_eq!(s.case(id).unwrap().closure.unwrap().category, "転出");
    }

    #[test]
    fn keyset_pages_cover_everything_once_in_order() {
        let mut s = Store::open_in_memory().unwrap();
        s.write(|t| {
            for n in 0..25 {
                t.save_case(&sample(n))?;
            }
            Ok(())
        })
        .unwrap();
        for sort in CaseSort::ALL {
            let f = CaseFilter::default();
            let mut seen = Vec::new();
            let mut last: Option<CaseRow> = None;
            loop {
                let page = s.case_page(&f, sort, last.as_ref(), 7).unwrap();
                if page.is_empty() {
                    break;
                }
                last = page.last().cloned();
                seen.extend(page.into_iter().map(|r| r.id));
            }
            let mut sorted = seen.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), 25, "{sort:?}");
            assert_eq!(seen.len(), 25, "{sort:?}");
        }
        let f = CaseFilter { query: "ﾀﾛｳ1".into(), ..Default::default() };
        let page = s.case_page(&f, CaseSort::Number, None, 100).unwrap();
        assert_eq!(page.len(), 11); // 1, 10..19
    }

    #[test]
    fn the_open_count_is_all_less_the_ended_and_reads_the_status_index() {
        let mut s = Store::open_in_memory().unwrap();
        let ids: Vec<Id> = s.write(|t| (0..6).map(|n| t.save_case(&sample(n))).collect()).unwrap();
        s.write(|t| t.close_case(ids[0], CaseStatus::Closed, dt(2024, 9, 1), "転出", None)).unwrap();
        s.write(|t| t.close_case(ids[1], CaseStatus::Transferred, dt(2024, 9, 1), "転居", None)).unwrap();
        assert_eq!((s.case_count(true).unwrap(), s.case_count(false).unwrap()), (6, 4));
        // A new status fails to compile here until the count knows it.
        match CaseStatus::Open {
            CaseStatus::Open | CaseStatus::Closed | CaseStatus::Transferred => {}
        }
        assert_eq!((CaseStatus::Closed.code(), CaseStatus::Transferred.code()), ("closed", "transferred"));
        let plan =
            crate::store::query_plan(s.conn(), "SELECT count(*) FROM cases WHERE status IN ('closed', 'transferred')");
        assert!(plan.iter().all(|l| l.starts_with("SEARCH")), "{plan:?}");
    }

    #[test]
    fn paging_uses_an_index() {
        let s = Store::open_in_memory().unwrap();
        let plan = crate::store::query_plan(
            s.conn(),
            "SELECT id FROM cases WHERE status = 'open' AND (coalesce(next_review, '9999-12-31'), id) > ('2024-01-01', 5) ORDER BY coalesce(next_review, '9999-12-31'), id LIMIT 50",
        );
        let number_plan = crate::store::query_plan(
            s.conn(),
            "SELECT id FROM cases WHERE status = 'open' AND (number, id) > ('R6-001', 1) ORDER BY number, id LIMIT 50",
        );
        for p in [&plan, &number_plan] {
            assert!(p.iter().any(|l| l.contains("USING INDEX") || l.contains("USING COVERING INDEX")), "{p:?}");
            assert!(!p.iter().any(|l| l.contains("TEMP B-TREE")), "{p:?}");
        }
    }
}
