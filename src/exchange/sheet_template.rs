//! アセスメントシート templates: one .xlsx per institution holding only its own children,
//! pre-filled with case number, name and class/age, with the configured check items, the
//! narrative cells and the 0–10 safety scale (validated by Excel), instructions, the due date
//! and the confidentiality notice. `sheet_import` reads the same layout back.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rust_xlsxwriter::{DataValidation, DataValidationRule, Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use super::output::{self, OutputError};
use crate::domain::config::{SheetItem, SheetItemKind};
use crate::domain::{Agency, Case, Config, Id, wareki};
use crate::store::{Store, StoreError};

/// Labels in column A of the header block; the importer finds the values beside them.
pub const AGENCY_CODE: &str = "機関コード";
pub const AGENCY_NAME: &str = "機関名";
pub const DUE: &str = "提出期限（対象期間の末日）";
pub const WRITER: &str = "記入者";
pub const WRITTEN_ON: &str = "記入日";
/// Headers of the fixed columns of the table.
pub const NUMBER: &str = "ケース番号";
pub const NAME: &str = "氏名";
pub const CLASS_AGE: &str = "学年・年齢";
pub const SCALE: &str = "セーフティスケール（0〜10）";
/// What a ticked check cell holds.
pub const TICK: &str = "○";

/// One child's pre-filled cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateChild {
    pub number: String,
    pub name: String,
    pub class_age: String,
}

impl TemplateChild {
    pub fn of(c: &Case, on: NaiveDate) -> Self {
        let age = c.age_on(on).map(|a| format!("{a}歳")).unwrap_or_default();
        let class_age = [c.grade.trim(), age.as_str()].iter().filter(|s| !s.is_empty()).cloned().collect::<Vec<_>>();
        TemplateChild { number: c.number.clone(), name: c.name.clone(), class_age: class_age.join(" / ") }
    }
}

/// The header row's cells after the fixed columns, in order: the items, then the scale.
pub fn item_headers(items: &[SheetItem]) -> Vec<String> {
    items.iter().map(|i| i.label.clone()).chain([SCALE.to_string()]).collect()
}

/// Row (0-based) of the table's header; the header block and instructions sit above it.
pub const HEADER_ROW: u32 = 9;

