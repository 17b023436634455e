//! A small document model (title, confidentiality notice, headings, fields, tables, text) with
//! one renderer per format the outputs use: Markdown, .docx (Word) and .xlsx (Excel). Minutes,
//! statistics and per-agency action lists are built as a [`Document`] once and rendered to
//! whichever format the user asked for.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, Docx, Footer, Header, LineSpacing, NumPages, PageMargin, PageNum, Paragraph, Run, RunFonts, Shading,
    Table, TableCell, TableRow, WidthType,
};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};
use unicode_width::UnicodeWidthStr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub title: String,
    /// Printed at the top and, in .docx/.xlsx, in the header and footer of every page.
    pub notice: String,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Heading(String),
    SubHeading(String),
    /// Label–value pairs (会議名, 日時, …).
    Fields(Vec<(String, String)>),
    Table(Grid),
    Text(String),
}

/// A table: column titles with their width in full-width characters, and rows of cells.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Grid {
    pub columns: Vec<(String, u16)>,
    pub rows: Vec<Vec<String>>,
}

impl Grid {
    pub fn new(columns: &[(&str, u16)]) -> Self {
        Grid { columns: columns.iter().map(|(t, w)| (t.to_string(), *w)).collect(), rows: Vec::new() }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
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

pub fn to_markdown(doc: &Document) -> String {
    let mut out = format!("# {}\n\n> {}\n", doc.title, doc.notice);
    for b in &doc.blocks {
        out.push('\n');
        match b {
            Block::Heading(h) => out.push_str(&format!("## {h}\n")),
            Block::SubHeading(h) => out.push_str(&format!("### {h}\n")),
            Block::Fields(fs) => {
                for (k, v) in fs {
                    out.push_str(&format!("- **{k}**: {}\n", md_cell(v)));
                }
            }
            Block::Table(g) if g.rows.is_empty() => out.push_str(&format!("{NONE}\n")),
            Block::Table(g) => {
                let head: Vec<String> = g.columns.iter().map(|(t, _)| md_cell(t)).collect();
                out.push_str(&format!("| {} |\n", head.join(" | ")));
                out.push_str(&format!("|{}\n", "---|".repeat(head.len())));
                for r in &g.rows {
                    let cells: Vec<String> = r.iter().map(|c| md_cell(c)).collect();
                    out.push_str(&format!("| {} |\n", cells.join(" | ")));
                }
            }
            Block::Text(t) => out.push_str(&format!("{}\n", t.replace('\n', "  \n"))),
        }
    }
    out.push_str(&format!("\n---\n\n> {}\n", doc.notice));
    out
}

// ---- CSV -----------------------------------------------------------------------------------

/// A table as CSV for Excel: UTF-8 with a byte-order mark (Excel reads BOM-less CSV as
/// Shift_JIS), header row first.
pub fn to_csv(g: &Grid) -> Vec<u8> {
    let headers: Vec<&str> = g.columns.iter().map(|(t, _)| t.as_str()).collect();
    super::table_writer::csv_bytes(&headers, g.rows.iter().map(|r| r.iter().map(String::as_str).collect::<Vec<_>>()))
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

/// Size and weight are set on the run: on the paragraph they would only style its mark.
fn text_paragraph(text: &str, size: usize, bold: bool) -> Paragraph {
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
    Paragraph::new().add_run(run)
}

fn cell(text: &str, width: usize, head: bool) -> TableCell {
    // 9 pt in tables: a row of the minutes fits about 50 full-width characters.
    let p = text_paragraph(text, TABLE_SIZE, head);
    let c = TableCell::new().add_paragraph(p).width(width, WidthType::Dxa);
    if head { c.shading(Shading::new().fill(HEAD_FILL)) } else { c }
}

fn docx_grid(g: &Grid) -> Table {
    let total: usize = g.columns.iter().map(|(_, w)| *w as usize).sum::<usize>().max(1);
    let widths: Vec<usize> = g.columns.iter().map(|(_, w)| TEXT_W * *w as usize / total).collect();
    let mut rows = vec![TableRow::new(g.columns.iter().zip(&widths).map(|((t, _), w)| cell(t, *w, true)).collect())];
    for r in &g.rows {
        rows.push(
            TableRow::new(
                widths.iter().enumerate().map(|(i, w)| cell(r.get(i).map_or("", |s| s), *w, false)).collect(),
            )
            .cant_split(),
        );
    }
    Table::new(rows).set_grid(widths).width(TEXT_W, WidthType::Dxa)
}

fn docx_fields(fs: &[(String, String)]) -> Table {
    let (kw, vw) = (TEXT_W / 5, TEXT_W - TEXT_W / 5);
    let rows =
        fs.iter().map(|(k, v)| TableRow::new(vec![cell(k, kw, true), cell(v, vw, false)]).cant_split()).collect();
    Table::new(rows).set_grid(vec![kw, vw]).width(TEXT_W, WidthType::Dxa)
}

fn small(text: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(text).size(16)).align(AlignmentType::Center)
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
    for b in &doc.blocks {
        d = match b {
            Block::Heading(h) => d.add_paragraph(
                Paragraph::new()
                    .add_run(Run::new().add_text(h).bold().size(26))
                    .outline_lvl(0)
                    .keep_next(true)
                    .line_spacing(LineSpacing::new().before(240).after(60)),
            ),
            Block::SubHeading(h) => d.add_paragraph(
                Paragraph::new()
                    .add_run(Run::new().add_text(h).bold().size(22))
                    .outline_lvl(1)
                    .keep_next(true)
                    .line_spacing(LineSpacing::new().before(160).after(40)),
            ),
            Block::Fields(fs) => d.add_table(docx_fields(fs)).add_paragraph(Paragraph::new()),
            Block::Table(g) if g.rows.is_empty() => d.add_paragraph(text_paragraph(NONE, BODY_SIZE, false)),
            Block::Table(g) => d.add_table(docx_grid(g)).add_paragraph(Paragraph::new()),
            Block::Text(t) => d.add_paragraph(text_paragraph(t, BODY_SIZE, false)),
        };
    }
    let mut buf = Cursor::new(Vec::new());
    d.build().pack(&mut buf).map_err(|e| RenderError::Docx(e.to_string()))?;
    Ok(buf.into_inner())
}

// ---- Excel ---------------------------------------------------------------------------------

const XLSX_FONT: &str = "游ゴシック";

/// Column width in Excel units for `chars` full-width characters (autofit counts Japanese
/// too narrow, so widths are set by hand).
fn xlsx_width(chars: u16) -> f64 {
    (chars as f64 * 2.2).clamp(4.0, 80.0)
}

/// An Excel header/footer section text: `&` is its escape character.
fn hf(text: &str) -> String {
    text.replace('&', "&&")
}

/// Renders `doc` on one worksheet named `sheet`, printable on A4 with the notice on every page.
pub fn to_xlsx(doc: &Document, sheet: &str) -> Result<Vec<u8>, RenderError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet)?;
    let base = Format::new().set_font_name(XLSX_FONT).set_text_wrap().set_align(FormatAlign::Top);
    let title = base.clone().set_bold().set_font_size(14);
    let notice = base.clone().set_font_size(9).set_font_color(rust_xlsxwriter::Color::RGB(0xC00000));
    let heading = base.clone().set_bold().set_font_size(12);
    let head = base
        .clone()
        .set_bold()
        .set_background_color(rust_xlsxwriter::Color::RGB(0xE7E6E6))
        .set_border(FormatBorder::Thin);
    let body = base.clone().set_border(FormatBorder::Thin);

