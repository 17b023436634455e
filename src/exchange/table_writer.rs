//! Writes a table (headers + rows of text) as CSV or .xlsx bytes; `exchange::output` puts the
//! bytes on disk.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// CSV in UTF-8 with a BOM (Excel then opens Japanese text correctly). Cells that Excel would
/// take for a formula are guarded (see [`guard_formula`]).
pub fn csv_bytes<I, R, S>(headers: &[S], rows: I) -> Vec<u8>
where
    I: IntoIterator<Item = R>,
    R: AsRef<[S]>,
    S: AsRef<str>,
{
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(&mut out);
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

/// One sheet with a bold, frozen header row; every cell is text so nothing is reinterpreted.
/// `notice` (the confidentiality notice) is printed in the page header.
pub fn xlsx_bytes<I, R>(sheet: &str, notice: &str, headers: &[String], rows: I) -> Result<Vec<u8>, XlsxError>
where
    I: IntoIterator<Item = R>,
    R: AsRef<[String]>,
{
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet)?;
    if !notice.is_empty() {
        ws.set_header(format!("&L{}", notice.replace('&', "&&")));
    }
    let bold = Format::new().set_bold();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &bold)?;
        ws.set_column_width(c as u16, (h.chars().count() as f64 * 2.2).max(10.0))?;
    }
    ws.set_freeze_panes(1, 0)?;
    for (r, row) in rows.into_iter().enumerate() {
        for (c, v) in row.as_ref().iter().enumerate() {
            if !v.is_empty() {
                ws.write_string((r + 1) as u32, c as u16, v)?;
            }
        }
    }
    wb.save_to_buffer()
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
}
