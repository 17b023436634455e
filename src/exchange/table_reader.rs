//! Reads the first sheet of an .xlsx/.xls file or a CSV (UTF-8 with or without BOM, or
//! Shift_JIS/CP932) into rows of cells, within limits, without evaluating anything.
//!
//! The format is told by the file's first bytes, not its extension (a renamed file still
//! reads). CSV is decoded and parsed as a stream; for .xlsx the sheet's declared size is
//! checked before any cell is read and rows are counted while streaming, so a hostile file
//! cannot make us hold more than the limits allow. Formulas are never evaluated: the value
//! Excel saved with the file is read and the caller is told how many cells held formulas.

use std::io::{Cursor, Read, Seek};
use std::path::Path;

use calamine::{Data, DataRef, Reader, Xls, Xlsx};
use chrono::NaiveDate;

use super::problem::Problem;

/// Bounds on what one input file may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_rows: usize,
    pub max_cell_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_rows: 200_000, max_cell_bytes: 64 * 1024 }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
    Bool(bool),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text: whole numbers without ".0", dates as 2024-04-01.
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.trim().to_string(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => n.to_string(),
            Cell::Date(d) => d.to_string(),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
        }
    }
}

/// One non-empty row; `number` is 1-based as Excel and text editors show it.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub number: usize,
    pub cells: Vec<Cell>,
}

impl Row {
    pub fn get(&self, col: usize) -> &Cell {
        self.cells.get(col).unwrap_or(&Cell::Empty)
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// File name only.
    pub file: String,
    pub rows: Vec<Row>,
    /// Cells that held a formula (their saved value was read, never evaluated).
    pub formulas: usize,
    /// Which sheet of the workbook was read (0 = the first) and how many it has (1 for CSV).
    pub sheet: usize,
    pub sheets: usize,
}

impl Table {
    /// The notice to show when the data was not on the first sheet (a cover sheet before it).
    pub fn sheet_notice(&self) -> Option<String> {
        (self.sheet > 0).then(|| {
            format!(
                "{}: {} 枚目のシートを読みました（{} 枚中。前のシートに表がないため）",
                self.file,
                self.sheet + 1,
                self.sheets
            )
        })
    }

    /// The notice to show when formulas were read as values.
    pub fn formula_notice(&self) -> Option<String> {
        (self.formulas > 0).then(|| {
            format!(
                "{}: 数式のセルが {} 個あります。数式は計算せず、Excelが保存した値を読みました",
                self.file, self.formulas
            )
        })
    }
}

/// File name without folders, for messages.
pub fn file_label(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string())
}

/// Reads `path` (format told by its first bytes); a workbook's first sheet.
pub fn read_path(path: &Path, limits: Limits) -> Result<Table, Problem> {
    read_path_where(path, limits, &|_| true)
}

/// Reads `path`; of a workbook, the first sheet `wanted` accepts, else the first sheet (so
/// the caller can say what it missed).
pub fn read_path_where(path: &Path, limits: Limits, wanted: &dyn Fn(&Table) -> bool) -> Result<Table, Problem> {
    let label = file_label(path);
    let mut f = std::fs::File::open(path).map_err(|_| Problem::file(&label, "ファイルを開けません"))?;
    let mut magic = [0u8; 8];
    let n = read_up_to(&mut f, &mut magic).map_err(|_| Problem::file(&label, "ファイルを読めません"))?;
    f.rewind().map_err(|_| Problem::file(&label, "ファイルを読めません"))?;
    match sniff(&magic[..n]) {
        Kind::Csv => read_csv(&label, std::io::BufReader::new(f), limits),
        kind => read_workbook(&label, std::io::BufReader::new(f), kind, limits, wanted),
    }
}

/// Reads a file's bytes (tests, fuzzing, files already in memory).
pub fn read_bytes(label: &str, bytes: &[u8], limits: Limits) -> Result<Table, Problem> {
    read_bytes_where(label, bytes, limits, &|_| true)
}

/// [`read_bytes`] choosing the sheet as [`read_path_where`] does.
pub fn read_bytes_where(
    label: &str,
    bytes: &[u8],
    limits: Limits,
    wanted: &dyn Fn(&Table) -> bool,
) -> Result<Table, Problem> {
    match sniff(bytes) {
        Kind::Csv => read_csv(label, bytes, limits),
        kind => read_workbook(label, Cursor::new(bytes), kind, limits, wanted),
    }
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Xlsx,
    Xls,
    Csv,
}

