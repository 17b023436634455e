//! Writes a table (headers + rows of text) as CSV or .xlsx bytes; `exchange::output` puts the
//! bytes on disk.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// CSV in UTF-8 with a BOM (Excel then opens Japanese text correctly).
pub fn csv_bytes<I, R>(headers: &[String], rows: I) -> Vec<u8>
where
    I: IntoIterator<Item = R>,
    R: AsRef<[String]>,
{
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(&mut out);
        w.write_record(headers).expect("writing to memory");
        for r in rows {
            w.write_record(r.as_ref()).expect("writing to memory");
        }
        w.flush().expect("writing to memory");
    }
    out
}

/// One sheet with a bold, frozen header row; every cell is text so nothing is reinterpreted.
pub fn xlsx_bytes<I, R>(sheet: &str, headers: &[String], rows: I) -> Result<Vec<u8>, XlsxError>
where
    I: IntoIterator<Item = R>,
    R: AsRef<[String]>,
{
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet)?;
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
