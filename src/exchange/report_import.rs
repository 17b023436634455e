//! Filled 定期的な情報提供 files in (the layout `report_template` writes, as .xlsx or .csv), to
//! the standards of the assessment sheets: every cell checked, every row matched to its child
//! (ケース番号 and the folded name) and institution through `sheet_plan::Lookup`, every problem
//! of every file in one run, two versions of one report settled by 記入日, nothing stored
//! unless all is well.

use std::collections::HashMap;

use chrono::NaiveDate;
use unicode_normalization::UnicodeNormalization;

use super::ledger_columns::normalize;
use super::problem::{Problem, check_text};
use super::report_template::{COLUMNS, Kind};
use super::sheet_import::{Fixed, Head, fixed_column, header_row, is_tick, meta, name_cell, read_head};
use super::sheet_plan::{Choice, FileOutcome, Lookup, Prefer, RowKey, labels, version};
use super::sheet_template::{DUE, NAME, NUMBER};
use super::table_reader::{Cell, Table, cell_date};
use crate::domain::Id;
use crate::domain::attendance::{self as att, MONTH, MonthlyReport, first_of_month, month_label};
use crate::domain::config::MonthlyReports;
use crate::domain::sheet::Written;
use crate::store::{Store, StoreError};

/// One child's row as the institution wrote it (ids not yet known).
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    pub row: usize,
    pub number: String,
    pub name: String,
    pub kana: String,
    pub report: MonthlyReport,
}

/// One institution's file, with every problem found while reading it.
#[derive(Debug, Clone, Default)]
pub struct ReportFile {
    pub file: String,
    pub head: Head,
    pub month: Option<NaiveDate>,
    pub rows: Vec<ReportRow>,
    /// Rows left blank: the child's report is still missing.
    pub blank: usize,
    /// The file's modification time, the tie-break between two versions with one 記入日.
    pub file_time: Option<i64>,
    pub problems: Vec<Problem>,
}

/// True when the table holds a monthly report (the sheet of a workbook to read).
pub fn is_report(table: &Table) -> bool {
    header_row(table).is_some_and(|hi| meta(table, hi, MONTH).is_some())
}

enum Col {
    Fixed(Fixed),
    Field(usize),
}

fn count_of(c: &Cell, label: &str, max: i32) -> Result<Option<u32>, String> {
    let hint = || format!("{label}は 0〜{max} の整数で記入してください");
    let n = match c {
        Cell::Empty => return Ok(None),
        Cell::Number(n) => *n,
        Cell::Text(t) if t.trim().is_empty() => return Ok(None),
        Cell::Text(t) => {
            let t: String = t.nfkc().collect::<String>();
            t.trim().trim_end_matches(['日', '回']).trim().parse::<f64>().map_err(|_| hint())?
        }
        _ => return Err(hint()),
    };
    if !n.is_finite() || n < 0.0 || n > f64::from(max) || n.fract() != 0.0 {
        return Err(format!("{label} {n} は 0〜{max} の整数ではありません"));
    }
    Ok(Some(n as u32))
}

