//! Filled アセスメントシート in (the layout `sheet_template` writes, as .xlsx or .csv): every
//! cell checked and every problem of the file kept, so that one run reports them all.
//! `sheet_plan` then matches each row to its case and institution and stores them.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use unicode_normalization::UnicodeNormalization;

use super::ledger_columns::normalize;
use super::problem::{Problem, check_text};
use super::sheet_template::{AGENCY_CODE, AGENCY_NAME, CLASS_AGE, DUE, NAME, NUMBER, SCALE, WRITER, WRITTEN_ON};
use super::table_reader::{Cell, Table, cell_date};
use crate::domain::config::{SheetItem, SheetItemKind};
use crate::domain::sheet::Written;

pub use super::sheet_plan::{Prefer, SheetPlan, apply, plan};

/// One child's row as written by the institution.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetRow {
    pub row: usize,
    pub number: String,
    /// 氏名 and ふりがな as written (checked against the case the number names).
    pub name: String,
    pub kana: String,
    pub checks: Vec<String>,
    pub notes: BTreeMap<String, String>,
    pub scale: Option<u8>,
}

/// One institution's file, with every problem found while reading it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SheetFile {
    pub file: String,
    pub agency_code: String,
    /// Row of the 機関コード (0 when absent).
    pub agency_code_row: usize,
    /// 機関名 as written, with its row.
    pub agency_name: Option<(usize, String)>,
    /// None when the 提出期限 is missing or unreadable (then a problem says so).
    pub period: Option<NaiveDate>,
    pub writer: String,
    pub written_on: Option<NaiveDate>,
    pub rows: Vec<SheetRow>,
    /// Rows the institution left blank (no tick, no text, no scale).
    pub blank: usize,
    /// The file's modification time (seconds since 1970), set by the caller: between two
    /// versions with the same 記入日, the later file wins.
    pub file_time: Option<i64>,
    pub problems: Vec<Problem>,
}

impl SheetFile {
    pub fn written(&self) -> Written {
        Written { on: self.written_on, file_time: self.file_time }
    }
}

enum Col {
    Fixed(Fixed),
    Item(usize),
    Scale,
}

/// The columns every institution's table starts with, whatever else it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fixed {
    Number,
    Name,
    Kana,
    /// 学年・年齢: for the institution's eyes only, not read back.
    ClassAge,
}

const KANA_HEADERS: [&str; 3] = ["ふりがな", "フリガナ", "よみがな"];

/// Which fixed column the normalised header `n` names, if any.
pub(crate) fn fixed_column(n: &str) -> Option<Fixed> {
    if n == normalize(NUMBER) {
        Some(Fixed::Number)
    } else if n == normalize(NAME) {
        Some(Fixed::Name)
    } else if KANA_HEADERS.iter().any(|k| n == normalize(k)) {
        Some(Fixed::Kana)
    } else if n == normalize(CLASS_AGE) {
        Some(Fixed::ClassAge)
    } else {
        None
    }
}

/// A 氏名 or ふりがな cell's text, kept even when it is refused (the row is still matched).
pub(crate) fn name_cell(cell: &Cell, file: &str, row: usize, header: &str, problems: &mut Vec<Problem>) -> String {
    let t = cell.text();
    if let Err(e) = check_text(&t, false) {
        problems.push(Problem::cell(file, row, header, e));
    }
    t
}

pub(crate) fn is_tick(s: &str) -> Option<bool> {
    let t: String = s.nfkc().collect::<String>().trim().to_uppercase();
    match t.as_str() {
        "○" | "〇" | "◯" | "●" | "✓" | "✔" | "レ" | "V" | "1" | "はい" | "あり" | "有" | "TRUE" => {
            Some(true)
        }
        "" | "×" | "-" | "ー" | "なし" | "無" | "いいえ" | "0" | "FALSE" => Some(false),
        _ => None,
    }
}

