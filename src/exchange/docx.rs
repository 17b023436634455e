//! Word documents in one house style: A4, a Japanese font, and the confidentiality notice in
//! the header and footer of every page. Used by the pre-send packets; the minutes can use the
//! same builder.

use docx_rs::{
    AlignmentType, BreakType, Docx, Footer, Header, Paragraph, Run, RunFonts, Shading, Table, TableCell, TableRow,
    WidthType,
};

/// A4 in twentieths of a point.
const A4: (u32, u32) = (11906, 16838);
/// Usable width between the default margins, for table columns.
const TEXT_WIDTH: usize = 9000;

/// A document being written, top to bottom.
pub struct Doc {
    docx: Docx,
}

/// A paragraph from text that may hold line breaks.
fn lines(text: &str, size: usize, bold: bool) -> Paragraph {
    let mut run = Run::new().size(size);
    if bold {
        run = run.bold();
    }
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            run = run.add_break(BreakType::TextWrapping);
        }
        run = run.add_text(line);
    }
    Paragraph::new().add_run(run)
}

fn notice_paragraph(notice: &str) -> Paragraph {
    Paragraph::new().align(AlignmentType::Center).add_run(Run::new().size(16).bold().color("C00000").add_text(notice))
}

impl Doc {
    /// A new document whose every page carries `notice` at the top and the bottom.
    pub fn new(notice: &str) -> Doc {
        let docx = Docx::new()
            .page_size(A4.0, A4.1)
            .default_fonts(RunFonts::new().east_asia("游明朝").ascii("Century"))
            .default_size(21)
            .header(Header::new().add_paragraph(notice_paragraph(notice)))
            .footer(Footer::new().add_paragraph(notice_paragraph(notice)));
        Doc { docx }
    }

    pub fn title(mut self, text: &str) -> Doc {
        self.docx = self.docx.add_paragraph(lines(text, 32, true).align(AlignmentType::Center));
        self
    }

    pub fn heading(mut self, text: &str) -> Doc {
        self.docx = self.docx.add_paragraph(lines(text, 26, true).keep_next(true));
        self
    }

    pub fn para(mut self, text: &str) -> Doc {
        self.docx = self.docx.add_paragraph(lines(text, 21, false));
        self
    }

    /// A two-column table of labels and values (one record, e.g. one case).
    pub fn fields(mut self, rows: &[(&str, String)]) -> Doc {
        let label_w = TEXT_WIDTH / 4;
        let rows = rows
            .iter()
            .map(|(label, value)| {
                TableRow::new(vec![
                    TableCell::new()
                        .width(label_w, WidthType::Dxa)
                        .shading(Shading::new().fill("EDEDED"))
                        .add_paragraph(lines(label, 20, true)),
                    TableCell::new().width(TEXT_WIDTH - label_w, WidthType::Dxa).add_paragraph(lines(value, 20, false)),
                ])
            })
            .collect();
        let table = Table::new(rows).set_grid(vec![label_w, TEXT_WIDTH - label_w]).width(TEXT_WIDTH, WidthType::Dxa);
        self.docx = self.docx.add_table(table).add_paragraph(Paragraph::new());
        self
    }

    /// A table with a header row.
    pub fn table(mut self, header: &[&str], rows: &[Vec<String>]) -> Doc {
        let w = TEXT_WIDTH / header.len().max(1);
        let cell = |text: &str, head: bool| {
            let c = TableCell::new().width(w, WidthType::Dxa).add_paragraph(lines(text, 20, head));
            if head { c.shading(Shading::new().fill("EDEDED")) } else { c }
        };
        let mut all = vec![TableRow::new(header.iter().map(|h| cell(h, true)).collect())];
        all.extend(rows.iter().map(|r| TableRow::new(r.iter().map(|v| cell(v, false)).collect())));
        let table = Table::new(all).set_grid(vec![w; header.len()]).width(TEXT_WIDTH, WidthType::Dxa);
        self.docx = self.docx.add_table(table).add_paragraph(Paragraph::new());
        self
    }

    /// The finished .docx file.
    pub fn to_bytes(self) -> Result<Vec<u8>, String> {
        let mut buf = std::io::Cursor::new(Vec::new());
        self.docx.build().pack(&mut buf).map_err(|e| format!("Word文書を作成できません: {e}"))?;
        Ok(buf.into_inner())
    }
}
