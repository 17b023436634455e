//! Filled アセスメントシート in (the layout `sheet_template` writes, as .xlsx or .csv): every
//! cell checked, every sheet matched to its case and institution, duplicates for the same
//! period reported unless the user said which wins, and all files stored in one transaction.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use unicode_normalization::UnicodeNormalization;

use super::ledger_columns::normalize;
use super::problem::{Problem, Problems, check_text, column_letter};
use super::sheet_template::{AGENCY_CODE, CLASS_AGE, DUE, NAME, NUMBER, SCALE, WRITER, WRITTEN_ON};
use super::table_reader::{Cell, Table, cell_date};
use crate::domain::config::{SheetItem, SheetItemKind};
use crate::domain::{AssessmentSheet, Id};
use crate::store::{Store, StoreError};

/// Which submission wins when a sheet for the same case, institution and period exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefer {
    /// The one imported now (or the later file of this import).
    New,
    /// The one already stored (or the earlier file of this import).
    Old,
}

/// One child's row as written by the institution.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetRow {
    pub row: usize,
    pub number: String,
    pub checks: Vec<String>,
    pub notes: BTreeMap<String, String>,
    pub scale: Option<u8>,
}

/// One institution's file.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetFile {
    pub file: String,
    pub agency_code: String,
    pub period: NaiveDate,
    pub writer: String,
    pub written_on: Option<NaiveDate>,
    pub rows: Vec<SheetRow>,
    /// Rows the institution left blank (no tick, no text, no scale).
    pub blank: usize,
}

enum Col {
    Number,
    Ignored,
    Item(usize),
    Scale,
}

fn is_tick(s: &str) -> Option<bool> {
    let t: String = s.nfkc().collect::<String>().trim().to_uppercase();
    match t.as_str() {
        "○" | "〇" | "◯" | "●" | "✓" | "✔" | "レ" | "V" | "1" | "はい" | "あり" | "有" | "TRUE" => {
            Some(true)
        }
        "" | "×" | "-" | "ー" | "なし" | "無" | "いいえ" | "0" | "FALSE" => Some(false),
        _ => None,
    }
}

fn scale_of(c: &Cell) -> Result<Option<u8>, String> {
    let n = match c {
        Cell::Empty => return Ok(None),
        Cell::Number(n) => *n,
        Cell::Text(t) if t.trim().is_empty() => return Ok(None),
        Cell::Text(t) => t
            .nfkc()
            .collect::<String>()
            .trim()
            .parse::<f64>()
            .map_err(|_| "セーフティスケールは 0〜10 の整数で記入してください".to_string())?,
        _ => return Err("セーフティスケールは 0〜10 の整数で記入してください".into()),
    };
    if n.fract() != 0.0 || !(0.0..=10.0).contains(&n) {
        return Err(format!("セーフティスケール {n} は範囲外です（0〜10 の整数）"));
    }
    Ok(Some(n as u8))
}

