//! Ledger import: a table read by `table_reader` becomes a plan (pure: every row parsed,
//! matched against the ledger and checked, every problem listed), and a plan is applied in
//! one audited transaction. Nothing is written unless the caller applies the plan.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use unicode_normalization::UnicodeNormalization;

use super::ledger_columns::{ColumnMap, LedgerField as F, Mapping, is_id_like_header, values_are_ids};
use super::problem::{Problem, check_text};
use super::table_reader::{Cell, Row, Table, cell_date};
use crate::domain::{AbuseType, Case, CaseStatus, CgcInvolvement, Closure, Config, Registration, Sex, search};
use crate::store::{Store, StoreError};

/// How a row found its case in the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchBy {
    Number,
    NameAndBirth,
}

impl MatchBy {
    pub fn label(self) -> &'static str {
        match self {
            MatchBy::Number => "ケース番号",
            MatchBy::NameAndBirth => "氏名と生年月日",
        }
    }
}

/// The cases already in the ledger, indexed the two ways a row can match.
#[derive(Debug, Default)]
pub struct Known {
    by_number: HashMap<String, Case>,
    by_name_birth: HashMap<(String, NaiveDate), String>,
}

impl Known {
    pub fn new(cases: Vec<Case>) -> Self {
        let mut k = Known::default();
        for c in cases {
            if let Some(b) = c.birth_date {
                k.by_name_birth.insert((search::fold(&c.name), b), c.number.clone());
            }
            k.by_number.insert(c.number.clone(), c);
        }
        k
    }

    pub fn from_store(store: &Store) -> Result<Self, StoreError> {
        Ok(Known::new(store.cases(true)?))
    }
}

/// A good row: the case as it will be saved, and the institutions named by text.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub row: usize,
    pub case: Case,
    pub affiliation: Option<String>,
    pub lead: Option<String>,
    /// The 世帯 value: rows with the same one are one household.
    pub household: Option<String>,
    pub matched: Option<MatchBy>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    pub row: usize,
    /// The row's cells as text, for the rejects file the user asked for.
    pub cells: Vec<String>,
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct LedgerPlan {
    pub file: String,
    pub headers: Vec<String>,
    pub drafts: Vec<Draft>,
    pub rejected: Vec<Rejected>,
    /// Headers no field matched (reported, not fatal).
    pub unknown_columns: Vec<String>,
    pub notices: Vec<String>,
}

