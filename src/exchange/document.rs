//! A small document model (title, confidentiality notice, headings, fields, tables, text) with
//! one renderer per format the outputs use: Markdown, .docx (Word) and .xlsx (Excel). Minutes,
//! statistics and per-agency action lists are built as a [`Document`] once and rendered to
//! whichever format the user asked for.

use std::io::Cursor;

use chrono::NaiveDateTime;

use docx_rs::{
    AlignmentType, Docx, Footer, Header, LineSpacing, NumPages, PageMargin, PageNum, Paragraph, Run, RunFonts, Shading,
    Table, TableCell, TableRow, WidthType,
};
use rust_xlsxwriter::Workbook;

pub use super::table_writer::Cell;
use super::table_writer::{self, Page, Sheet};
use crate::domain::config::{OutputConfig, Paper};
use crate::domain::wareki::DateStyle;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Document {
    pub title: String,
    /// Printed at the top and, in .docx/.xlsx, in the header and footer of every page.
    pub notice: String,
    pub blocks: Vec<Block>,
    /// How Word and Markdown write date cells (Excel gets dates in the same style).
    pub dates: DateStyle,
    /// When it was made (UTC), for the document properties; passed in, never read from a clock.
    pub created: Option<NaiveDateTime>,
    /// The paper a wide Excel sheet is laid out for.
    pub paper: Paper,
}

impl Document {
    pub fn new(title: impl Into<String>, notice: impl Into<String>, blocks: Vec<Block>) -> Self {
        Document { title: title.into(), notice: notice.into(), blocks, ..Default::default() }
    }

    /// Written as the configuration says (`[output]`: date style, paper).
    pub fn styled(mut self, out: &OutputConfig) -> Self {
        self.dates = out.date_style;
        self.paper = out.paper;
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Heading(String),
    SubHeading(String),
    /// Label–value pairs (会議名, 日時, …).
    Fields(Vec<(String, String)>),
    Table(Grid),
    Text(String),
    /// Blocks printed on one page where they fit (a case's heading, fields and actions).
    Together(Vec<Block>),
    /// 決裁欄: one stamp box per title, right-aligned under the document title.
    Approval(Vec<String>),
}

/// A table: column titles with their width in full-width characters (a floor for Word), and
/// rows of typed cells.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Grid {
    pub columns: Vec<(String, u16)>,
    pub rows: Vec<Vec<Cell>>,
    /// What an empty table is called in 「…: 該当なし」 (else just 「（該当なし）」), and its chart.
    pub caption: String,
    /// Also drawn as a column chart in Excel (on a 「グラフ」 sheet).
    pub chart: bool,
    /// Columns whose cells Excel lets the reader fill only from a list: (column, choices).
    pub choices: Vec<(usize, Vec<String>)>,
}

impl Grid {
    pub fn new(columns: &[(&str, u16)]) -> Self {
        Grid { columns: columns.iter().map(|(t, w)| (t.to_string(), *w)).collect(), ..Default::default() }
    }

    /// Names the table for when it is empty.
    pub fn titled(mut self, caption: &str) -> Self {
        self.caption = caption.to_string();
        self
    }

    pub fn row<C: Into<Cell>>(&mut self, cells: Vec<C>) {
        self.rows.push(cells.into_iter().map(Into::into).collect());
    }

    /// Drawn as a chart in Excel too, titled `caption`.
    pub fn charted(mut self, caption: &str) -> Self {
        self.chart = true;
        self.titled(caption)
    }

    /// Cells of column `col` are filled from `choices` in Excel (a drop-down, refused otherwise).
    pub fn choice_column(mut self, col: usize, choices: &[&str]) -> Self {
        self.choices.push((col, choices.iter().map(|c| c.to_string()).collect()));
        self
    }

    /// What an empty table says instead.
    pub fn empty_text(&self) -> String {
        if self.caption.is_empty() { NONE.to_string() } else { format!("{}: 該当なし", self.caption) }
    }
}