/// Reads one filled template. Pure: `today` bounds the month (a report on a month not begun
/// is a mistake), and the store is not consulted.
pub fn parse(table: &Table, today: NaiveDate) -> ReportFile {
    let file = table.file.as_str();
    let mut out = ReportFile { file: file.to_string(), ..ReportFile::default() };
    let problems = &mut out.problems;
    let Some(hi) = header_row(table) else {
        problems.push(Problem::file(
            file,
            "定期的な情報提供の見出し行（「ケース番号」）が見つかりません。shinko reports templates で作った様式を使ってください",
        ));
        return out;
    };
    let Some((month_row, month_cell)) = meta(table, hi, MONTH) else {
        let why = if meta(table, hi, DUE).is_some() {
            "アセスメントシートの様式です。shinko sheets import で取り込んでください".to_string()
        } else {
            format!("「{MONTH}」がありません。shinko reports templates で作った様式を使ってください")
        };
        problems.push(Problem::file(file, why));
        return out;
    };
    out.head = read_head(table, hi, problems);
    let month = match cell_date(month_cell) {
        Ok(Some(d)) => Ok(first_of_month(d)),
        _ => att::parse_month(&month_cell.text()),
    };
    match month {
        Ok(m) if m > first_of_month(today) => problems.push(Problem::cell(
            file,
            month_row,
            MONTH,
            format!("{} はまだ来ていない月です（対象月を確かめてください）", month_label(m)),
        )),
        Ok(m) => out.month = Some(m),
        Err(e) => problems.push(Problem::cell(file, month_row, MONTH, e)),
    }

    let header = &table.rows[hi];
    let mut cols: Vec<(usize, Col)> = Vec::new();
    for (i, cell) in header.cells.iter().enumerate() {
        let h = cell.text();
        let n = normalize(&h);
        if n.is_empty() {
            continue;
        }
        let col = if let Some(f) = fixed_column(&n) {
            Col::Fixed(f)
        } else if let Some(k) = COLUMNS.iter().position(|(label, _)| normalize(label) == n) {
            Col::Field(k)
        } else {
            problems.push(Problem::unknown_header(file, header.number, i, &h, "定期的な情報提供の様式"));
            continue;
        };
        cols.push((i, col));
    }
    for (label, _) in COLUMNS.iter().take(3) {
        if !cols.iter().any(|(_, c)| matches!(c, Col::Field(k) if COLUMNS[*k].0 == *label)) {
            problems.push(Problem::row(file, header.number, format!("「{label}」の列がありません")));
        }
    }

    for r in &table.rows[hi + 1..] {
        let number: String = r.get(0).text().nfkc().collect::<String>().trim().to_string();
        let mut counts: HashMap<&str, u32> = HashMap::new();
        let mut texts: HashMap<&str, String> = HashMap::new();
        let (mut name, mut kana, mut moved, mut filled) = (String::new(), String::new(), false, false);
        let before = problems.len();
        for (i, col) in &cols {
            let cell = r.get(*i);
            match col {
                Col::Fixed(Fixed::Number | Fixed::ClassAge) => {}
                Col::Fixed(Fixed::Name) => name = name_cell(cell, file, r.number, NAME, problems),
                Col::Fixed(Fixed::Kana) => kana = name_cell(cell, file, r.number, "ふりがな", problems),
                Col::Field(k) => {
                    let (label, kind) = &COLUMNS[*k];
                    filled |= !cell.is_empty() && !cell.text().trim().is_empty();
                    match kind {
                        Kind::Count(max) => match count_of(cell, label, *max) {
                            Ok(Some(n)) => {
                                counts.insert(label, n);
                            }
                            Ok(None) => {}
                            Err(e) => problems.push(Problem::cell(file, r.number, label, e)),
                        },
                        Kind::Text => {
                            let t = cell.text();
                            match check_text(&t, true) {
                                Ok(()) => {
                                    texts.insert(label, t.trim().to_string());
                                }
                                Err(e) => problems.push(Problem::cell(file, r.number, label, e)),
                            }
                        }
                        Kind::Tick => match is_tick(&cell.text()) {
                            Some(t) => moved = t,
                            None => problems.push(Problem::cell(
                                file,
                                r.number,
                                label,
                                "該当する場合は「○」、該当しない場合は空欄にしてください",
                            )),
                        },
                    }
                }
            }
        }
        if number.is_empty() {
            if filled {
                problems.push(Problem::cell(file, r.number, NUMBER, "ケース番号が空です"));
            }
            continue;
        }
        if !filled {
            out.blank += 1;
            continue;
        }
        for label in [att::SCHOOL_DAYS, att::ATTENDED, att::ABSENT] {
            if !counts.contains_key(label) && problems.len() == before {
                problems.push(Problem::cell(
                    file,
                    r.number,
                    label,
                    format!("{label}が空です（0 以上の整数で記入してください）"),
                ));
            }
        }
        let n = |label: &str| counts.get(label).copied().unwrap_or(0);
        let text = |label: &str| texts.get(label).cloned().unwrap_or_default();
        let report = MonthlyReport {
            id: 0,
            case_id: 0,
            agency_id: 0,
            month: out.month.unwrap_or_default(),
            school_days: counts.get(att::SCHOOL_DAYS).copied(),
            attended: n(att::ATTENDED),
            absent: n(att::ABSENT),
            absent_notified: n(att::NOTIFIED),
            absent_unnotified: n(att::UNNOTIFIED),
            late_early: n(att::LATE_EARLY),
            longest_absence: n(att::LONGEST),
            absence_reason: text(att::REASON),
            observations: text(att::OBSERVATIONS),
            remarks: text(att::REMARKS),
            moved,
            writer: out.head.writer.clone(),
            written_on: out.head.written_on,
            source: file.to_string(),
            urgent: false,
        };
        if problems.len() == before {
            // The month is the file's, said once above.
            for (label, reason) in att::problems(&report, today).into_iter().filter(|(l, _)| *l != MONTH) {
                problems.push(Problem::cell(file, r.number, label, reason));
            }
        }
        out.rows.push(ReportRow { row: r.number, number, name, kana, report });
    }
    out
}

/// What an import will store, what it found wrong, and what it says per file.
#[derive(Debug, Clone, Default)]
pub struct ReportPlan {
    pub reports: Vec<MonthlyReport>,
    /// Reports that replace one already stored.
    pub replacing: usize,
    /// Versions not kept because another version of the same report is later.
    pub dropped: usize,
    /// Rows the same as the report already stored (a file sent again).
    pub unchanged: usize,
    pub blank_rows: usize,
    pub files: Vec<FileOutcome>,
    pub choices: Vec<Choice>,
    /// Every problem of every file; any one stops the import.
    pub problems: Vec<Problem>,
}

/// A report kept so far for a (case, institution, month): its index in the plan, its file,
/// when it was written, and whether it replaces a stored one.
type Chosen = (usize, usize, Written, bool);

/// The same report without where and when it was read: what a file sent again repeats.
fn same(a: &MonthlyReport, b: &MonthlyReport) -> bool {
    let strip = |r: &MonthlyReport| MonthlyReport { id: 0, source: String::new(), ..r.clone() };
    strip(a) == strip(b)
}