fn sniff(head: &[u8]) -> Kind {
    if head.starts_with(b"PK\x03\x04") {
        Kind::Xlsx
    } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Kind::Xls
    } else {
        Kind::Csv
    }
}

const BROKEN: &str = "Excelファイルとして読めません（壊れているか、途中で切れています）";

fn too_many_rows(label: &str, limits: Limits) -> Problem {
    Problem::file(label, format!("行数が上限（{} 行）を超えています。ファイルを分けてください", limits.max_rows))
}

fn too_big_cell(label: &str, row: usize, col: usize, limits: Limits) -> Problem {
    Problem::cell(
        label,
        row,
        &super::problem::column_letter(col),
        format!("セルの文字数が上限（{} KiB）を超えています", limits.max_cell_bytes / 1024),
    )
}

/// Cells held at most, counting each row up to its last filled column: rows are dense, so a
/// crafted sheet with one cell in column XFD on every row would otherwise cost 16,384 cells a
/// row (2,000,000 cells ≈ 64 MiB).
const MAX_CELLS: usize = 2_000_000;

/// Collects cells into rows, enforcing the limits as they arrive.
struct Builder<'a> {
    label: &'a str,
    limits: Limits,
    rows: Vec<Row>,
    cells: usize,
}

impl Builder<'_> {
    fn put(&mut self, row0: usize, col: usize, cell: Cell) -> Result<(), Problem> {
        if cell.is_empty() {
            return Ok(());
        }
        let number = row0 + 1;
        if let Cell::Text(t) = &cell
            && t.len() > self.limits.max_cell_bytes
        {
            return Err(too_big_cell(self.label, number, col, self.limits));
        }
        if col > 16_384 {
            return Err(Problem::file(self.label, "列数が多すぎます"));
        }
        if self.rows.last().is_none_or(|r| r.number != number) {
            if self.rows.len() >= self.limits.max_rows {
                return Err(too_many_rows(self.label, self.limits));
            }
            self.rows.push(Row { number, cells: Vec::new() });
        }
        let r = self.rows.last_mut().expect("pushed above");
        if r.cells.len() <= col {
            self.cells += col + 1 - r.cells.len();
            if self.cells > MAX_CELLS {
                return Err(Problem::file(
                    self.label,
                    "セルが多すぎます（各行の右端の列までで 200 万セルを超えています）。使っていない列・行を削除してください",
                ));
            }
            r.cells.resize(col + 1, Cell::Empty);
        }
        r.cells[col] = cell;
        Ok(())
    }

    fn finish(mut self, formulas: usize) -> Table {
        // Cells of a sheet arrive in row order, but keep the promise if a writer did not.
        self.rows.sort_by_key(|r| r.number);
        Table { file: self.label.to_string(), rows: self.rows, formulas, sheet: 0, sheets: 1 }
    }
}

fn read_workbook<RS: Read + Seek>(
    label: &str,
    rs: RS,
    kind: Kind,
    limits: Limits,
    wanted: &dyn Fn(&Table) -> bool,
) -> Result<Table, Problem> {
    // calamine parses untrusted zip/XML/BIFF; a panic deep inside it must not take the
    // import down with a backtrace, so it becomes the same "broken file" answer.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match kind {
        Kind::Xlsx => read_xlsx(label, rs, limits, wanted),
        _ => read_xls(label, rs, limits, wanted),
    }))
    .unwrap_or_else(|_| Err(Problem::file(label, BROKEN)))
}

/// The first of the workbook's sheets that `wanted` accepts, else the first one.
fn first_wanted(
    label: &str,
    names: &[String],
    wanted: &dyn Fn(&Table) -> bool,
    mut read: impl FnMut(&str) -> Result<Table, Problem>,
) -> Result<Table, Problem> {
    let mut first = None;
    for (i, name) in names.iter().enumerate() {
        let mut t = read(name)?;
        t.sheet = i;
        t.sheets = names.len();
        if wanted(&t) {
            return Ok(t);
        }
        first.get_or_insert(t);
    }
    first.ok_or_else(|| Problem::file(label, "シートがありません"))
}