/// Said where a table has no rows.
pub const NONE: &str = "（該当なし）";

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("Word文書を作成できません: {0}")]
    Docx(String),
    #[error("Excelファイルを作成できません: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

// ---- Markdown ----------------------------------------------------------------------------

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace("\r\n", "\n").replace('\n', "<br>")
}

fn md_row(cells: impl Iterator<Item = String>) -> String {
    let cells: Vec<String> = cells.map(|c| md_cell(&c)).collect();
    format!("| {} |\n", cells.join(" | "))
}

fn md_block(b: &Block, dates: DateStyle, out: &mut String) {
    out.push('\n');
    match b {
        Block::Heading(h) => out.push_str(&format!("## {h}\n")),
        Block::SubHeading(h) => out.push_str(&format!("### {h}\n")),
        Block::Fields(fs) => {
            for (k, v) in fs {
                out.push_str(&format!("- **{k}**: {}\n", md_cell(v)));
            }
        }
        Block::Table(g) if g.rows.is_empty() => out.push_str(&format!("{}\n", g.empty_text())),
        Block::Table(g) => {
            out.push_str(&md_row(g.columns.iter().map(|(t, _)| t.clone())));
            out.push_str(&format!("|{}\n", "---|".repeat(g.columns.len())));
            for r in &g.rows {
                out.push_str(&md_row(r.iter().map(|c| c.display(dates))));
            }
        }
        Block::Text(t) => out.push_str(&format!("{}\n", t.replace('\n', "  \n"))),
        Block::Together(bs) => {
            out.pop();
            for b in bs {
                md_block(b, dates, out);
            }
        }
        Block::Approval(boxes) => {
            out.push_str(&md_row(boxes.iter().cloned()));
            out.push_str(&format!("|{}\n", "---|".repeat(boxes.len())));
            out.push_str(&md_row(boxes.iter().map(|_| "　".to_string())));
        }
    }
}

pub fn to_markdown(doc: &Document) -> String {
    let mut out = format!("# {}\n\n> {}\n", doc.title, doc.notice);
    for b in &doc.blocks {
        md_block(b, doc.dates, &mut out);
    }
    out.push_str(&format!("\n---\n\n> {}\n", doc.notice));
    out
}

// ---- CSV -----------------------------------------------------------------------------------

/// A table as CSV for Excel: UTF-8 with a byte-order mark (Excel reads BOM-less CSV as
/// Shift_JIS); the confidentiality notice on the first line, then the header row. Dates are ISO.
pub fn to_csv(g: &Grid, notice: &str) -> Vec<u8> {
    let headers: Vec<String> = g.columns.iter().map(|(t, _)| t.clone()).collect();
    let rows = g.rows.iter().map(|r| r.iter().map(Cell::csv).collect::<Vec<_>>());
    table_writer::csv_bytes_with_notice(notice, &headers, rows)
}

// ---- Word ----------------------------------------------------------------------------------

const A4_W: u32 = 11906;
const A4_H: u32 = 16838;
const MARGIN: i32 = 1134; // 2 cm
const TEXT_W: usize = A4_W as usize - 2 * MARGIN as usize;
const FONT: &str = "游明朝";
const HEAD_FILL: &str = "E7E6E6";

/// Half-points: 21 = 10.5 pt body text, 18 = 9 pt in tables.
const BODY_SIZE: usize = 21;
const TABLE_SIZE: usize = 18;
/// A cell's left + right padding (Word's default 0.19 cm each side), in twips.
const CELL_PADDING: usize = 230;
/// Columns whose content is at most this wide (dates, ranks, case numbers, short labels; in
/// twips at 9 pt) are sized to it and never wrap.
const NO_WRAP: usize = 1900;