/// Reads one filled template. Pure: the store is not consulted.
pub fn parse(table: &Table, items: &[SheetItem]) -> Result<SheetFile, Vec<Problem>> {
    let file = table.file.as_str();
    let mut problems = Vec::new();
    let Some(hi) = table.rows.iter().take(40).position(|r| normalize(&r.get(0).text()) == normalize(NUMBER)) else {
        return Err(vec![Problem::file(
            file,
            "アセスメントシートの見出し行（「ケース番号」）が見つかりません。shinko sheets templates で作った様式を使ってください",
        )]);
    };
    // Header block: label in column A, value in column B.
    let meta = |label: &str| {
        table.rows[..hi].iter().find(|r| normalize(&r.get(0).text()) == normalize(label)).map(|r| (r.number, r.get(1)))
    };
    let agency_code = match meta(AGENCY_CODE) {
        Some((_, c)) if !c.is_empty() => c.text(),
        _ => {
            problems.push(Problem::file(file, format!("「{AGENCY_CODE}」がありません")));
            String::new()
        }
    };
    let period = match meta(DUE).map(|(n, c)| (n, cell_date(c))) {
        Some((_, Ok(Some(d)))) => Some(d),
        Some((n, Err(e))) => {
            problems.push(Problem::cell(file, n, DUE, e));
            None
        }
        _ => {
            problems.push(Problem::file(file, format!("「{DUE}」がありません")));
            None
        }
    };
    let writer = meta(WRITER).map(|(_, c)| c.text()).unwrap_or_default();
    if let Err(e) = check_text(&writer, false) {
        problems.push(Problem::cell(file, meta(WRITER).map(|m| m.0).unwrap_or(0), WRITER, e));
    }
    let written_on = match meta(WRITTEN_ON).map(|(n, c)| (n, cell_date(c))) {
        Some((_, Ok(d))) => d,
        Some((n, Err(e))) => {
            problems.push(Problem::cell(file, n, WRITTEN_ON, e));
            None
        }
        None => None,
    };

    let header = &table.rows[hi];
    let mut cols: Vec<(usize, Col, String)> = Vec::new();
    for (i, cell) in header.cells.iter().enumerate() {
        let h = cell.text();
        let n = normalize(&h);
        if n.is_empty() {
            continue;
        }
        let col = if n == normalize(NUMBER) {
            Col::Number
        } else if n == normalize(NAME) || n == normalize(CLASS_AGE) {
            Col::Ignored
        } else if n == normalize(SCALE) || n.starts_with("セーフティスケール") {
            Col::Scale
        } else if let Some(k) = items.iter().position(|it| normalize(&it.label) == n || it.key == h.trim()) {
            Col::Item(k)
        } else {
            problems.push(Problem::cell(
                file,
                header.number,
                &column_letter(i),
                format!("見出し「{}」は設定のシート項目にありません（様式を作り直してください）", h.trim()),
            ));
            continue;
        };
        cols.push((i, col, h.trim().to_string()));
    }

    let mut rows = Vec::new();
    let mut blank = 0;
    for r in &table.rows[hi + 1..] {
        let number: String = r.get(0).text().nfkc().collect::<String>().trim().to_string();
        let mut out = SheetRow { row: r.number, number, checks: Vec::new(), notes: BTreeMap::new(), scale: None };
        let mut filled = false;
        for (i, col, h) in &cols {
            let cell = r.get(*i);
            match col {
                Col::Number | Col::Ignored => {}
                Col::Scale => match scale_of(cell) {
                    Ok(v) => {
                        filled |= v.is_some();
                        out.scale = v;
                    }
                    Err(e) => problems.push(Problem::cell(file, r.number, h, e)),
                },
                Col::Item(k) => {
                    let it = &items[*k];
                    let t = cell.text();
                    match it.kind {
                        SheetItemKind::Check => match is_tick(&t) {
                            Some(true) => {
                                filled = true;
                                out.checks.push(it.key.clone());
                            }
                            Some(false) => {}
                            None => problems.push(Problem::cell(
                                file,
                                r.number,
                                h,
                                "チェック欄には「○」か空欄を記入してください",
                            )),
                        },
                        SheetItemKind::Text if !t.is_empty() => match check_text(&t, true) {
                            Ok(()) => {
                                filled = true;
                                out.notes.insert(it.key.clone(), t);
                            }
                            Err(e) => problems.push(Problem::cell(file, r.number, h, e)),
                        },
                        SheetItemKind::Text => {}
                    }
                }
            }
        }
        if out.number.is_empty() {
            if filled {
                problems.push(Problem::cell(file, r.number, NUMBER, "ケース番号が空です"));
            }
            continue;
        }
        if filled {
            rows.push(out);
        } else {
            blank += 1;
        }
    }
    match (problems.is_empty(), period) {
        (true, Some(period)) => {
            Ok(SheetFile { file: file.to_string(), agency_code, period, writer, written_on, rows, blank })
        }
        _ => Err(problems),
    }
}

/// What an import will store.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SheetPlan {
    pub sheets: Vec<AssessmentSheet>,
    /// Sheets that replace one already stored (`--prefer new`).
    pub replacing: usize,
    /// Submissions dropped because an existing or earlier one wins (`--prefer old`).
    pub kept_old: usize,
    pub blank_rows: usize,
}