impl LedgerPlan {
    pub fn problems(&self) -> Vec<Problem> {
        self.rejected.iter().flat_map(|r| r.problems.iter().cloned()).collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LedgerReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// (row, case number, how it matched) for every row that found an existing case.
    pub matches: Vec<(usize, String, MatchBy)>,
}

/// Finds the header row: the first of the top 20 rows with a 氏名 column and one other field.
fn header_row(table: &Table, mapping: &Mapping) -> Result<(usize, Vec<String>, ColumnMap), Problem> {
    for (i, row) in table.rows.iter().take(20).enumerate() {
        let headers: Vec<String> = row.cells.iter().map(Cell::text).collect();
        match ColumnMap::from_headers(&headers, mapping) {
            Ok(m) if m.col(F::Name).is_some() && m.fields.len() >= 2 => return Ok((i, headers, m)),
            Err(e) if headers.iter().any(|h| !h.is_empty()) && e.contains("両方") => {
                return Err(Problem::row(&table.file, row.number, e));
            }
            _ => {}
        }
    }
    Err(Problem::file(&table.file, "見出し行が見つかりません（「氏名」と、ケース番号・生年月日などの列が必要です）"))
}

/// Parses, matches and checks every row. File-level problems (no header, two columns for
/// one field) are the error; row problems go into `rejected`.
pub fn plan(
    table: &Table,
    mapping: &Mapping,
    config: &Config,
    today: NaiveDate,
    known: &Known,
) -> Result<LedgerPlan, Problem> {
    let (hi, headers, mut map) = header_row(table, mapping)?;
    let rows = &table.rows[hi + 1..];
    let mut notices: Vec<String> = table.formula_notice().into_iter().collect();
    notices.extend(adopt_id_column(&table.file, &mut map, &headers, rows));
    let mut plan = LedgerPlan {
        file: table.file.clone(),
        headers: headers.clone(),
        unknown_columns: map.unknown.clone(),
        notices,
        ..Default::default()
    };
    // Numbers already taken, so generated ones never collide.
    let mut taken: HashSet<String> = known.by_number.keys().cloned().collect();
    if let Some(c) = map.col(F::Number) {
        taken.extend(rows.iter().map(|r| clean(&r.get(c).text())).filter(|n| !n.is_empty()));
    }
    let mut generated = 0usize;
    let mut seen_numbers: HashMap<String, usize> = HashMap::new();
    let mut seen_people: HashMap<(String, NaiveDate), usize> = HashMap::new();
    for row in rows {
        let mut p = RowParser { file: &table.file, row, map: &map, headers: &headers, problems: Vec::new() };
        let draft = p.draft(config, today, known, &mut seen_numbers, &mut seen_people);
        match draft {
            Some(mut d) if p.problems.is_empty() => {
                if d.case.number.is_empty() {
                    d.case.number = loop {
                        generated += 1;
                        let n = format!("取込-{generated:04}");
                        if taken.insert(n.clone()) {
                            break n;
                        }
                    };
                }
                plan.drafts.push(d);
            }
            _ => plan.rejected.push(Rejected {
                row: row.number,
                cells: (0..headers.len().max(row.cells.len())).map(|i| row.get(i).text()).collect(),
                problems: p.problems,
            }),
        }
    }
    Ok(plan)
}

/// Without a ケース番号 column, a 「No.」/「番号」 column holding the town's own ids (one per row,
/// none repeated, not a row count) is read as the case number; a row count is left alone
/// with a hint. Returns what the user is told.
fn adopt_id_column(file: &str, map: &mut ColumnMap, headers: &[String], rows: &[Row]) -> Option<String> {
    if map.col(F::Number).is_some() {
        return None;
    }
    // Only a column nothing else claimed (a mapping file may have said 「無視」).
    let (i, h) =
        headers.iter().enumerate().find(|(_, h)| is_id_like_header(h) && map.unknown.iter().any(|u| u == h.trim()))?;
    let h = h.trim().to_string();
    let values: Vec<String> = rows.iter().map(|r| clean(&r.get(i).text())).collect();
    if !values_are_ids(&values) {
        return Some(format!(
            "{file}: 「{h}」列は連番か重複・空欄があるため、ケース番号としては読みませんでした（ケース番号なら対応表で \"{h}\" = \"ケース番号\" としてください）"
        ));
    }
    map.fields.insert(F::Number, i);
    map.unknown.retain(|u| *u != h);
    Some(format!("{file}: 「{h}」列をケース番号として読みました（値が行ごとに違い、連番ではないため）"))
}

/// Case numbers and codes: NFKC (full-width → ASCII) and trimmed.
fn clean(s: &str) -> String {
    s.nfkc().collect::<String>().trim().to_string()
}

struct RowParser<'a> {
    file: &'a str,
    row: &'a Row,
    map: &'a ColumnMap,
    headers: &'a [String],
    problems: Vec<Problem>,
}