/// How wide `text`'s longest line prints at 9 pt, in twips: a full-width character is 9 pt, a
/// half-width one a little over half (proportional digits), and Word and LibreOffice put a
/// quarter-em space between Japanese and Latin text (autoSpaceDN), as in 「令和 8 年 12 月」.
pub fn text_twips(text: &str) -> usize {
    use unicode_width::UnicodeWidthChar;
    text.lines()
        .map(|line| {
            let mut twips = 0;
            let mut prev_wide = None;
            for c in line.chars() {
                let wide = c.width().unwrap_or(1) >= 2;
                twips += if wide { 180 } else { 105 };
                if prev_wide.is_some_and(|p| p != wide) {
                    twips += 45;
                }
                prev_wide = Some(wide);
            }
            twips
        })
        .max()
        .unwrap_or(0)
}

/// Size and weight are set on the run: on the paragraph they would only style its mark.
/// `keep` holds it on the page of the next paragraph (Word's keepNext).
fn text_paragraph(text: &str, size: usize, bold: bool, keep: bool) -> Paragraph {
    let mut run = Run::new().size(size);
    if bold {
        run = run.bold();
    }
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            run = run.add_break(docx_rs::BreakType::TextWrapping);
        }
        run = run.add_text(line);
    }
    let p = Paragraph::new().add_run(run);
    if keep { p.keep_next(true) } else { p }
}

fn cell(text: &str, width: usize, head: bool, keep: bool) -> TableCell {
    let p = text_paragraph(text, TABLE_SIZE, head, keep);
    let c = TableCell::new().add_paragraph(p).width(width, WidthType::Dxa);
    if head { c.shading(Shading::new().fill(HEAD_FILL)) } else { c }
}

/// Twips per column from each column's content width (`natural`, twips) and its declared
/// floor (full-width characters): short content gets exactly its width (never wraps), the rest
/// of the line is shared by the long columns in proportion to their content. If the short ones
/// alone leave too little, every column is scaled to the line by its content.
pub fn column_twips(natural: &[usize], floors: &[usize], line: usize) -> Vec<usize> {
    let need = |w: usize| w + CELL_PADDING;
    let short = |i: usize| natural[i] <= NO_WRAP;
    let fixed: usize = (0..natural.len()).filter(|i| short(*i)).map(|i| need(natural[i])).sum();
    let weight = |i: usize| natural[i].clamp(1, 8000).max(floors.get(i).copied().unwrap_or(0) * 180);
    let flexible: usize = (0..natural.len()).filter(|i| !short(*i)).map(weight).sum();
    let left = line.saturating_sub(fixed);
    let widths: Vec<usize> = (0..natural.len())
        .map(|i| if short(i) { need(natural[i]) } else { left * weight(i) / flexible.max(1) })
        .collect();
    if flexible == 0 && fixed <= line {
        // Everything fits unwrapped: the spare width goes to the column declared widest (内容).
        let mut widths = widths;
        let widest = (0..floors.len().min(widths.len())).max_by_key(|i| floors[*i]).unwrap_or(0);
        if let Some(w) = widths.get_mut(widest) {
            *w += line - fixed;
        }
        return widths;
    }
    let too_narrow = (0..natural.len()).any(|i| !short(i) && widths[i] < need(NO_WRAP / 2));
    if fixed > line || too_narrow || flexible == 0 {
        let needs: Vec<usize> = natural.iter().map(|w| need((*w).min(8000))).collect();
        let sum: usize = needs.iter().sum::<usize>().max(1);
        return needs.iter().map(|n| line * n / sum).collect();
    }
    widths
}