fn read_xlsx<RS: Read + Seek>(
    label: &str,
    mut rs: RS,
    limits: Limits,
    wanted: &dyn Fn(&Table) -> bool,
) -> Result<Table, Problem> {
    // Before calamine opens it: calamine holds the whole shared-strings table in memory.
    super::xlsx_parts::check(label, &mut rs)?;
    let mut wb: Xlsx<RS> = Xlsx::new(rs).map_err(|_| Problem::file(label, BROKEN))?;
    let names = wb.sheet_names().to_vec();
    first_wanted(label, &names, wanted, |name| xlsx_sheet(&mut wb, label, name, limits))
}

fn xlsx_sheet<RS: Read + Seek>(wb: &mut Xlsx<RS>, label: &str, name: &str, limits: Limits) -> Result<Table, Problem> {
    let mut cells = wb.worksheet_cells_reader(name).map_err(|_| Problem::file(label, BROKEN))?;
    let dim = cells.dimensions();
    if (dim.end.0 as u64).saturating_sub(dim.start.0 as u64) > limits.max_rows as u64 {
        return Err(too_many_rows(label, limits));
    }
    let mut b = Builder { label, limits, rows: Vec::new(), cells: 0 };
    let mut formulas = 0;
    while let Some(c) = cells.next_cell_with_formula_metadata().map_err(|_| Problem::file(label, BROKEN))? {
        if c.formula.is_some() {
            formulas += 1;
        }
        b.put(c.pos.0 as usize, c.pos.1 as usize, from_ref(c.value))?;
    }
    Ok(b.finish(formulas))
}

fn read_xls<RS: Read + Seek>(
    label: &str,
    rs: RS,
    limits: Limits,
    wanted: &dyn Fn(&Table) -> bool,
) -> Result<Table, Problem> {
    let mut wb: Xls<RS> = Xls::new(rs).map_err(|_| Problem::file(label, BROKEN))?;
    let names = wb.sheet_names().to_vec();
    first_wanted(label, &names, wanted, |name| xls_sheet(&mut wb, label, name, limits))
}

fn xls_sheet<RS: Read + Seek>(wb: &mut Xls<RS>, label: &str, name: &str, limits: Limits) -> Result<Table, Problem> {
    let range = wb.worksheet_range(name).map_err(|_| Problem::file(label, BROKEN))?;
    if range.height() > limits.max_rows + 1 {
        return Err(too_many_rows(label, limits));
    }
    let formulas =
        wb.worksheet_formula(name).map(|f| f.used_cells().filter(|(_, _, s)| !s.is_empty()).count()).unwrap_or(0);
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let mut b = Builder { label, limits, rows: Vec::new(), cells: 0 };
    for (r, c, v) in range.used_cells() {
        b.put(r0 as usize + r, c0 as usize + c, from_data(v))?;
    }
    Ok(b.finish(formulas))
}

fn from_ref(v: DataRef<'_>) -> Cell {
    match v {
        DataRef::Empty | DataRef::Error(_) => Cell::Empty,
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Cell::Text(s),
        DataRef::SharedString(s) => Cell::Text(s.to_string()),
        DataRef::Int(i) => Cell::Number(i as f64),
        DataRef::Float(f) => Cell::Number(f),
        DataRef::Bool(b) => Cell::Bool(b),
        DataRef::DateTime(d) => d.as_datetime().map(|t| Cell::Date(t.date())).unwrap_or(Cell::Number(d.as_f64())),
    }
}

fn from_data(v: &Data) -> Cell {
    match v {
        Data::Empty | Data::Error(_) => Cell::Empty,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(d) => d.as_datetime().map(|t| Cell::Date(t.date())).unwrap_or(Cell::Number(d.as_f64())),
    }
}

/// Decodes bytes to UTF-8 as they are read. The encoding is chosen from the first block:
/// a UTF-8 BOM or valid UTF-8 means UTF-8, anything else Shift_JIS (encoding_rs's
/// Shift_JIS is Windows-31J/CP932, what Excel writes). A byte that does not decode is an
/// error rather than a silent replacement character in a child's name.
struct Decoding<R> {
    inner: R,
    decoder: Option<encoding_rs::Decoder>,
    pending: Vec<u8>,
    out: Vec<u8>,
    out_pos: usize,
    eof: bool,
}

const BLOCK: usize = 64 * 1024;

impl<R: Read> Decoding<R> {
    fn new(inner: R) -> Self {
        Decoding { inner, decoder: None, pending: Vec::new(), out: Vec::new(), out_pos: 0, eof: false }
    }

