//! 定期的な情報提供 templates: one .xlsx per institution for one month, pre-filled with only
//! the children it reports on (case number, name, class/age), with validated attendance cells,
//! the narrative cells, the deadline and the confidentiality notice. `report_import` reads the
//! same layout back; the header block is the assessment sheet's (`sheet_template::write_head`).

use std::path::Path;

use chrono::NaiveDate;
use rust_xlsxwriter::{DataValidation, DataValidationRule, Workbook, XlsxError};

use super::output;
use super::sheet_template::{
    CLASS_AGE, Formats, HEADER_ROW, NAME, NUMBER, TICK, TemplateChild, TemplateError, Written,
    children_by_institution_where, write_head,
};
use crate::domain::attendance::{self as att, deadline, is_designated, month_label};
use crate::domain::{Agency, Config, wareki};
use crate::store::Store;

/// Label of the due date in the header block.
pub const DEADLINE: &str = "提出期限";

/// A column after the fixed ones: its header, width and what it holds.
pub enum Kind {
    /// Whole days or times, 0..=max.
    Count(i32),
    Text,
    Tick,
}

/// The table's columns after ケース番号・氏名・学年, in order.
pub const COLUMNS: [(&str, Kind); 11] = [
    (att::SCHOOL_DAYS, Kind::Count(31)),
    (att::ATTENDED, Kind::Count(31)),
    (att::ABSENT, Kind::Count(31)),
    (att::NOTIFIED, Kind::Count(31)),
    (att::UNNOTIFIED, Kind::Count(31)),
    (att::LATE_EARLY, Kind::Count(99)),
    (att::LONGEST, Kind::Count(31)),
    (att::REASON, Kind::Text),
    (att::OBSERVATIONS, Kind::Text),
    (att::REMARKS, Kind::Text),
    (att::MOVED, Kind::Tick),
];

/// The workbook bytes for one institution and month.
pub fn report_template_bytes(
    config: &Config,
    agency: &Agency,
    children: &[TemplateChild],
    month: NaiveDate,
    due: NaiveDate,
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("定期的な情報提供")?;
    let f = Formats::new();
    let last_col = (3 + COLUMNS.len() - 1) as u16;
    let n = config.monthly_reports.alert_days;
    let instructions = format!(
        "記入方法: {month} の出欠を数字で記入してください（授業日数・欠席日数は休日を除く日数）。欠席日数は「うち連絡あり」と「うち連絡なし」に分けてください。\
         連続欠席の最長日数には、理由の確かでない欠席が続いた最長の授業日数を書いてください。{n} 日以上続いた場合・転居や虐待が疑われる様子があった場合は、月末を待たずにすぐ電話でお知らせください。\
         灰色の欄は変更せず、行の追加・削除・並べ替えはしないでください。",
        month = month_label(month)
    );
    let title = format!("定期的な情報提供（{}）{}分", config.municipality.name, month_label(month));
    let rows = [
        (att::MONTH, month.format("%Y-%m").to_string(), String::new()),
        (DEADLINE, due.to_string(), format!("（{}）までに提出してください", wareki::format(due))),
    ];
    write_head(ws, &f, config, agency, &title, &rows, &instructions, last_col)?;
    let h = HEADER_ROW;
    for (c, label) in [NUMBER, NAME, CLASS_AGE].iter().enumerate() {
        ws.write_string_with_format(h, c as u16, *label, &f.head)?;
    }
    for (i, (label, kind)) in COLUMNS.iter().enumerate() {
        let col = (3 + i) as u16;
        ws.write_string_with_format(h, col, *label, &f.head)?;
        ws.set_column_width(col, if matches!(kind, Kind::Text) { 30 } else { 9 })?;
    }
    ws.set_row_height(h, 48)?;
    ws.set_column_width(0, 14)?;
    ws.set_column_width(1, 16)?;
    ws.set_column_width(2, 14)?;
    ws.set_freeze_panes(h + 1, 3)?;
    for (r, child) in children.iter().enumerate() {
        let row = h + 1 + r as u32;
        for (c, v) in [&child.number, &child.name, &child.class_age].into_iter().enumerate() {
            ws.write_string_with_format(row, c as u16, v, &f.given)?;
        }
        for (i, (_, kind)) in COLUMNS.iter().enumerate() {
            ws.write_blank(row, (3 + i) as u16, if matches!(kind, Kind::Text) { &f.entry } else { &f.tick })?;
        }
        ws.set_row_height(row, 40)?;
    }
    if !children.is_empty() {
        let last_row = h + children.len() as u32;
        for (i, (label, kind)) in COLUMNS.iter().enumerate() {
            let col = (3 + i) as u16;
            let v = match kind {
                Kind::Count(max) => DataValidation::new()
                    .allow_whole_number(DataValidationRule::Between(0, *max))
                    .set_error_message(format!("{label}は 0〜{max} の整数で入力してください"))?,
                Kind::Tick => DataValidation::new()
                    .allow_list_strings(&[TICK])?
                    .set_error_message(format!("該当する場合は「{TICK}」を選び、該当しない場合は空欄にしてください"))?,
                Kind::Text => continue,
            };
            ws.add_data_validation(h + 1, col, last_row, col, &v)?;
        }
    }
    wb.save_to_buffer()
}

/// Writes every institution's template for `month` into `dir`, with only the children the
/// configuration designates. Every target is checked before the first is written.
pub fn write_report_templates(
    store: &Store,
    config: &Config,
    month: NaiveDate,
    dir: &Path,
    force: bool,
) -> Result<Vec<Written>, TemplateError> {
    let cfg = &config.monthly_reports;
    let groups = children_by_institution_where(store, |c| is_designated(c, true, cfg))?;
    let due = deadline(month, cfg, &config.business_calendar());
    let path_of = |a: &Agency| {
        dir.join(output::safe_file_name(&format!(
            "定期的な情報提供_{}_{}_{}.xlsx",
            a.code,
            a.name,
            month.format("%Y-%m")
        )))
    };
    output::ensure_dir(dir)?;
    for (a, _) in &groups {
        output::check_free(&path_of(a), force)?;
    }
    let mut written = Vec::new();
    for (a, cases) in &groups {
        let children: Vec<TemplateChild> = cases.iter().map(|c| TemplateChild::of(c, due)).collect();
        let bytes = report_template_bytes(config, a, &children, month, due)?;
        let path = path_of(a);
        output::write_file(&path, &bytes, force)?;
        written.push(Written { agency: a.name.clone(), path, children: children.len() });
    }
    Ok(written)
}

/// Per institution, the designated children with no regular report for `month` yet: the
/// 未提出 list, and the reminder the secretariat sends.
pub fn missing_reports(
    store: &Store,
    config: &Config,
    month: NaiveDate,
) -> Result<Vec<(Agency, Vec<crate::domain::Case>)>, crate::store::StoreError> {
    let got: std::collections::HashSet<(crate::domain::Id, crate::domain::Id)> = store
        .monthly_reports(Some(month))?
        .into_iter()
        .filter(|r| !r.urgent)
        .map(|r| (r.case_id, r.agency_id))
        .collect();
    let mut groups = children_by_institution_where(store, |c| is_designated(c, true, &config.monthly_reports))?;
    for (a, cases) in &mut groups {
        cases.retain(|c| !got.contains(&(c.id, a.id)));
    }
    groups.retain(|(_, cases)| !cases.is_empty());
    Ok(groups)
}