fn docx_grid(g: &Grid, dates: DateStyle, keep_all: bool) -> Table {
    let texts: Vec<Vec<String>> = g.rows.iter().map(|r| r.iter().map(|c| c.display(dates)).collect()).collect();
    let natural: Vec<usize> = (0..g.columns.len())
        .map(|i| {
            texts.iter().filter_map(|r| r.get(i)).map(|t| text_twips(t)).fold(text_twips(&g.columns[i].0), usize::max)
        })
        .collect();
    let floors: Vec<usize> = g.columns.iter().map(|(_, w)| *w as usize).collect();
    let widths = column_twips(&natural, &floors, TEXT_W);
    // The header row repeats on every page (w:tblHeader, see `mark_header_rows`) and stays with
    // the first row, so it is never stranded at the bottom of a page.
    let head = TableRow::new(g.columns.iter().zip(&widths).map(|((t, _), w)| cell(t, *w, true, true)).collect())
        .cant_split()
        .row_height(HEADER_ROW_MARK);
    let mut rows = vec![head];
    for (n, r) in texts.iter().enumerate() {
        let keep = keep_all && n + 1 < texts.len();
        rows.push(
            TableRow::new(
                widths.iter().enumerate().map(|(i, w)| cell(r.get(i).map_or("", |s| s), *w, false, keep)).collect(),
            )
            .cant_split(),
        );
    }
    Table::new(rows).set_grid(widths).width(TEXT_W, WidthType::Dxa)
}

fn docx_fields(fs: &[(String, String)], keep: bool) -> Table {
    let kw = fs.iter().map(|(k, _)| text_twips(k)).max().unwrap_or(0).max(4 * 180) + CELL_PADDING;
    let vw = TEXT_W - kw;
    let rows = fs
        .iter()
        .map(|(k, v)| TableRow::new(vec![cell(k, kw, true, keep), cell(v, vw, false, keep)]).cant_split())
        .collect();
    Table::new(rows).set_grid(vec![kw, vw]).width(TEXT_W, WidthType::Dxa)
}

fn docx_approval(boxes: &[String]) -> Table {
    let w = 1134; // 2 cm a box
    let titles = TableRow::new(boxes.iter().map(|b| cell(b, w, true, true)).collect()).cant_split();
    let stamps = TableRow::new(boxes.iter().map(|_| cell("", w, false, false)).collect())
        .cant_split()
        .row_height(1020.0)
        .height_rule(docx_rs::HeightRule::Exact);
    Table::new(vec![titles, stamps])
        .set_grid(vec![w; boxes.len()])
        .width(w * boxes.len(), WidthType::Dxa)
        .align(docx_rs::TableAlignmentType::Right)
}

fn small(text: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(text).size(16)).align(AlignmentType::Center)
}

fn heading(text: &str, size: usize, level: usize, before: u32) -> Paragraph {
    Paragraph::new()
        .add_run(Run::new().add_text(text).bold().size(size))
        .outline_lvl(level)
        .keep_next(true)
        .line_spacing(LineSpacing::new().before(before).after(60))
}

/// Adds `b` to the document; `keep` holds all of it with what follows (inside a
/// [`Block::Together`], all but its last block).
fn docx_block(d: Docx, b: &Block, dates: DateStyle, keep: bool) -> Docx {
    match b {
        Block::Heading(h) => d.add_paragraph(heading(h, 26, 0, 240)),
        Block::SubHeading(h) => d.add_paragraph(heading(h, 22, 1, 160)),
        Block::Fields(fs) => d.add_table(docx_fields(fs, keep)).add_paragraph(spacer(keep)),
        Block::Table(g) if g.rows.is_empty() => {
            d.add_paragraph(text_paragraph(&g.empty_text(), BODY_SIZE, false, keep))
        }
        Block::Table(g) => d.add_table(docx_grid(g, dates, keep)).add_paragraph(spacer(keep)),
        Block::Text(t) => d.add_paragraph(text_paragraph(t, BODY_SIZE, false, keep)),
        Block::Together(bs) => {
            bs.iter().enumerate().fold(d, |d, (i, b)| docx_block(d, b, dates, keep || i + 1 < bs.len()))
        }
        Block::Approval(boxes) if boxes.is_empty() => d,
        Block::Approval(boxes) => d.add_table(docx_approval(boxes)).add_paragraph(Paragraph::new()),
    }
}

/// The empty paragraph after a table (Word needs one between two tables).
fn spacer(keep: bool) -> Paragraph {
    Paragraph::new().keep_next(keep)
}

/// docx-rs writes no `w:tblHeader`: header rows carry this row height as a mark that
/// [`mark_header_rows`] replaces. A 1-twip minimum height changes nothing if it were left.
const HEADER_ROW_MARK: f32 = 1.0;
const HEADER_ROW_XML: &str = r#"<w:trHeight w:val="1" w:hRule="atLeast" />"#;