    fn fill(&mut self) -> std::io::Result<()> {
        let mut buf = vec![0u8; BLOCK];
        let n = read_up_to(&mut self.inner, &mut buf)?;
        buf.truncate(n);
        let last = n < BLOCK;
        let dec = self.decoder.get_or_insert_with(|| {
            let enc = if buf.starts_with(b"\xEF\xBB\xBF") || valid_utf8_prefix(&buf, last) {
                encoding_rs::UTF_8
            } else {
                encoding_rs::SHIFT_JIS
            };
            enc.new_decoder_with_bom_removal()
        });
        self.pending.extend_from_slice(&buf);
        self.out.clear();
        self.out_pos = 0;
        let cap = dec.max_utf8_buffer_length(self.pending.len()).unwrap_or(self.pending.len() * 3 + 16);
        self.out.resize(cap, 0);
        let (res, read, written, replaced) = dec.decode_to_utf8(&self.pending, &mut self.out, last);
        debug_assert_eq!(res, encoding_rs::CoderResult::InputEmpty);
        self.out.truncate(written);
        self.pending.drain(..read);
        if replaced {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "encoding"));
        }
        self.eof = last;
        Ok(())
    }
}

fn valid_utf8_prefix(buf: &[u8], last: bool) -> bool {
    match std::str::from_utf8(buf) {
        Ok(_) => true,
        // A block may end in the middle of a character.
        Err(e) => !last && e.error_len().is_none(),
    }
}

impl<R: Read> Read for Decoding<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.out_pos >= self.out.len() {
            if self.eof {
                return Ok(0);
            }
            self.fill()?;
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

fn read_csv<R: Read>(label: &str, r: R, limits: Limits) -> Result<Table, Problem> {
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(Decoding::new(r));
    let mut b = Builder { label, limits, rows: Vec::new(), cells: 0 };
    let mut rec = csv::StringRecord::new();
    let mut row0 = 0usize;
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let reason = if e.is_io_error() {
                    "文字コードを判別できません（UTF-8 または Shift_JIS で保存してください）"
                } else {
                    "CSVとして読めません（引用符の閉じ忘れなど）"
                };
                return Err(Problem::row(label, row0 + 1, reason));
            }
        }
        // Excel shows one record as one row, even when a quoted cell spans lines.
        row0 += 1;
        let line = row0;
        if row0 > limits.max_rows.saturating_mul(4) {
            return Err(too_many_rows(label, limits));
        }
        for (col, field) in rec.iter().enumerate() {
            if field.len() > limits.max_cell_bytes {
                return Err(too_big_cell(label, line, col, limits));
            }
            if !field.trim().is_empty() {
                let text = super::table_writer::unguard_formula(field);
                b.put(row0 - 1, col, Cell::Text(text.to_string()))?;
            }
        }
    }
    Ok(b.finish(0))
}