    // Each column is as wide as the widest use of it.
    let mut widths: Vec<u16> = vec![12, 40];
    let grow = |i: usize, w: u16, widths: &mut Vec<u16>| {
        if widths.len() <= i {
            widths.resize(i + 1, 6);
        }
        widths[i] = widths[i].max(w);
    };
    for b in &doc.blocks {
        if let Block::Table(g) = b {
            for (i, (t, w)) in g.columns.iter().enumerate() {
                grow(i, (*w).max(t.width() as u16 / 2 + 1), &mut widths);
            }
        }
    }
    let last_col = (widths.len() - 1) as u16;
    for (i, w) in widths.iter().enumerate() {
        ws.set_column_width(i as u16, xlsx_width(*w))?;
    }
    ws.set_paper_size(9); // A4
    ws.set_header(format!("&C&8{}", hf(&doc.notice)));
    ws.set_footer("&C&P / &N");
    ws.set_print_fit_to_pages(1, 0);

    let mut row: u32 = 0;
    ws.merge_range(row, 0, row, last_col, &doc.title, &title)?;
    row += 1;
    ws.merge_range(row, 0, row, last_col, &doc.notice, &notice)?;
    ws.set_row_height(row, 30)?;
    row += 2;
    for b in &doc.blocks {
        match b {
            Block::Heading(h) | Block::SubHeading(h) => {
                ws.write_with_format(row, 0, h, &heading)?;
                row += 1;
            }
            Block::Fields(fs) => {
                for (k, v) in fs {
                    ws.write_with_format(row, 0, k, &head)?;
                    if last_col > 1 {
                        ws.merge_range(row, 1, row, last_col, v, &body)?;
                    } else {
                        ws.write_with_format(row, 1, v, &body)?;
                    }
                    row += 1;
                }
                row += 1;
            }
            Block::Table(g) if g.rows.is_empty() => {
                ws.write_with_format(row, 0, NONE, &base)?;
                row += 2;
            }
            Block::Table(g) => {
                for (i, (t, _)) in g.columns.iter().enumerate() {
                    ws.write_with_format(row, i as u16, t, &head)?;
                }
                row += 1;
                for r in &g.rows {
                    for (i, c) in r.iter().enumerate() {
                        ws.write_with_format(row, i as u16, c, &body)?;
                    }
                    row += 1;
                }
                row += 1;
            }
            Block::Text(t) => {
                ws.merge_range(row, 0, row, last_col, t, &base)?;
                row += 2;
            }
        }
    }
    Ok(wb.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Document {
        let mut g = Grid::new(&[("ケース番号", 8), ("内容", 30)]);
        g.row(vec!["R7-00001".into(), "家庭訪問|週1回\n継続".into()]);
        Document {
            title: "会議録".into(),
            notice: "取扱注意 & 守秘".into(),
            blocks: vec![
                Block::Heading("1. 出欠".into()),
                Block::Fields(vec![("会議名".into(), "第1回".into())]),
                Block::Table(g),
                Block::Table(Grid::new(&[("a", 1)])),
                Block::Text("以上".into()),
            ],
        }
    }

    #[test]
    fn markdown_escapes_cells_and_repeats_the_notice() {
        let md = to_markdown(&sample());
        assert!(md.contains("| R7-00001 | 家庭訪問\\|週1回<br>継続 |"), "{md}");
        assert_eq!(md.matches("取扱注意 & 守秘").count(), 2);
        assert!(md.contains(NONE));
    }

    #[test]
    fn docx_and_xlsx_are_zip_packages() {
        let d = to_docx(&sample()).unwrap();
        assert!(d.starts_with(b"PK"));
        let x = to_xlsx(&sample(), "会議録").unwrap();
        assert!(x.starts_with(b"PK"));
    }
}