/// Post-processing docx-rs cannot express: repeated header rows, and the document properties
/// (docx-rs has no setter for the creator or title, and writes "unknown").
fn mark_header_rows(document: Vec<u8>) -> Vec<u8> {
    String::from_utf8(document)
        .map(|x| x.replace(HEADER_ROW_XML, "<w:tblHeader />").into_bytes())
        .unwrap_or_else(|e| e.into_bytes())
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn core_properties(core: Vec<u8>, title: &str) -> Vec<u8> {
    String::from_utf8(core)
        .map(|x| {
            x.replace("<dc:creator>unknown</dc:creator>", "<dc:creator>shinko</dc:creator>")
                .replace(
                    "<cp:lastModifiedBy>unknown</cp:lastModifiedBy>",
                    "<cp:lastModifiedBy>shinko</cp:lastModifiedBy>",
                )
                .replace(
                    "</cp:coreProperties>",
                    &format!("<dc:title>{}</dc:title></cp:coreProperties>", xml_escape(title)),
                )
                // Without a time passed in, no date rather than docx-rs's 1970-01-01.
                .replace(r#"<dcterms:created xsi:type="dcterms:W3CDTF">1970-01-01T00:00:00Z</dcterms:created>"#, "")
                .replace(r#"<dcterms:modified xsi:type="dcterms:W3CDTF">1970-01-01T00:00:00Z</dcterms:modified>"#, "")
                .into_bytes()
        })
        .unwrap_or_else(|e| e.into_bytes())
}

pub fn to_docx(doc: &Document) -> Result<Vec<u8>, RenderError> {
    let header = Header::new().add_paragraph(small(&doc.notice));
    let footer = Footer::new().add_paragraph(small(&doc.notice)).add_paragraph(
        Paragraph::new()
            .add_page_num(PageNum::new())
            .add_run(Run::new().add_text(" / "))
            .add_num_pages(NumPages::new())
            .size(18)
            .align(AlignmentType::Center),
    );
    let mut d = Docx::new()
        .page_size(A4_W, A4_H)
        .page_margin(PageMargin {
            top: MARGIN + 283,
            left: MARGIN,
            bottom: MARGIN + 283,
            right: MARGIN,
            header: 567,
            footer: 567,
            gutter: 0,
        })
        .default_fonts(RunFonts::new().east_asia(FONT).ascii(FONT).hi_ansi(FONT))
        .default_size(BODY_SIZE)
        .header(header)
        .footer(footer)
        .add_paragraph(
            Paragraph::new().add_run(Run::new().add_text(&doc.title).bold().size(32)).align(AlignmentType::Center),
        );
    if let Some(t) = doc.created {
        let w3c = t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        d = d.created_at(&w3c).updated_at(&w3c);
    }
    for b in &doc.blocks {
        d = docx_block(d, b, doc.dates, false);
    }
    let mut xml = d.build();
    xml.document = mark_header_rows(xml.document);
    xml.doc_props.core = core_properties(xml.doc_props.core, &doc.title);
    let mut buf = Cursor::new(Vec::new());
    xml.pack(&mut buf).map_err(|e| RenderError::Docx(e.to_string()))?;
    Ok(buf.into_inner())
}

// ---- Excel ---------------------------------------------------------------------------------

/// A table as written on the sheet: its header row, its last row, and the grid.
type Placed<'a> = (u32, u32, &'a Grid);

fn xlsx_block<'a>(s: &mut Sheet, b: &'a Block, row: &mut u32, tables: &mut Vec<Placed<'a>>) -> Result<(), RenderError> {
    let base = table_writer::base_format();
    let head = table_writer::header_format();
    let body = table_writer::body_format();
    let last_col = s.column_count() - 1;
    match b {
        Block::Heading(h) | Block::SubHeading(h) => {
            s.merged(*row, 0, last_col, h, &base.clone().set_bold().set_font_size(12))?;
            *row += 1;
        }
        Block::Fields(fs) => {
            for (k, v) in fs {
                s.put(*row, 0, &Cell::Text(k.clone()), &head)?;
                s.merged(*row, 1, last_col.max(1), v, &body)?;
                *row += 1;
            }
            *row += 1;
        }
        Block::Table(g) if g.rows.is_empty() => {
            s.merged(*row, 0, last_col, &g.empty_text(), &base)?;
            *row += 2;
        }
        Block::Table(g) => {
            let first = *row;
            for (i, (t, _)) in g.columns.iter().enumerate() {
                s.put(*row, i as u16, &Cell::Text(t.clone()), &head)?;
            }
            for r in &g.rows {
                *row += 1;
                for (i, c) in r.iter().enumerate() {
                    s.put(*row, i as u16, c, &body)?;
                }
            }
            for (col, list) in &g.choices {
                let rule = rust_xlsxwriter::DataValidation::new()
                    .allow_list_strings(list)?
                    .set_error_message(format!("{} のいずれかを選んでください", list.join("・")))?;
                s.worksheet().add_data_validation(first + 1, *col as u16, *row, *col as u16, &rule)?;
            }
            tables.push((first, *row, g));
            *row += 2;
        }
        Block::Text(t) => {
            s.merged(*row, 0, last_col, t, &base)?;
            *row += 2;
        }
        Block::Together(bs) => {
            for b in bs {
                xlsx_block(s, b, row, tables)?;
            }
        }
        Block::Approval(_) => {}
    }
    Ok(())
}

fn max_columns(blocks: &[Block]) -> usize {
    blocks
        .iter()
        .map(|b| match b {
            Block::Table(g) => g.columns.len(),
            Block::Together(bs) => max_columns(bs),
            _ => 0,
        })
        .max()
        .unwrap_or(0)
}

/// Renders `doc` on one worksheet named `sheet`, printable on A4 with the notice on every page:
/// counts are numbers, dates are Excel dates in the document's style. A document that is one
/// table gets its header frozen, filtered and repeated on every printed page.
pub fn to_xlsx(doc: &Document, sheet: &str) -> Result<Vec<u8>, RenderError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet)?;
    let mut s = Sheet::new(ws, doc.dates);
    s.reserve_columns(max_columns(&doc.blocks).max(2));
    let base = table_writer::base_format();
    let last_col = s.column_count() - 1;
    s.merged(0, 0, last_col, &doc.title, &base.clone().set_bold().set_font_size(14))?;
    s.merged(
        1,
        0,
        last_col,
        &doc.notice,
        &base.clone().set_font_size(9).set_font_color(rust_xlsxwriter::Color::RGB(0xC00000)),
    )?;
    let mut row = 3;
    let mut tables = Vec::new();
    for b in &doc.blocks {
        xlsx_block(&mut s, b, &mut row, &mut tables)?;
    }
    let table = if tables.len() == 1 { tables.first().map(|(h, l, _)| (*h, *l)) } else { None };
    s.finish(&Page { notice: &doc.notice, paper: doc.paper, table })?;
    let charted: Vec<&Placed> = tables.iter().filter(|(_, _, g)| g.chart).collect();
    if !charted.is_empty() {
        let ws = wb.add_worksheet();
        ws.set_name("グラフ")?;
        for (n, placed) in charted.into_iter().enumerate() {
            ws.insert_chart(n as u32 * CHART_ROWS, 0, &chart(sheet, placed))?;
        }
        Sheet::new(ws, doc.dates).finish(&Page { notice: &doc.notice, paper: doc.paper, table: None })?;
    }
    Ok(wb.save_to_buffer()?)
}