/// Matches every row of every file to its case and institution and settles two versions of
/// one report by 記入日 (then the file's time; a tie goes to the one imported now). Only a
/// database error is an `Err`.
pub fn plan(store: &Store, files: &[ReportFile]) -> Result<ReportPlan, StoreError> {
    let mut out = ReportPlan::default();
    let names = labels(&files.iter().map(|f| f.file.as_str()).collect::<Vec<_>>());
    let mut look = Lookup::new(store)?;
    let mut chosen: HashMap<(Id, Id, NaiveDate), Chosen> = HashMap::new();
    let mut outcomes: Vec<FileOutcome> = files
        .iter()
        .map(|f| FileOutcome {
            file: f.file.clone(),
            agency_code: f.head.agency_code.clone(),
            blank: f.blank,
            unfilled: f.rows.is_empty(),
            ..FileOutcome::default()
        })
        .collect();
    let mut problems: Vec<(usize, Problem)> = Vec::new();
    let mut found = Vec::new();
    for (fi, f) in files.iter().enumerate() {
        out.blank_rows += f.blank;
        problems.extend(f.problems.iter().cloned().map(|p| (fi, p)));
        let h = &f.head;
        let agency = look.agency(&f.file, &h.agency_code, h.agency_code_row, h.agency_name.as_ref(), &mut found)?;
        problems.extend(found.drain(..).map(|p| (fi, p)));
        let written = Written { on: h.written_on, file_time: f.file_time };
        for r in &f.rows {
            let key = RowKey { row: r.row, number: &r.number, name: &r.name, kana: &r.kana };
            let case = look.check_row(&f.file, key, agency.as_ref(), &mut found)?;
            problems.extend(found.drain(..).map(|p| (fi, p)));
            let (Some(case), Some(agency), Some(month)) = (case, &agency, f.month) else { continue };
            let report = MonthlyReport { case_id: case.id, agency_id: agency.id, month, ..r.report.clone() };
            let choice = |kept: String, dropped: String, same_day: bool| Choice {
                number: r.number.clone(),
                agency_code: agency.code.clone(),
                period: month,
                kept,
                dropped,
                same_day,
            };
            let slot = (case.id, agency.id, month);
            if let Some(&(i, other, theirs, replaces)) = chosen.get(&slot) {
                let mine_wins = Prefer::New.keeps(written, theirs);
                let (me, them) = (version(&names[fi], h.written_on, false), version(&names[other], theirs.on, false));
                out.dropped += 1;
                if mine_wins {
                    out.choices.push(choice(me, them, written.on == theirs.on));
                    outcomes[other].dropped += 1;
                    outcomes[other].stored -= 1;
                    outcomes[fi].stored += 1;
                    if replaces {
                        outcomes[other].replacing -= 1;
                        outcomes[fi].replacing += 1;
                    }
                    out.reports[i] = report;
                    chosen.insert(slot, (i, fi, written, replaces));
                } else {
                    out.choices.push(choice(them, me, written.on == theirs.on));
                    outcomes[fi].dropped += 1;
                }
                continue;
            }
            let mut replaces = false;
            if let Some(old) = store.monthly_report_for(case.id, agency.id, month, false)? {
                if same(&old, &report) {
                    out.unchanged += 1;
                    outcomes[fi].unchanged += 1;
                    continue;
                }
                let theirs = Written { on: old.written_on, file_time: None };
                let (me, stored) =
                    (version(&names[fi], h.written_on, false), version(&old.source, old.written_on, true));
                if !Prefer::New.keeps(written, theirs) {
                    out.choices.push(choice(stored, me, written.on == theirs.on));
                    out.dropped += 1;
                    outcomes[fi].dropped += 1;
                    continue;
                }
                out.choices.push(choice(me, stored, written.on == theirs.on));
                out.replacing += 1;
                outcomes[fi].replacing += 1;
                replaces = true;
            }
            chosen.insert(slot, (out.reports.len(), fi, written, replaces));
            out.reports.push(report);
            outcomes[fi].stored += 1;
        }
    }
    for (fi, _) in &problems {
        outcomes[*fi].problems += 1;
    }
    out.problems = problems.into_iter().map(|(_, p)| p).collect();
    out.files = outcomes;
    Ok(out)
}

/// What one import stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Applied {
    pub reports: usize,
    /// Alerts raised, and on how many cases.
    pub alerts: usize,
    pub cases_alerted: usize,
}

/// Stores every planned report in one transaction, raising their alerts.
pub fn apply(store: &mut Store, plan: &ReportPlan, cfg: &MonthlyReports) -> Result<Applied, StoreError> {
    store.write(|t| {
        let mut out = Applied { reports: plan.reports.len(), ..Applied::default() };
        let mut alerted = std::collections::BTreeSet::new();
        for r in &plan.reports {
            let (_, raised) = t.save_monthly_report(r, cfg)?;
            if !raised.is_empty() {
                out.alerts += raised.len();
                alerted.insert(r.case_id);
            }
        }
        out.cases_alerted = alerted.len();
        Ok(out)
    })
}