impl RowParser<'_> {
    fn cell(&self, f: F) -> Option<&Cell> {
        self.map.col(f).map(|c| self.row.get(c)).filter(|c| !c.is_empty())
    }

    fn header(&self, f: F) -> String {
        self.map.col(f).and_then(|c| self.headers.get(c)).map(|h| h.trim().to_string()).unwrap_or(f.header().into())
    }

    fn problem(&mut self, f: F, reason: impl Into<String>) {
        let h = self.header(f);
        self.problems.push(Problem::cell(self.file, self.row.number, &h, reason));
    }

    fn text(&mut self, f: F, multiline: bool) -> Option<String> {
        let t = self.cell(f)?.text();
        if let Err(e) = check_text(&t, multiline) {
            self.problem(f, e);
            return None;
        }
        Some(t)
    }

    fn date(&mut self, f: F) -> Option<NaiveDate> {
        match cell_date(self.cell(f)?) {
            Ok(d) => d,
            Err(e) => {
                self.problem(f, e);
                None
            }
        }
    }

    /// A coded value (not personal data, so the value may be quoted back).
    fn code<T>(&mut self, f: F, parse: impl Fn(&str) -> Option<T>, choices: &str) -> Option<T> {
        let t = self.text(f, false)?;
        let v = parse(&t);
        if v.is_none() {
            self.problem(f, format!("「{t}」は読めません（{choices}）"));
        }
        v
    }

    fn draft(
        &mut self,
        config: &Config,
        today: NaiveDate,
        known: &Known,
        seen_numbers: &mut HashMap<String, usize>,
        seen_people: &mut HashMap<(String, NaiveDate), usize>,
    ) -> Option<Draft> {
        let number = self.text(F::Number, false).map(|n| clean(&n)).unwrap_or_default();
        let name = self.text(F::Name, false).unwrap_or_default();
        let birth = self.date(F::BirthDate);
        let me = self.row.number;
        if !number.is_empty()
            && let Some(first) = seen_numbers.insert(number.clone(), me)
        {
            self.problem(F::Number, format!("ケース番号「{number}」が {first} 行目と重複しています"));
        }
        let person = birth.map(|b| (search::fold(&name), b));
        if number.is_empty()
            && let Some(key) = &person
            && let Some(first) = seen_people.insert(key.clone(), me)
        {
            self.problem(F::Name, format!("{first} 行目と氏名・生年月日が同じです"));
        }
        if !number.is_empty()
            && !known.by_number.contains_key(&number)
            && let Some(other) = person.as_ref().and_then(|k| known.by_name_birth.get(k))
        {
            // Same child under another number: importing would register them twice.
            self.problem(
                F::Number,
                format!(
                    "氏名・生年月日が既存のケース {other} と同じです（ケース番号が違います）。番号を揃えてください"
                ),
            );
        }
        let matched = if known.by_number.contains_key(&number) {
            Some((MatchBy::Number, number.clone()))
        } else if number.is_empty() {
            person.as_ref().and_then(|k| known.by_name_birth.get(k)).map(|n| (MatchBy::NameAndBirth, n.clone()))
        } else {
            None
        };
        let mut c = match &matched {
            Some((_, n)) => known.by_number[n].clone(),
            None => {
                let mut c = Case::blank(today);
                c.number = number.clone();
                c
            }
        };
        let is_new = matched.is_none();
        if !name.is_empty() {
            c.name = name;
        }
        if let Some(b) = birth {
            c.birth_date = Some(b);
        }
        if let Some(v) = self.text(F::Kana, false) {
            c.kana = v;
        }
        if let Some(v) = self.code(F::Sex, Sex::parse, "男/女") {
            c.sex = v;
        }
        if let Some(v) = self.date(F::DueDate) {
            c.due_date = Some(v);
        }
        if let Some(v) = self.code(F::Registration, Registration::parse, "要保護/要支援/特定妊婦") {
            c.registration = v;
        }
        if let Some(t) = self.text(F::AbuseTypes, false) {
            match AbuseType::parse_list(&t) {
                Ok(v) => c.abuse_types = v,
                Err(e) => self.problem(F::AbuseTypes, e),
            }
        }
        if let Some(v) = self.text(F::Town, false) {
            c.town = v;
        }
        if let Some(v) = self.date(F::AcceptedOn) {
            c.accepted_on = v;
        } else if is_new && self.cell(F::AcceptedOn).is_none() {
            self.problem(F::AcceptedOn, "受理日が空です");
        }
        if let Some(v) = self.text(F::Concern, true) {
            c.presenting_concern = v;
        }
        let affiliation = self.text(F::Affiliation, false);
        let lead = self.text(F::LeadAgency, false);
        if let Some(v) = self.text(F::Grade, false) {
            c.grade = v;
        }
        if let Some(v) = self.text(F::KeyWorker, false) {
            c.key_worker = v;
        }
        if let Some(v) =
            self.code(F::Cgc, CgcInvolvement::parse, "なし/情報共有/児童福祉司指導/一時保護/措置中/家庭復帰")
        {
            c.cgc = v;
        }
        if let Some(v) = self.text(F::Policy, true) {
            c.support_policy = v;
        }
        if let Some(v) = self.text(F::Notes, true) {
            c.notes = v;
        }
        if let Some(v) = self.code(F::MonthlyReport, crate::domain::ReportDesignation::parse, "既定/対象/対象外（○/×）")
        {
            c.monthly_report = v;
        }
        if let Some(v) = self.text(F::People, true) {
            match crate::domain::case::parse_people(&v) {
                Ok(_) => c.people = v,
                Err(e) => self.problem(F::People, e),
            }
        }
        if let Some(v) = self.date(F::LastReview) {
            c.last_review = Some(v);
        }
        if let Some(v) = self.date(F::NextReview) {
            c.next_review = Some(v);
        }
        let scheme = config.rank_scheme(c.registration);
        match self.text(F::Rank, false).map(|r| clean(&r)) {
            Some(r) if scheme.get(&r).is_some() => c.rank = r,
            Some(r) => {
                let codes: Vec<_> = scheme.ranks().iter().map(|r| r.code.as_str()).collect();
                self.problem(F::Rank, format!("ランク「{r}」は設定にありません（{}）", codes.join("/")));
            }
            None if scheme.get(&c.rank).is_none() => {
                c.rank = scheme.ranks().last().map(|r| r.code.clone()).unwrap_or_default();
            }
            None => {}
        }
        if is_new && c.next_review.is_none() {
            c.next_review = Some(scheme.next_review(&c.rank, today, &config.business_calendar()));
        }
        if let Some(s) = self.code(F::Status, CaseStatus::parse, "継続/終結/移管") {
            c.status = s;
        }
        let closed_on = self.date(F::ClosedOn);
        let reason = self.text(F::CloseReason, true);
        if c.status != CaseStatus::Open && (closed_on.is_some() || reason.is_some() || c.closure.is_none()) {
            let old = c.closure.take();
            c.closure = Some(Closure {
                on: closed_on.or(old.as_ref().map(|o| o.on)).unwrap_or(today),
                reason: reason.or(old.as_ref().map(|o| o.reason.clone())).unwrap_or_default(),
                category: old.as_ref().map(|o| o.category.clone()).unwrap_or_default(),
                meeting_id: old.and_then(|o| o.meeting_id),
            });
        } else if c.status == CaseStatus::Open {
            c.closure = None;
        }
        if let Err(errs) = c.validate() {
            for (field, message) in errs {
                if field == "ケース番号" {
                    continue; // generated after the checks
                }
                let f = F::ALL.into_iter().find(|f| f.header() == field).unwrap_or(F::Name);
                // A required value whose column is missing altogether.
                let h = if self.map.col(f).is_some() { self.header(f) } else { field.to_string() };
                // A value that did not read is already reported; "empty" would mislead.
                if self.problems.iter().any(|p| p.column.as_deref() == Some(h.as_str())) {
                    continue;
                }
                self.problems.push(Problem::cell(self.file, self.row.number, &h, message));
            }
        }
        let household = self.text(F::Household, false).map(|h| clean(&h));
        Some(Draft { row: self.row.number, case: c, affiliation, lead, household, matched: matched.map(|m| m.0) })
    }
}

