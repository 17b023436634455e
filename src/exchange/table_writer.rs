//! Writes a table (headers + rows of text) as CSV or .xlsx bytes; `exchange::output` puts the
//! bytes on disk.

use chrono::NaiveDate;
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};
use unicode_width::UnicodeWidthStr;

use crate::domain::config::Paper;
use crate::domain::wareki::DateStyle;

/// CSV in UTF-8 with a BOM (Excel then opens Japanese text correctly). Cells that Excel would
/// take for a formula are guarded (see [`guard_formula`]).
pub fn csv_bytes<I, R, S>(headers: &[S], rows: I) -> Vec<u8>
where
    I: IntoIterator<Item = R>,
    R: AsRef<[S]>,
    S: AsRef<str>,
{
    csv_bytes_with_notice("", headers, rows)
}

/// Like [`csv_bytes`], with the confidentiality notice alone on the first line (a CSV has no
/// page header to carry it); none when `notice` is empty.
pub fn csv_bytes_with_notice<I, R, S>(notice: &str, headers: &[S], rows: I) -> Vec<u8>
where
    I: IntoIterator<Item = R>,
    R: AsRef<[S]>,
    S: AsRef<str>,
{
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new().flexible(true).terminator(csv::Terminator::CRLF).from_writer(&mut out);
        if !notice.is_empty() {
            w.write_record([guard_formula(notice).as_ref()]).expect("writing to memory");
        }
        let mut put = |cells: &[S]| {
            w.write_record(cells.iter().map(|c| guard_formula(c.as_ref()).into_owned())).expect("writing to memory");
        };
        put(headers);
        for r in rows {
            put(r.as_ref());
        }
        w.flush().expect("writing to memory");
    }
    out
}

/// Characters that make Excel read a CSV cell as a formula (CSV injection).
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell Excel would read as a formula gets a leading apostrophe, so it opens as text;
/// `table_reader` takes the apostrophe off again, so export → import round-trips.
pub fn guard_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(FORMULA_START) { format!("'{cell}").into() } else { cell.into() }
}

/// The inverse of [`guard_formula`].
pub fn unguard_formula(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_START) => rest,
        _ => cell,
    }
}

/// One sheet: the header row bold, frozen, filtered and repeated on every printed page. Cells
/// that are exactly an ISO date (`2026-10-08`) are written as Excel dates; the rest as text, so
/// codes and telephone numbers keep their leading zeros. `notice` goes in the page header.
pub fn xlsx_bytes<I, R>(sheet: &str, notice: &str, headers: &[String], rows: I) -> Result<Vec<u8>, XlsxError>
where
    I: IntoIterator<Item = R>,
    R: AsRef<[String]>,
{
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet)?;
    let (head, body) = (header_format(), body_format());
    let mut s = Sheet::new(ws, DateStyle::Seireki);
    for (c, h) in headers.iter().enumerate() {
        s.put(0, c as u16, &Cell::Text(h.clone()), &head)?;
    }
    let mut last = 0;
    for (r, row) in rows.into_iter().enumerate() {
        last = (r + 1) as u32;
        for (c, v) in row.as_ref().iter().enumerate() {
            if !v.is_empty() {
                s.put(last, c as u16, &Cell::guess(v), &body)?;
            }
        }
    }
    s.finish(&Page { notice, paper: Paper::A4, table: Some((0, last)) })?;
    wb.save_to_buffer()
}

// ---- typed cells and the one sheet layout every .xlsx uses ---------------------------------

/// One cell of an output table. Dates and counts stay typed until a renderer writes them: Excel
/// gets numbers and dates, Word and Markdown the document's date style, CSV ISO dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Count(i64),
    Date(NaiveDate),
}

impl Cell {
    /// As a document written in `style` shows it.
    pub fn display(&self, style: DateStyle) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Count(n) => n.to_string(),
            Cell::Date(d) => style.format(*d),
        }
    }

    /// As CSV: ISO dates, which Excel and other tools read as dates.
    pub fn csv(&self) -> String {
        match self {
            Cell::Date(d) => d.to_string(),
            c => c.display(DateStyle::Seireki),
        }
    }

    /// Text that is exactly an ISO date becomes a date; anything else stays text.
    pub fn guess(text: &str) -> Cell {
        match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(d) if text.len() == 10 => Cell::Date(d),
            _ => Cell::Text(text.to_string()),
        }
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}

impl From<NaiveDate> for Cell {
    fn from(d: NaiveDate) -> Self {
        Cell::Date(d)
    }
}

impl From<usize> for Cell {
    fn from(n: usize) -> Self {
        Cell::Count(n as i64)
    }
}

pub const FONT: &str = "游ゴシック";
/// Body text in points; the print scale never goes below [`MIN_SCALE`] so it prints at 8 pt+.
const FONT_SIZE: f64 = 11.0;
const MIN_SCALE: u16 = 75;
/// The widest a column gets, in Excel width units; longer text wraps.
const MAX_WIDTH: f64 = 40.0;
/// Narrowed to fit the page, a column keeps at least this (about six full-width characters).
const WRAP_WIDTH: f64 = 13.0;
const MARGIN_IN: f64 = 0.5;