/// Matches every row to its case and institution and settles duplicates. Any problem in any
/// file stops the whole import.
pub fn plan(store: &Store, files: &[SheetFile], prefer: Option<Prefer>) -> Result<SheetPlan, Problems> {
    let mut problems = Vec::new();
    let mut out = SheetPlan::default();
    let mut chosen: HashMap<(Id, Id, NaiveDate), (usize, String, usize)> = HashMap::new();
    let mut cases: HashMap<String, Option<(Id, Option<Id>)>> = HashMap::new();
    let err = |e: StoreError| Problems(vec![Problem::file("データベース", e.to_string())]);
    for f in files {
        out.blank_rows += f.blank;
        let Some(agency) = store.agency_by_code(&f.agency_code).map_err(err)? else {
            problems.push(Problem::cell(
                &f.file,
                2,
                AGENCY_CODE,
                format!("機関コード「{}」は登録されていません", f.agency_code),
            ));
            continue;
        };
        for r in &f.rows {
            if !cases.contains_key(&r.number) {
                let found = store.case_by_number(&r.number).map_err(err)?.map(|c| (c.id, c.affiliation));
                cases.insert(r.number.clone(), found);
            }
            let Some((case_id, affiliation)) = cases[&r.number] else {
                problems.push(Problem::cell(
                    &f.file,
                    r.row,
                    NUMBER,
                    format!("ケース番号「{}」は台帳にありません", r.number),
                ));
                continue;
            };
            let linked = affiliation == Some(agency.id)
                || store.case_agencies(case_id).map_err(err)?.iter().any(|(a, _)| *a == agency.id);
            if !linked {
                problems.push(Problem::cell(
                    &f.file,
                    r.row,
                    NUMBER,
                    format!("ケース {} は機関「{}」の児童として登録されていません", r.number, agency.code),
                ));
                continue;
            }
            let key = (case_id, agency.id, f.period);
            let sheet = AssessmentSheet {
                id: 0,
                case_id,
                agency_id: agency.id,
                period: f.period,
                written_on: f.written_on,
                checks: r.checks.clone(),
                notes: r.notes.clone(),
                safety_scale: r.scale,
                writer: f.writer.clone(),
                source: f.file.clone(),
            };
            let stored = store.sheet_for(case_id, agency.id, f.period).map_err(err)?.is_some();
            let dup_here = chosen.get(&key).map(|(_, file, row)| (file.clone(), *row));
            match (prefer, stored || dup_here.is_some()) {
                (_, false) => {
                    chosen.insert(key, (out.sheets.len(), f.file.clone(), r.row));
                    out.sheets.push(sheet);
                }
                (None, true) => {
                    let where_ = match dup_here {
                        Some((file, row)) => format!("{file} {row}行目"),
                        None => "取込済みのシート".into(),
                    };
                    problems.push(Problem::cell(
                        &f.file,
                        r.row,
                        NUMBER,
                        format!(
                            "ケース {} の {} 期間のシートが {where_} と重複しています。--prefer new（新しい方）か --prefer old（先の方）で選んでください",
                            r.number, f.period
                        ),
                    ));
                }
                (Some(Prefer::Old), true) => out.kept_old += 1,
                (Some(Prefer::New), true) => match dup_here {
                    Some(_) => {
                        let i = chosen[&key].0;
                        out.sheets[i] = sheet;
                        out.kept_old += 1;
                    }
                    None => {
                        chosen.insert(key, (out.sheets.len(), f.file.clone(), r.row));
                        out.sheets.push(sheet);
                        out.replacing += 1;
                    }
                },
            }
        }
    }
    if problems.is_empty() { Ok(out) } else { Err(Problems(problems)) }
}

/// Stores every planned sheet in one transaction.
pub fn apply(store: &mut Store, plan: &SheetPlan) -> Result<usize, StoreError> {
    store.write(|t| {
        for s in &plan.sheets {
            t.save_sheet(s)?;
        }
        Ok(plan.sheets.len())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Config;
    use crate::exchange::table_reader::{Limits, read_bytes};

    fn table(csv: &str) -> Table {
        read_bytes("学校.csv", csv.as_bytes(), Limits::default()).unwrap()
    }

    const HEAD: &str = "機関コード,ES01\n提出期限（対象期間の末日）,2026-12-10\n記入者,担任\n記入日,R8.12.1\n";

    #[test]
    fn reads_ticks_notes_and_scale() {
        let cfg = Config::default();
        let t = table(&format!(
            "{HEAD}ケース番号,氏名,学年・年齢,欠席・遅刻・早退が目立つ,不自然なけが・あざ・やけどがある,気になること,セーフティスケール（0〜10）\nR6-001,山田 太郎,小2,○,,朝食を食べていない,６\nR6-002,山田 花子,小1,,,,\n"
        ));
        let f = parse(&t, &cfg.sheet_items).unwrap();
        assert_eq!(f.agency_code, "ES01");
        assert_eq!(f.period, NaiveDate::from_ymd_opt(2026, 12, 10).unwrap());
        assert_eq!(f.written_on, NaiveDate::from_ymd_opt(2026, 12, 1));
        assert_eq!(f.rows.len(), 1);
        assert_eq!(f.blank, 1);
        assert_eq!(f.rows[0].checks, vec!["absence".to_string()]);
        assert_eq!(f.rows[0].notes["worries"], "朝食を食べていない");
        assert_eq!(f.rows[0].scale, Some(6));
    }

    #[test]
    fn bad_cells_are_named() {
        let cfg = Config::default();
        let t = table(&format!(
            "{HEAD}ケース番号,欠席・遅刻・早退が目立つ,セーフティスケール（0〜10）,身長\nR6-001,たぶん,11\n"
        ));
        let e = parse(&t, &cfg.sheet_items).unwrap_err();
        let s: Vec<String> = e.iter().map(|p| p.to_string()).collect();
        assert!(s.iter().any(|p| p.contains("6行目 「欠席・遅刻・早退が目立つ」列") && !p.contains("たぶん")), "{s:?}");
        assert!(s.iter().any(|p| p.contains("セーフティスケール 11 は範囲外")), "{s:?}");
        assert!(s.iter().any(|p| p.contains("「D」列") && p.contains("身長")), "{s:?}");
    }

    #[test]
    fn not_a_sheet_is_a_clear_error() {
        let e = parse(&table("氏名\n山田\n"), &Config::default().sheet_items).unwrap_err();
        assert!(e[0].reason.contains("見出し行"));
    }
}