const SCALE_HINT: &str = "セーフティスケールは 0〜10 の整数で記入してください";

fn scale_of(c: &Cell) -> Result<Option<u8>, String> {
    let n = match c {
        Cell::Empty => return Ok(None),
        Cell::Number(n) => *n,
        Cell::Text(t) if t.trim().is_empty() => return Ok(None),
        Cell::Text(t) => t.nfkc().collect::<String>().trim().parse::<f64>().map_err(|_| SCALE_HINT.to_string())?,
        _ => return Err(SCALE_HINT.into()),
    };
    if !n.is_finite() || !(0.0..=10.0).contains(&n) {
        return Err(format!("セーフティスケール {n} は範囲外です（0〜10 の整数）"));
    }
    if n.fract() != 0.0 {
        return Err(format!("セーフティスケール {n} は整数ではありません（0〜10 の整数で記入してください）"));
    }
    Ok(Some(n as u8))
}

/// Row index of the table's 「ケース番号」 header, in the first 40 rows.
pub(crate) fn header_row(table: &Table) -> Option<usize> {
    table.rows.iter().take(40).position(|r| normalize(&r.get(0).text()) == normalize(NUMBER))
}

/// True when the table holds an assessment sheet (the sheet of a workbook to read).
pub fn is_sheet(table: &Table) -> bool {
    header_row(table).is_some()
}

/// The cells of an institution's header block every template has (`sheet_template::write_head`).
#[derive(Debug, Clone, Default)]
pub struct Head {
    pub agency_code: String,
    /// Row of the 機関コード (0 when absent).
    pub agency_code_row: usize,
    /// 機関名 as written, with its row.
    pub agency_name: Option<(usize, String)>,
    pub writer: String,
    pub written_on: Option<NaiveDate>,
}

/// The value beside `label` (label in column A, value in column B) above the table's header
/// row `hi`, with its row number.
pub(crate) fn meta<'t>(table: &'t Table, hi: usize, label: &str) -> Option<(usize, &'t Cell)> {
    table.rows[..hi].iter().find(|r| normalize(&r.get(0).text()) == normalize(label)).map(|r| (r.number, r.get(1)))
}

/// Reads 機関コード, 機関名, 記入者 and 記入日, keeping what is wrong with them in `problems`.
pub(crate) fn read_head(table: &Table, hi: usize, problems: &mut Vec<Problem>) -> Head {
    let file = table.file.as_str();
    let mut out = Head::default();
    match meta(table, hi, AGENCY_CODE) {
        Some((n, c)) if !c.is_empty() => {
            out.agency_code = c.text();
            out.agency_code_row = n;
        }
        _ => problems.push(Problem::file(file, format!("「{AGENCY_CODE}」がありません"))),
    }
    if let Some((n, c)) = meta(table, hi, AGENCY_NAME) {
        match check_text(&c.text(), false) {
            Ok(()) => out.agency_name = Some((n, c.text())),
            Err(e) => problems.push(Problem::cell(file, n, AGENCY_NAME, e)),
        }
    }
    if let Some((n, c)) = meta(table, hi, WRITER) {
        out.writer = c.text();
        if let Err(e) = check_text(&out.writer, false) {
            problems.push(Problem::cell(file, n, WRITER, e));
        }
    }
    match meta(table, hi, WRITTEN_ON).map(|(n, c)| (n, cell_date(c))) {
        Some((_, Ok(d))) => out.written_on = d,
        Some((n, Err(e))) => problems.push(Problem::cell(file, n, WRITTEN_ON, e)),
        None => {}
    }
    out
}