pub fn base_format() -> Format {
    Format::new().set_font_name(FONT).set_font_size(FONT_SIZE).set_text_wrap().set_align(FormatAlign::Top)
}

pub fn header_format() -> Format {
    base_format().set_bold().set_background_color(Color::RGB(0xE7E6E6)).set_border(FormatBorder::Thin)
}

pub fn body_format() -> Format {
    base_format().set_border(FormatBorder::Thin)
}

/// How a sheet prints: the notice in the page header, the paper, and the one table whose
/// header row (first, last row) is frozen, filtered and repeated on every page.
pub struct Page<'a> {
    pub notice: &'a str,
    pub paper: Paper,
    pub table: Option<(u32, u32)>,
}

/// Writes typed cells and remembers how wide each column's content is, so [`Sheet::finish`]
/// sizes the columns and chooses orientation and scale.
pub struct Sheet<'a> {
    ws: &'a mut Worksheet,
    dates: DateStyle,
    /// Widest content per column, in display columns (CJK counts two).
    widths: Vec<usize>,
    /// Text that may wrap: (row, first col, last col, text); its row is heightened in `finish`.
    wrapping: Vec<(u32, u16, u16, String)>,
}

/// Display width of the longest line (CJK counts two).
pub fn text_width(s: &str) -> usize {
    s.lines().map(UnicodeWidthStr::width).max().unwrap_or(0)
}

impl<'a> Sheet<'a> {
    pub fn new(ws: &'a mut Worksheet, dates: DateStyle) -> Self {
        Sheet { ws, dates, widths: Vec::new(), wrapping: Vec::new() }
    }

    fn grow(&mut self, col: u16, w: usize) {
        let c = col as usize;
        if self.widths.len() <= c {
            self.widths.resize(c + 1, 0);
        }
        self.widths[c] = self.widths[c].max(w);
    }

    /// Makes the sheet at least `n` columns wide (merged rows span all of them).
    pub fn reserve_columns(&mut self, n: usize) {
        if self.widths.len() < n {
            self.widths.resize(n, 0);
        }
    }

    pub fn column_count(&self) -> u16 {
        self.widths.len().max(1) as u16
    }

    pub fn put(&mut self, row: u32, col: u16, cell: &Cell, f: &Format) -> Result<(), XlsxError> {
        self.grow(col, text_width(&cell.display(self.dates)));
        match cell {
            Cell::Text(t) if t.is_empty() => self.ws.write_blank(row, col, f)?,
            Cell::Text(t) => {
                if text_width(t) > WRAP_WIDTH as usize || t.contains('\n') {
                    self.wrapping.push((row, col, col, t.clone()));
                }
                self.ws.write_string_with_format(row, col, t, f)?
            }
            Cell::Count(n) => self.ws.write_number_with_format(row, col, *n as f64, f)?,
            Cell::Date(d) => {
                self.ws.write_date_with_format(row, col, d, &f.clone().set_num_format(self.dates.excel_format()))?
            }
        };
        Ok(())
    }

    /// Text across columns `first..=last` that does not widen them (a title, a field's value).
    pub fn merged(&mut self, row: u32, first: u16, last: u16, text: &str, f: &Format) -> Result<(), XlsxError> {
        if first == last {
            self.ws.write_string_with_format(row, first, text, f)?;
        } else {
            self.ws.merge_range(row, first, row, last, text, f)?;
        }
        self.wrapping.push((row, first, last, text.to_string()));
        Ok(())
    }

    pub fn worksheet(&mut self) -> &mut Worksheet {
        self.ws
    }

    /// Column widths from their content, then the page: A4 (or A3), portrait if the columns fit,
    /// else landscape, scaled down to fit the width but never below [`MIN_SCALE`].
    pub fn finish(self, page: &Page) -> Result<(), XlsxError> {
        let mut units: Vec<f64> = self.widths.iter().map(|w| column_units(*w)).collect();
        narrow_to_fit(&mut units, page.paper);
        for (c, u) in units.iter().enumerate() {
            self.ws.set_column_width(c as u16, *u)?;
        }
        // Neither merged cells nor (in LibreOffice) wrapped ones grow with their text: each row
        // gets the lines its longest text needs in the final widths.
        let mut lines_of: std::collections::BTreeMap<u32, f64> = Default::default();
        for (row, first, last, text) in &self.wrapping {
            let across: f64 = units.get(*first as usize..=*last as usize).map_or(0.0, |u| u.iter().sum());
            let per_line = ((across - 1.0) / 1.05).max(1.0);
            let lines: f64 = text.lines().map(|l| (UnicodeWidthStr::width(l) as f64 / per_line).ceil().max(1.0)).sum();
            let entry = lines_of.entry(*row).or_insert(1.0);
            *entry = entry.max(lines);
        }
        for (row, lines) in lines_of {
            if lines > 1.0 {
                self.ws.set_row_height(row, 17.0 * lines)?;
            }
        }
        let fit = fit_page(&units, page.paper);
        self.ws.set_paper_size(match page.paper {
            Paper::A4 => 9,
            Paper::A3 => 8,
        });
        if fit.landscape {
            self.ws.set_landscape();
        }
        self.ws.set_print_scale(fit.scale);
        self.ws.set_margins(MARGIN_IN, MARGIN_IN, 0.75, 0.75, 0.3, 0.3);
        if !page.notice.is_empty() {
            self.ws.set_header(format!("&C&8{}", page.notice.replace('&', "&&")));
        }
        self.ws.set_footer("&C&P / &N");
        if let Some((head, last)) = page.table {
            let last_col = (self.widths.len().max(1) - 1) as u16;
            self.ws.set_freeze_panes(head + 1, 0)?;
            self.ws.autofilter(head, 0, last.max(head), last_col)?;
            self.ws.set_repeat_rows(head, head)?;
        }
        Ok(())
    }
}