/// Rows of the chart sheet each chart takes (a chart is 288 px, a row 20).
const CHART_ROWS: u32 = 16;

/// A column chart of a table on `sheet`: its first column as categories, every column of counts
/// as a series (件数, 前年度), the 合計 row left out.
fn chart(sheet: &str, (head, last, g): &Placed) -> rust_xlsxwriter::Chart {
    use rust_xlsxwriter::{Chart, ChartFont};
    let mut font = ChartFont::new();
    font.set_name(table_writer::FONT);
    let mut c = Chart::new_column();
    c.title().set_name(&g.caption).set_font(&font);
    c.x_axis().set_font(&font);
    c.legend().set_font(&font);
    let total = g.rows.last().and_then(|r| r.first()) == Some(&Cell::Text("合計".into()));
    let last = if total { last - 1 } else { *last };
    let counts = (1..g.columns.len()).filter(|i| g.rows.iter().all(|r| matches!(r.get(*i), Some(Cell::Count(_)))));
    for col in counts {
        let col = col as u16;
        c.add_series().set_name((sheet, *head, col)).set_categories((sheet, head + 1, 0, last, 0)).set_values((
            sheet,
            head + 1,
            col,
            last,
            col,
        ));
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Document {
        let mut g = Grid::new(&[("ケース番号", 8), ("内容", 30)]);
        g.row(vec!["R7-00001", "家庭訪問|週1回\n継続"]);
        Document::new(
            "会議録",
            "取扱注意 & 守秘",
            vec![
                Block::Heading("1. 出欠".into()),
                Block::Fields(vec![("会議名".into(), "第1回".into())]),
                Block::Table(g),
                Block::Table(Grid::new(&[("a", 1)])),
                Block::Text("以上".into()),
            ],
        )
    }

    #[test]
    fn markdown_escapes_cells_and_repeats_the_notice() {
        let md = to_markdown(&sample());
        assert!(md.contains("| R7-00001 | 家庭訪問\\|週1回<br>継続 |"), "{md}");
        assert_eq!(md.matches("取扱注意 & 守秘").count(), 2);
        assert!(md.contains(NONE));
    }

    fn core_xml(docx: &[u8]) -> String {
        use std::io::Read;
        let mut zip = zip::ZipArchive::new(Cursor::new(docx)).unwrap();
        let mut xml = String::new();
        zip.by_name("docProps/core.xml").unwrap().read_to_string(&mut xml).unwrap();
        xml
    }

    #[test]
    fn docx_and_xlsx_are_zip_packages() {
        let d = to_docx(&sample()).unwrap();
        assert!(d.starts_with(b"PK"));
        let core = core_xml(&d);
        assert!(core.contains("<dc:creator>shinko</dc:creator>") && !core.contains("1970"), "{core}");
        let mut dated = sample();
        dated.created = chrono::NaiveDate::from_ymd_opt(2026, 12, 8).unwrap().and_hms_opt(6, 30, 0);
        assert!(core_xml(&to_docx(&dated).unwrap()).contains("2026-12-08T06:30:00Z"));
        let x = to_xlsx(&sample(), "会議録").unwrap();
        assert!(x.starts_with(b"PK"));
    }

    #[test]
    fn short_columns_get_their_width_and_the_long_ones_share_the_rest() {
        let (number, date, rank) = (text_twips("R7-00001"), text_twips("令和8年12月8日"), text_twips("ランク"));
        assert!(date > 7 * 180, "digits and the space around them count: {date}");
        let w = column_twips(&[number, date, rank, 30 * 180, 12 * 180], &[7, 7, 4, 18, 4], TEXT_W);
        assert!(w.iter().sum::<usize>() <= TEXT_W, "{w:?}");
        assert_eq!(&w[..3], &[number + CELL_PADDING, date + CELL_PADDING, rank + CELL_PADDING], "{w:?}");
        assert!(w[3] > w[4] && w[4] > NO_WRAP / 2, "{w:?}");
        // Too many short columns for the line: all are scaled, none is left at zero.
        let w = column_twips(&[NO_WRAP; 12], &[0; 12], TEXT_W);
        assert!(w.iter().all(|x| *x > 500) && w.iter().sum::<usize>() <= TEXT_W, "{w:?}");
    }
}