/// Reads a date cell: an Excel date, an Excel serial number, or text in any form
/// `wareki::parse_date` knows. The reason never repeats the value (it may be a birth date).
pub fn cell_date(c: &Cell) -> Result<Option<NaiveDate>, String> {
    match c {
        Cell::Empty => Ok(None),
        Cell::Date(d) => Ok(Some(*d)),
        // 1900 date system; 60 is Excel's phantom 1900-02-29, so serials count from 1899-12-30.
        Cell::Number(n) if *n >= 61.0 && *n < 2_958_466.0 => {
            let base = NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid");
            Ok(base.checked_add_signed(chrono::Duration::days(n.trunc() as i64)))
        }
        Cell::Text(t) if t.trim().is_empty() => Ok(None),
        Cell::Text(t) => crate::domain::wareki::parse_date(t).map(Some).map_err(|e| {
            if e.contains("存在しない") {
                "存在しない日付です".to_string()
            } else if e.contains("期間外") {
                "元号の期間外の日付です".to_string()
            } else {
                "日付として読めません（例: 2024/4/1, 令和6年4月1日, R6.4.1）".to_string()
            }
        }),
        _ => Err("日付として読めません（例: 2024/4/1, 令和6年4月1日, R6.4.1）".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn csv_utf8_with_and_without_bom_and_shift_jis_read_the_same() {
        let text = "ケース番号,氏名\nR6-001,山田 太郎\n";
        let plain = read_bytes("a.csv", text.as_bytes(), Limits::default()).unwrap();
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        let with_bom = read_bytes("a.csv", &bom, Limits::default()).unwrap();
        let (sjis, _, bad) = encoding_rs::SHIFT_JIS.encode(text);
        assert!(!bad);
        let shift = read_bytes("a.csv", &sjis, Limits::default()).unwrap();
        assert_eq!(plain.rows, with_bom.rows);
        assert_eq!(plain.rows, shift.rows);
        assert_eq!(plain.rows[1].get(1).text(), "山田 太郎");
        assert_eq!(plain.rows[1].number, 2);
    }

    #[test]
    fn shift_jis_across_block_boundaries() {
        let mut text = String::from("氏名\n");
        while text.len() < BLOCK * 3 {
            text.push_str("髙橋 はなこ\n");
        }
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&text);
        let t = read_bytes("b.csv", &sjis, Limits::default()).unwrap();
        assert!(t.rows.iter().skip(1).all(|r| r.get(0).text() == "髙橋 はなこ"));
    }

    #[test]
    fn bytes_that_are_neither_utf8_nor_shift_jis_are_refused() {
        let e = read_bytes("e.csv", b"\x82\xa0,\x80\x80\xff\n", Limits::default()).unwrap_err();
        assert!(e.reason.contains("文字コード"), "{e}");
    }

    #[test]
    fn limits_are_enforced() {
        let many = "a\n".repeat(11);
        let e = read_bytes("c.csv", many.as_bytes(), Limits { max_rows: 10, max_cell_bytes: 100 }).unwrap_err();
        assert!(e.reason.contains("行数が上限"));
        let big = format!("a,{}\n", "x".repeat(101));
        let e = read_bytes("c.csv", big.as_bytes(), Limits { max_rows: 10, max_cell_bytes: 100 }).unwrap_err();
        assert_eq!(e.row, Some(1));
        assert_eq!(e.column.as_deref(), Some("B"));
    }

    #[test]
    fn sparse_wide_rows_are_refused_before_they_fill_memory() {
        let mut csv = String::new();
        for _ in 0..200 {
            csv += &",".repeat(16_000);
            csv += "x\n";
        }
        let e = read_bytes("wide.csv", csv.as_bytes(), Limits::default()).unwrap_err();
        assert!(e.reason.contains("セルが多すぎます"), "{e}");
    }

    #[test]
    fn truncated_workbook_is_a_clear_error() {
        let e = read_bytes("d.xlsx", b"PK\x03\x04garbage", Limits::default()).unwrap_err();
        assert!(e.reason.contains("壊れている"), "{e}");
    }

    #[test]
    fn the_sheet_wanted_is_found_behind_a_cover_sheet() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        wb.add_worksheet().write_string(0, 0, "表紙").unwrap();
        wb.add_worksheet().write_string(0, 0, "ケース番号").unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let is_data = |t: &Table| t.rows.iter().any(|r| r.get(0).text() == "ケース番号");
        let t = read_bytes_where("w.xlsx", &bytes, Limits::default(), &is_data).unwrap();
        assert_eq!((t.sheet, t.sheets), (1, 2));
        assert!(t.sheet_notice().unwrap().contains("2 枚目のシート"));
        let t = read_bytes_where("w.xlsx", &bytes, Limits::default(), &|_| false).unwrap();
        assert_eq!((t.sheet, t.sheets), (0, 2), "none wanted: the first, to say what was missed");
        assert_eq!(read_bytes("w.xlsx", &bytes, Limits::default()).unwrap().sheet_notice(), None);
    }

    #[test]
    fn dates_in_every_form() {
        assert_eq!(cell_date(&Cell::Number(45383.0)), Ok(Some(d(2024, 4, 1))));
        assert_eq!(cell_date(&Cell::Text("R6.4.1".into())), Ok(Some(d(2024, 4, 1))));
        assert_eq!(cell_date(&Cell::Text("H31.4.1".into())), Ok(Some(d(2019, 4, 1))));
        assert_eq!(cell_date(&Cell::Text("令和6年4月1日".into())), Ok(Some(d(2024, 4, 1))));
        assert_eq!(cell_date(&Cell::Date(d(2024, 4, 1))), Ok(Some(d(2024, 4, 1))));
        assert_eq!(cell_date(&Cell::Empty), Ok(None));
        let e = cell_date(&Cell::Text("2015/13/40".into())).unwrap_err();
        assert!(!e.contains("2015"), "the value is not repeated: {e}");
    }
}