/// Applies the good rows in one transaction: institutions named by text are found or
/// created, rows with the same 世帯 value put in one household, new cases added, matched
/// cases updated (a row that changes nothing writes nothing).
pub fn apply(store: &mut Store, plan: &LedgerPlan) -> Result<LedgerReport, StoreError> {
    store.write(|t| {
        let mut rep = LedgerReport::default();
        let mut households: HashMap<String, crate::domain::Id> = HashMap::new();
        for d in &plan.drafts {
            let mut c = d.case.clone();
            if let Some(key) = &d.household {
                let id = match households.get(key) {
                    Some(id) => *id,
                    // The case's own household, or that of the member the value names (an
                    // export names a household by its first member's number), or a new one.
                    None => match c.household_id.or(match t.case_id_by_number(key)? {
                        Some(id) => t.case(id)?.household_id,
                        None => None,
                    }) {
                        Some(id) => id,
                        None => t.save_household(&crate::domain::Household {
                            id: 0,
                            name: key.clone(),
                            town: c.town.clone(),
                            note: String::new(),
                        })?,
                    },
                };
                households.insert(key.clone(), id);
                c.household_id = Some(id);
            }
            if let Some(n) = &d.affiliation {
                c.affiliation = Some(t.agency_by_name_or_create(n)?);
            }
            if let Some(n) = &d.lead {
                c.lead_agency = Some(t.agency_by_name_or_create(n)?);
            }
            match d.matched {
                None => {
                    t.save_case(&c)?;
                    rep.created += 1;
                }
                Some(by) => {
                    rep.matches.push((d.row, c.number.clone(), by));
                    if t.case(c.id)? == c {
                        rep.unchanged += 1;
                    } else {
                        t.save_case(&c)?;
                        rep.updated += 1;
                    }
                }
            }
        }
        Ok(rep)
    })
}