/// The workbook bytes for one institution.
pub fn template_bytes(
    config: &Config,
    agency: &Agency,
    children: &[TemplateChild],
    due: NaiveDate,
) -> Result<Vec<u8>, XlsxError> {
    let items = &config.sheet_items;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("アセスメントシート")?;
    let f = Formats::new();
    let last_col = (3 + items.len()) as u16;
    let instructions = format!(
        "記入方法: 該当する項目に「{TICK}」を選び、記述欄には直近の期間に見られたこと・対応したことを書いてください。\
         セーフティスケールは 0（家庭にいられない）〜10（見守り終了でよい）の整数です。\
         灰色の欄（ケース番号・氏名・学年）は変更しないでください。行の追加・削除・並べ替えはしないでください。"
    );
    let title = format!("虐待防止進行管理アセスメントシート（{}）", config.municipality.name);
    let due_row = (DUE, due.to_string(), format!("（{}）までに提出してください", wareki::format(due)));
    write_head(ws, &f, config, agency, &title, &[due_row], &instructions, last_col)?;
    let Formats { head, given, entry, tick, .. } = f;

    let h = HEADER_ROW;
    for (c, label) in [NUMBER, NAME, CLASS_AGE].iter().enumerate() {
        ws.write_string_with_format(h, c as u16, *label, &head)?;
    }
    for (i, label) in item_headers(items).iter().enumerate() {
        ws.write_string_with_format(h, (3 + i) as u16, label, &head)?;
    }
    ws.set_row_height(h, 60)?;
    ws.set_column_width(0, 14)?;
    ws.set_column_width(1, 16)?;
    ws.set_column_width(2, 14)?;
    for (i, it) in items.iter().enumerate() {
        ws.set_column_width((3 + i) as u16, if it.kind == SheetItemKind::Text { 36 } else { 12 })?;
    }
    ws.set_column_width(last_col, 14)?;
    ws.set_freeze_panes(h + 1, 3)?;

    for (r, child) in children.iter().enumerate() {
        let row = h + 1 + r as u32;
        ws.write_string_with_format(row, 0, &child.number, &given)?;
        ws.write_string_with_format(row, 1, &child.name, &given)?;
        ws.write_string_with_format(row, 2, &child.class_age, &given)?;
        for (i, it) in items.iter().enumerate() {
            let f = if it.kind == SheetItemKind::Check { &tick } else { &entry };
            ws.write_blank(row, (3 + i) as u16, f)?;
        }
        ws.write_blank(row, last_col, &tick)?;
        ws.set_row_height(row, 54)?;
    }
    if !children.is_empty() {
        let last_row = h + children.len() as u32;
        let checks = DataValidation::new()
            .allow_list_strings(&[TICK])?
            .set_error_message(format!("該当する場合は「{TICK}」を選び、該当しない場合は空欄にしてください"))?;
        for (i, it) in items.iter().enumerate() {
            if it.kind == SheetItemKind::Check {
                ws.add_data_validation(h + 1, (3 + i) as u16, last_row, (3 + i) as u16, &checks)?;
            }
        }
        let scale = DataValidation::new()
            .allow_whole_number(DataValidationRule::Between(0, 10))
            .set_input_title("セーフティスケール")?
            .set_input_message("0（家庭にいられない）〜10（見守り終了でよい）")?
            .set_error_message("0〜10 の整数を入力してください")?;
        ws.add_data_validation(h + 1, last_col, last_row, last_col, &scale)?;
    }
    wb.save_to_buffer()
}

/// The cell formats the institutions' templates share.
pub(crate) struct Formats {
    pub head: Format,
    pub given: Format,
    pub entry: Format,
    pub tick: Format,
    bold: Format,
}

impl Formats {
    pub fn new() -> Self {
        Formats {
            head: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color("#DDEBF7")
                .set_border(FormatBorder::Thin),
            given: Format::new().set_background_color("#F2F2F2").set_border(FormatBorder::Thin),
            entry: Format::new()
                .set_border(FormatBorder::Thin)
                .set_unlocked()
                .set_text_wrap()
                .set_align(FormatAlign::Top),
            tick: Format::new().set_border(FormatBorder::Thin).set_unlocked().set_align(FormatAlign::Center),
            bold: Format::new().set_bold(),
        }
    }
}