/// Reads one filled template. Pure: the store is not consulted. Problems are kept in the
/// result, and the rows that read are still returned so they can be matched too.
pub fn parse(table: &Table, items: &[SheetItem]) -> SheetFile {
    let file = table.file.as_str();
    let mut out = SheetFile { file: file.to_string(), ..SheetFile::default() };
    let problems = &mut out.problems;
    let Some(hi) = header_row(table) else {
        let where_ = if table.sheets > 1 {
            format!("ブックの {} 枚のシートのどれにも", table.sheets)
        } else {
            String::new()
        };
        problems.push(Problem::file(
            file,
            format!(
                "{where_}アセスメントシートの見出し行（「ケース番号」）が見つかりません。shinko sheets templates で作った様式を使ってください"
            ),
        ));
        return out;
    };
    if meta(table, hi, crate::domain::attendance::MONTH).is_some() {
        problems.push(Problem::file(
            file,
            "定期的な情報提供（月次報告）の様式です。shinko reports import で取り込んでください",
        ));
        return out;
    }
    let head = read_head(table, hi, problems);
    match meta(table, hi, DUE).map(|(n, c)| (n, cell_date(c))) {
        Some((_, Ok(Some(d)))) => out.period = Some(d),
        Some((n, Err(e))) => problems.push(Problem::cell(file, n, DUE, e)),
        _ => problems.push(Problem::file(file, format!("「{DUE}」がありません"))),
    }
    out.agency_code = head.agency_code;
    out.agency_code_row = head.agency_code_row;
    out.agency_name = head.agency_name;
    out.writer = head.writer;
    out.written_on = head.written_on;

    let header = &table.rows[hi];
    let mut cols: Vec<(usize, Col, String)> = Vec::new();
    for (i, cell) in header.cells.iter().enumerate() {
        let h = cell.text();
        let n = normalize(&h);
        if n.is_empty() {
            continue;
        }
        let col = if let Some(f) = fixed_column(&n) {
            Col::Fixed(f)
        } else if n == normalize(SCALE) || n.starts_with("セーフティスケール") {
            Col::Scale
        } else if let Some(k) = items.iter().position(|it| normalize(&it.label) == n || it.key == h.trim()) {
            Col::Item(k)
        } else {
            problems.push(Problem::unknown_header(file, header.number, i, &h, "設定のシート項目"));
            continue;
        };
        cols.push((i, col, h.trim().to_string()));
    }
    let scale_header = cols.iter().find(|(_, c, _)| matches!(c, Col::Scale)).map(|(_, _, h)| h.clone());

    for r in &table.rows[hi + 1..] {
        let number: String = r.get(0).text().nfkc().collect::<String>().trim().to_string();
        let mut row = SheetRow {
            row: r.number,
            number,
            name: String::new(),
            kana: String::new(),
            checks: Vec::new(),
            notes: BTreeMap::new(),
            scale: None,
        };
        let mut filled = false;
        let mut scale_bad = false;
        for (i, col, h) in &cols {
            let cell = r.get(*i);
            match col {
                Col::Fixed(Fixed::Number | Fixed::ClassAge) => {}
                Col::Fixed(Fixed::Name) => row.name = name_cell(cell, file, r.number, h, problems),
                Col::Fixed(Fixed::Kana) => row.kana = name_cell(cell, file, r.number, h, problems),
                Col::Scale => match scale_of(cell) {
                    Ok(v) => {
                        filled |= v.is_some();
                        row.scale = v;
                    }
                    Err(e) => {
                        scale_bad = true;
                        filled = true;
                        problems.push(Problem::cell(file, r.number, h, e));
                    }
                },
                Col::Item(k) => {
                    let it = &items[*k];
                    let t = cell.text();
                    match it.kind {
                        SheetItemKind::Check => match is_tick(&t) {
                            Some(true) => {
                                filled = true;
                                row.checks.push(it.key.clone());
                            }
                            Some(false) => {}
                            None => {
                                filled = true;
                                problems.push(Problem::cell(
                                    file,
                                    r.number,
                                    h,
                                    "チェック欄には「○」か空欄を記入してください",
                                ))
                            }
                        },
                        SheetItemKind::Text if !t.is_empty() => match check_text(&t, true) {
                            Ok(()) => {
                                filled = true;
                                row.notes.insert(it.key.clone(), t);
                            }
                            Err(e) => {
                                filled = true;
                                problems.push(Problem::cell(file, r.number, h, e))
                            }
                        },
                        SheetItemKind::Text => {}
                    }
                }
            }
        }
        if row.number.is_empty() {
            if filled {
                problems.push(Problem::cell(file, r.number, NUMBER, "ケース番号が空です"));
            }
            continue;
        }
        if !filled {
            out.blank += 1;
            continue;
        }
        if row.scale.is_none()
            && !scale_bad
            && let Some(h) = &scale_header
        {
            problems.push(Problem::cell(
                file,
                r.number,
                h,
                "チェックや記述がありますが、セーフティスケールが空です（0〜10 の整数で記入してください）",
            ));
        }
        out.rows.push(row);
    }
    out
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
        let f = parse(&t, &cfg.sheet_items);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        assert_eq!(f.agency_code, "ES01");
        assert_eq!(f.period, NaiveDate::from_ymd_opt(2026, 12, 10));
        assert_eq!(f.written_on, NaiveDate::from_ymd_opt(2026, 12, 1));
        assert_eq!(f.rows.len(), 1);
        assert_eq!(f.blank, 1);
        assert_eq!(f.rows[0].checks, vec!["absence".to_string()]);
        assert_eq!(f.rows[0].notes["worries"], "朝食を食べていない");
        assert_eq!(f.rows[0].scale, Some(6));
        assert_eq!(f.rows[0].name, "山田 太郎");
    }

    #[test]
    fn bad_cells_are_named() {
        let cfg = Config::default();
        let t = table(&format!(
            "{HEAD}ケース番号,欠席・遅刻・早退が目立つ,セーフティスケール（0〜10）,身長\nR6-001,たぶん,11\n"
        ));
        let e = parse(&t, &cfg.sheet_items).problems;
        let s: Vec<String> = e.iter().map(|p| p.to_string()).collect();
        assert!(s.iter().any(|p| p.contains("6行目 「欠席・遅刻・早退が目立つ」列") && !p.contains("たぶん")), "{s:?}");
        assert!(s.iter().any(|p| p.contains("セーフティスケール 11 は範囲外")), "{s:?}");
        assert!(s.iter().any(|p| p.contains("「D」列") && p.contains("身長")), "{s:?}");
    }

    #[test]
    fn not_a_sheet_is_a_clear_error() {
        let e = parse(&table("氏名\n山田\n"), &Config::default().sheet_items).problems;
        assert!(e[0].reason.contains("見出し行"));
    }

    #[test]
    fn a_fraction_is_not_a_whole_number_and_a_missing_scale_is_flagged() {
        let cfg = Config::default();
        let t = table(&format!(
            "{HEAD}ケース番号,氏名,欠席・遅刻・早退が目立つ,気になること,セーフティスケール（0〜10）\nR6-001,山田 太郎,,,5.5\nR6-002,山田 花子,○,,\nR6-003,山田 次郎,,朝食なし,\nR6-004,山田 三郎,,,\n"
        ));
        let f = parse(&t, &cfg.sheet_items);
        let s: Vec<String> = f.problems.iter().map(|p| p.to_string()).collect();
        assert!(s.iter().any(|p| p.contains("6行目") && p.contains("5.5 は整数ではありません")), "{s:?}");
        assert!(!s.iter().any(|p| p.contains("範囲外")), "{s:?}");
        assert!(s.iter().any(|p| p.contains("7行目") && p.contains("セーフティスケールが空です")), "{s:?}");
        assert!(s.iter().any(|p| p.contains("8行目") && p.contains("セーフティスケールが空です")), "{s:?}");
        assert_eq!(s.len(), 3, "the blank row is only counted: {s:?}");
        assert_eq!(f.blank, 1);
        assert_eq!(f.rows.len(), 3, "rows with something written are kept for matching");
    }
}