/// Excel width units for content `display` columns wide (a unit is one digit of the default
/// font, 7 px; a full-width 游ゴシック character is about two).
fn column_units(display: usize) -> f64 {
    (display as f64 * 1.05 + 2.0).clamp(4.0, MAX_WIDTH)
}

/// Printed width of columns `units` wide at 100 %, in mm: an Excel width unit is 7 px plus 5 px
/// of padding per column at 96 dpi; counted as 7.5 px, as LibreOffice prints them a little wider.
fn printed_mm(units: &[f64]) -> f64 {
    units.iter().map(|u| (u * 7.5 + 5.0) * 25.4 / 96.0).sum()
}

fn paper_mm(paper: Paper) -> (f64, f64) {
    let margins = 2.0 * MARGIN_IN * 25.4;
    match paper {
        Paper::A4 => (210.0 - margins, 297.0 - margins),
        Paper::A3 => (297.0 - margins, 420.0 - margins),
    }
}

/// Narrows the widest columns (their text wraps) until the sheet fits the landscape width at
/// [`MIN_SCALE`], but no column below [`WRAP_WIDTH`].
fn narrow_to_fit(units: &mut [f64], paper: Paper) {
    let room = paper_mm(paper).1 * 100.0 / MIN_SCALE as f64;
    while printed_mm(units) > room {
        let Some(widest) = units.iter_mut().filter(|u| **u > WRAP_WIDTH).max_by(|a, b| a.total_cmp(b)) else {
            return;
        };
        *widest -= 1.0;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fit {
    pub landscape: bool,
    pub scale: u16,
}

/// Orientation and scale for columns `units` wide on `paper`.
pub fn fit_page(units: &[f64], paper: Paper) -> Fit {
    let mm = printed_mm(units);
    let (short, long) = paper_mm(paper);
    if mm <= short {
        return Fit { landscape: false, scale: 100 };
    }
    let scale = (long / mm * 100.0).floor() as u16;
    Fit { landscape: true, scale: scale.clamp(MIN_SCALE, 100) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_cells_open_as_text_and_read_back_unchanged() {
        let rows = vec![vec!["=HYPERLINK(\"x\")".to_string(), "-見守り継続".into(), "'quoted".into(), "普通".into()]];
        let headers: Vec<String> = ["a", "b", "c", "d"].map(String::from).to_vec();
        let bytes = csv_bytes(&headers, &rows);
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.contains("'=HYPERLINK") && text.contains("'-見守り継続"), "{text}");
        let table = super::super::table_reader::read_bytes("x.csv", &bytes, Default::default()).unwrap();
        let back: Vec<String> = (0..4).map(|c| table.rows[1].get(c).text()).collect();
        assert_eq!(back, rows[0]);
    }

    #[test]
    fn narrow_tables_print_portrait_wide_ones_landscape_never_below_the_readable_scale() {
        assert_eq!(fit_page(&[12.0; 6], Paper::A4), Fit { landscape: false, scale: 100 });
        let wide = fit_page(&[20.0; 8], Paper::A4);
        assert!(wide.landscape && wide.scale < 100 && wide.scale >= MIN_SCALE, "{wide:?}");
        assert_eq!(fit_page(&[40.0; 20], Paper::A4).scale, MIN_SCALE);
        // Too wide even at the smallest scale: the widest columns are narrowed (and wrap).
        let mut units = vec![10.0, 40.0, 40.0, 40.0, 40.0, 40.0];
        narrow_to_fit(&mut units, Paper::A4);
        assert_eq!(fit_page(&units, Paper::A4).scale, MIN_SCALE);
        assert!(printed_mm(&units) <= paper_mm(Paper::A4).1 * 100.0 / MIN_SCALE as f64 && units[0] == 10.0);
        assert!(fit_page(&[20.0; 8], Paper::A3).scale > wide.scale);
    }

    #[test]
    fn only_exact_iso_dates_become_dates() {
        assert_eq!(Cell::guess("2026-10-08"), Cell::Date(NaiveDate::from_ymd_opt(2026, 10, 8).unwrap()));
        for text in ["2026-1-8", "0312345678", "R8.10.8", "2026-10-08 午後"] {
            assert_eq!(Cell::guess(text), Cell::Text(text.into()));
        }
    }
}