/// The block above an institution's table, from row 0: the title; 機関コード and 機関名
/// (which the importer checks); `rows` (label, value, note), e.g. the period and the due date;
/// 記入者 and 記入日 (a validated date) to fill in; the instructions and the confidentiality
/// notice across the table, which is also every printed page's header.
#[allow(clippy::too_many_arguments)]
pub(crate) fn write_head(
    ws: &mut rust_xlsxwriter::Worksheet,
    f: &Formats,
    config: &Config,
    agency: &Agency,
    title: &str,
    rows: &[(&str, String, String)],
    instructions: &str,
    last_col: u16,
) -> Result<(), XlsxError> {
    ws.set_landscape();
    ws.set_header(format!("&L{}", config.confidentiality.notice.replace('&', "&&")));
    let red = Format::new().set_bold().set_font_color("#C00000").set_text_wrap();
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    ws.write_string_with_format(0, 0, title, &Format::new().set_bold().set_font_size(14))?;
    ws.write_string_with_format(1, 0, AGENCY_CODE, &f.bold)?;
    ws.write_string(1, 1, &agency.code)?;
    ws.write_string_with_format(2, 0, AGENCY_NAME, &f.bold)?;
    ws.write_string(2, 1, &agency.name)?;
    let mut r = 3;
    for (label, value, note) in rows {
        ws.write_string_with_format(r, 0, *label, &f.bold)?;
        ws.write_string(r, 1, value)?;
        if !note.is_empty() {
            ws.write_string(r, 2, note)?;
        }
        r += 1;
    }
    ws.write_string_with_format(r, 0, WRITER, &f.bold)?;
    ws.write_string_with_format(r, 1, "", &f.entry)?;
    ws.write_string_with_format(r + 1, 0, WRITTEN_ON, &f.bold)?;
    ws.write_string_with_format(r + 1, 1, "", &f.entry)?;
    ws.add_data_validation(
        r + 1,
        1,
        r + 1,
        1,
        &DataValidation::new()
            .allow_date(DataValidationRule::GreaterThan(rust_xlsxwriter::ExcelDateTime::from_ymd(2000, 1, 1)?))
            .set_error_message("日付（例: 2024/4/1）を入力してください")?,
    )?;
    ws.merge_range(r + 2, 0, r + 2, last_col, instructions, &wrap)?;
    ws.set_row_height(r + 2, 48)?;
    ws.merge_range(r + 3, 0, r + 3, last_col, &config.confidentiality.notice, &red)?;
    ws.set_row_height(r + 3, 32)?;
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error("Excelファイルを作成できません: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

/// One written template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub agency: String,
    pub path: PathBuf,
    pub children: usize,
}

/// Open cases grouped by the institution they attend, institutions in code order.
pub fn children_by_institution(store: &Store) -> Result<Vec<(Agency, Vec<Case>)>, StoreError> {
    children_by_institution_where(store, |_| true)
}

/// As [`children_by_institution`], only the cases `keep` accepts.
pub fn children_by_institution_where(
    store: &Store,
    keep: impl Fn(&Case) -> bool,
) -> Result<Vec<(Agency, Vec<Case>)>, StoreError> {
    let mut cases = store.cases(false)?;
    cases.retain(|c| keep(c));
    let mut out = Vec::new();
    let mut agencies = store.agencies()?;
    agencies.sort_by(|a, b| a.code.cmp(&b.code));
    for a in agencies.into_iter().filter(|a| a.kind.is_institution()) {
        let mine: Vec<Case> = cases.iter().filter(|c| c.affiliation == Some(a.id)).cloned().collect();
        if !mine.is_empty() {
            out.push((a, mine));
        }
    }
    Ok(out)
}

/// Writes every institution's template into `dir` and records each sheet asked for, so the
/// merged view can say which ones did not come back. Every target is checked before the
/// first is written, so a refusal leaves the folder as it was.
pub fn write_templates(
    store: &mut Store,
    config: &Config,
    due: NaiveDate,
    dir: &Path,
    force: bool,
) -> Result<Vec<Written>, TemplateError> {
    let groups = children_by_institution(store)?;
    let path_of = |a: &Agency| {
        dir.join(output::safe_file_name(&format!("アセスメントシート_{}_{}_{}.xlsx", a.code, a.name, due)))
    };
    output::ensure_dir(dir)?;
    for (a, _) in &groups {
        output::check_free(&path_of(a), force)?;
    }
    let mut written = Vec::new();
    let mut requests: Vec<(Id, Id)> = Vec::new();
    for (a, cases) in &groups {
        let children: Vec<TemplateChild> = cases.iter().map(|c| TemplateChild::of(c, due)).collect();
        let bytes = template_bytes(config, a, &children, due)?;
        let path = path_of(a);
        output::write_file(&path, &bytes, force)?;
        requests.extend(cases.iter().map(|c| (c.id, a.id)));
        written.push(Written { agency: a.name.clone(), path, children: children.len() });
    }
    store.write(|t| {
        for (case_id, agency_id) in &requests {
            t.request_sheet(*case_id, *agency_id, due)?;
        }
        Ok(())
    })?;
    Ok(written)
}