/// The rejected rows as CSV (UTF-8 with BOM, so Excel opens it): the file's own headers plus
/// the reasons, so the user can fix them and import that file again.
pub fn rejects_csv(plan: &LedgerPlan) -> Vec<u8> {
    let mut headers = plan.headers.clone();
    headers.push("取込できなかった理由".into());
    let rows = plan.rejected.iter().map(|r| {
        let mut cells = r.cells.clone();
        cells.resize(plan.headers.len(), String::new());
        let reasons: Vec<String> = r
            .problems
            .iter()
            .map(|p| match &p.column {
                Some(c) => format!("{c}: {}", p.reason),
                None => p.reason.clone(),
            })
            .collect();
        cells.push(reasons.join(" / "));
        cells
    });
    super::table_writer::csv_bytes(&headers, rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::table_reader::{Limits, read_bytes};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
    }

    fn plan_of(csv: &str, known: &Known) -> LedgerPlan {
        let t = read_bytes("台帳.csv", csv.as_bytes(), Limits::default()).unwrap();
        plan(&t, &Mapping::default(), &Config::default(), today(), known).unwrap()
    }

    #[test]
    fn reads_a_row_with_wareki_dates_and_variants() {
        let p = plan_of(
            "令和6年度 進行管理台帳\nフリガナ,児童氏名,誕生日,区分,緊急度,受理年月日,学校・園,備考\nやまだ たろう,山田 太郎,H27.5.5,要保護,B,R6.4.1,高浜小学校,メモ\n",
            &Known::default(),
        );
        assert!(p.rejected.is_empty(), "{:?}", p.problems());
        assert!(p.unknown_columns.is_empty(), "{:?}", p.unknown_columns);
        let d = &p.drafts[0];
        assert_eq!(d.row, 3);
        assert_eq!(d.case.birth_date, NaiveDate::from_ymd_opt(2015, 5, 5));
        assert_eq!(d.case.accepted_on, NaiveDate::from_ymd_opt(2024, 4, 1).unwrap());
        assert_eq!(d.case.registration, Registration::NeedsProtection);
        assert_eq!(d.case.rank, "B");
        assert_eq!(d.affiliation.as_deref(), Some("高浜小学校"));
        assert_eq!(d.case.number, "取込-0001");
        assert_eq!(d.case.notes, "メモ", "備考 is kept");
    }

    #[test]
    fn every_problem_is_listed_without_personal_values() {
        let p = plan_of(
            "ケース番号,氏名,生年月日,登録区分,ランク,受理日\nR6-001,山田 太郎,2015/13/1,その他,Z,R6.4.1\nR6-001,,2015/1/1,要支援,C,\n",
            &Known::default(),
        );
        let probs: Vec<String> = p.problems().iter().map(|p| p.to_string()).collect();
        assert!(p.drafts.is_empty());
        assert!(probs.iter().any(|s| s.contains("2行目 「生年月日」列") && !s.contains("2015")), "{probs:?}");
        assert!(probs.iter().any(|s| s.contains("「登録区分」列") && s.contains("その他")), "{probs:?}");
        assert!(probs.iter().any(|s| s.contains("ランク「Z」")), "{probs:?}");
        assert!(probs.iter().any(|s| s.contains("3行目") && s.contains("重複")), "{probs:?}");
        assert!(probs.iter().any(|s| s.contains("3行目 「氏名」列: 氏名が空です")), "{probs:?}");
        assert!(probs.iter().any(|s| s.contains("3行目 「受理日」列")), "{probs:?}");
    }

    #[test]
    fn rejects_bidi_overrides_in_names() {
        let p = plan_of("氏名,生年月日,受理日\n山田\u{202E}太郎,2015/1/1,2024/4/1\n", &Known::default());
        assert!(p.problems()[0].reason.contains("向き"));
    }

    #[test]
    fn matches_by_number_then_name_and_birth() {
        let mut c = Case::blank(NaiveDate::from_ymd_opt(2024, 4, 1).unwrap());
        c.id = 7;
        c.number = "R6-010".into();
        c.name = "山田 太郎".into();
        c.birth_date = NaiveDate::from_ymd_opt(2015, 5, 5);
        c.rank = "C".into();
        let known = Known::new(vec![c]);
        let p = plan_of("氏名,生年月日,ランク,受理日\nヤマダ 太郎,2015/5/5,B,R6.4.1\n", &known);
        assert!(p.rejected.is_empty(), "{:?}", p.problems());
        assert_eq!(p.drafts[0].matched, None, "kana spelling differs from the kanji name: no match");
        let p = plan_of("氏名,生年月日,ランク\n山田　太郎,2015/5/5,B\n", &known);
        assert_eq!(p.drafts[0].matched, Some(MatchBy::NameAndBirth));
        assert_eq!(p.drafts[0].case.id, 7);
        assert_eq!(p.drafts[0].case.rank, "B");
        let p = plan_of("ケース番号,氏名\nR6-010,山田 太郎\n", &known);
        assert_eq!(p.drafts[0].matched, Some(MatchBy::Number));
        let p = plan_of("ケース番号,氏名,生年月日,受理日\nX-1,山田 太郎,2015/5/5,2024/4/1\n", &known);
        assert!(p.problems()[0].reason.contains("既存のケース R6-010 と同じ"), "{:?}", p.problems());
    }

    #[test]
    fn a_no_column_of_the_towns_ids_is_the_case_number_and_a_row_count_is_not() {
        let p = plan_of(
            "No.,氏名,生年月日,受理日\nR001,山田 太郎,2015/1/1,2024/4/1\nR007,山田 花子,2016/1/1,2024/4/1\n",
            &Known::default(),
        );
        assert!(p.problems().is_empty(), "{:?}", p.problems());
        assert_eq!(p.drafts.iter().map(|d| d.case.number.as_str()).collect::<Vec<_>>(), ["R001", "R007"]);
        assert!(p.unknown_columns.is_empty());
        assert!(p.notices.iter().any(|n| n.contains("「No.」列をケース番号として読みました")), "{:?}", p.notices);
        let p = plan_of(
            "番号,氏名,生年月日,受理日\n1,山田 太郎,2015/1/1,2024/4/1\n2,山田 花子,2016/1/1,2024/4/1\n",
            &Known::default(),
        );
        assert_eq!(p.drafts[0].case.number, "取込-0001");
        assert!(p.notices.iter().any(|n| n.contains("「番号」列は連番") && n.contains("対応表")), "{:?}", p.notices);
    }

    #[test]
    fn variant_spellings_of_one_child_are_one_child() {
        let mut c = Case::blank(NaiveDate::from_ymd_opt(2024, 4, 1).unwrap());
        c.id = 8;
        c.number = "R6-020".into();
        c.name = "葛城 美咲".into();
        c.birth_date = NaiveDate::from_ymd_opt(2016, 3, 3);
        c.rank = "C".into();
        let known = Known::new(vec![c]);
        for typed in ["葛\u{E0100}城 美咲", "葛\u{E0100}城　美咲"] {
            let p = plan_of(&format!("氏名,生年月日,受理日\n{typed},2016/3/3,2024/4/1\n"), &known);
            assert_eq!(p.drafts[0].matched, Some(MatchBy::NameAndBirth), "{typed}");
            assert_eq!(p.drafts[0].case.id, 8);
            assert_eq!(p.drafts[0].case.name, typed, "the spelling as typed is kept");
        }
        let p = plan_of(
            "ケース番号,氏名,生年月日,受理日\nX-2,髙橋 はな,2016/3/3,2024/4/1\nX-3,高橋 はな,2016/3/3,2024/4/1\n",
            &Known::default(),
        );
        assert!(p.problems().is_empty(), "numbered rows are two cases unless a known one matches");
        let p = plan_of(
            "氏名,生年月日,受理日\n髙橋 はな,2016/3/3,2024/4/1\n高橋 はな,2016/3/3,2024/4/1\n",
            &Known::default(),
        );
        assert!(p.problems().iter().any(|p| p.reason.contains("2 行目と氏名・生年月日が同じ")), "{:?}", p.problems());
    }
}
