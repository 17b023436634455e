//! Checks the parts of an .xlsx package before calamine opens it. calamine reads the whole
//! shared-strings table into memory when it opens a workbook, so a small file whose
//! sharedStrings.xml unpacks to a gigabyte (a zip bomb, or a sheet once filled and cleared)
//! would take that much memory. Each part is unpacked here into nothing, counting bytes, and
//! refused past a cap; the size the zip directory declares is not trusted.

use std::io::{Read, Seek};

use super::problem::Problem;

/// The shared-strings table is held whole: its cap bounds the import's memory (24 MiB of the
/// shortest strings cost about 100 MiB).
pub const MAX_SHARED_STRINGS: u64 = 24 << 20;
/// Worksheets are streamed, but one cell's text is held whole while it is read.
pub const MAX_WORKSHEET: u64 = 64 << 20;
/// Styles, the workbook, relationships, pictures and the rest.
pub const MAX_OTHER: u64 = 16 << 20;
/// Parts in one package (a workbook has a few dozen).
pub const MAX_PARTS: usize = 10_000;
/// The longest run of bytes without a tag: calamine holds one cell's text (or one attribute)
/// whole, several times over while it unescapes it, so one 60 MiB cell in a small file would
/// cost 250 MiB. Excel's longest cell (32,767 characters, escaped) is far below this.
pub const MAX_TEXT_RUN: usize = 1 << 20;

const BROKEN: &str = "Excelファイルとして読めません（壊れているか、途中で切れています）";

/// What a part is, for the cap and the message (never the part's own name: a crafted file
/// may put anything there).
fn kind_of(name: &str) -> (&'static str, u64) {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with("sharedstrings.xml") {
        ("文字列の表（sharedStrings）", MAX_SHARED_STRINGS)
    } else if lower.starts_with("xl/worksheets/") {
        ("シート", MAX_WORKSHEET)
    } else {
        ("部品", MAX_OTHER)
    }
}

/// Counts what a part unpacks to and the longest run between two tags, keeping nothing.
#[derive(Default)]
struct Measure {
    run: usize,
    longest: usize,
}

impl std::io::Write for Measure {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut pieces = buf.split(|&b| b == b'<');
        if let Some(first) = pieces.next() {
            self.run += first.len();
            self.longest = self.longest.max(self.run);
        }
        for p in pieces {
            self.run = p.len();
            self.longest = self.longest.max(self.run);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn too_big(label: &str, kind: &str, cap: u64) -> Problem {
    Problem::file(
        label,
        format!(
            "Excelファイルの中の{kind}が大きすぎます（展開すると {} MiB を超えます）。\
             使っていない行・列や書式を削除して保存し直すか、CSVで保存してください",
            cap >> 20
        ),
    )
}

/// Refuses a package with too many parts or a part that unpacks beyond its cap; leaves the
/// reader at the start.
pub fn check<RS: Read + Seek>(label: &str, rs: &mut RS) -> Result<(), Problem> {
    let broken = || Problem::file(label, BROKEN);
    {
        let mut zip = zip::ZipArchive::new(&mut *rs).map_err(|_| broken())?;
        if zip.len() > MAX_PARTS {
            return Err(Problem::file(label, format!("Excelファイルの部品が多すぎます（上限 {MAX_PARTS} 個）")));
        }
        for i in 0..zip.len() {
            let mut part = zip.by_index(i).map_err(|_| broken())?;
            let (kind, cap) = kind_of(&part.name().map(|n| n.into_owned()).unwrap_or_default());
            if part.size() > cap {
                return Err(too_big(label, kind, cap));
            }
            let mut m = Measure::default();
            let n = std::io::copy(&mut (&mut part).take(cap + 1), &mut m).map_err(|_| broken())?;
            if n > cap {
                return Err(too_big(label, kind, cap));
            }
            if m.longest > MAX_TEXT_RUN {
                return Err(Problem::file(
                    label,
                    format!(
                        "Excelファイルの中の{kind}に、1つで {} MiB を超える文字列があります（Excelのセルには入らない長さです）",
                        MAX_TEXT_RUN >> 20
                    ),
                ));
            }
        }
    }
    rs.rewind().map_err(|_| broken())
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write};

    use super::*;

    fn package(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let o = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in parts {
            w.start_file(*name, o).unwrap();
            w.write_all(bytes).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn small_parts_pass_and_the_reader_is_rewound() {
        let mut c = Cursor::new(package(&[("xl/sharedStrings.xml", b"<sst/>"), ("xl/worksheets/sheet1.xml", b"<x/>")]));
        check("a.xlsx", &mut c).unwrap();
        assert_eq!(c.position(), 0);
    }

    #[test]
    fn an_oversized_shared_strings_part_is_refused_by_what_it_unpacks_to() {
        let big = vec![b'a'; (MAX_SHARED_STRINGS + 1) as usize];
        let bytes = package(&[("xl/sharedStrings.xml", &big)]);
        assert!(bytes.len() < 1 << 20, "compresses well: {}", bytes.len());
        let e = check("bomb.xlsx", &mut Cursor::new(bytes)).unwrap_err();
        assert!(e.reason.contains("文字列の表") && e.reason.contains("24 MiB"), "{e}");
        assert_eq!(e.file, "bomb.xlsx");
    }

    #[test]
    fn a_worksheet_may_be_larger_than_the_string_table() {
        let sheet = b"<c>x</c>".repeat((MAX_SHARED_STRINGS / 8 + 1) as usize);
        check("a.xlsx", &mut Cursor::new(package(&[("xl/worksheets/sheet1.xml", &sheet)]))).unwrap();
    }

    #[test]
    fn one_text_longer_than_any_cell_is_refused() {
        let mut sheet = b"<c><t>".to_vec();
        sheet.extend(std::iter::repeat_n(b'a', MAX_TEXT_RUN + 1));
        sheet.extend(b"</t></c>");
        let e = check("a.xlsx", &mut Cursor::new(package(&[("xl/worksheets/sheet1.xml", &sheet)]))).unwrap_err();
        assert!(e.reason.contains("1 MiB を超える文字列"), "{e}");
        let mut ok = b"<c><t>".to_vec();
        ok.extend(std::iter::repeat_n(b'a', MAX_TEXT_RUN - 10));
        ok.extend(b"</t></c>");
        check("a.xlsx", &mut Cursor::new(package(&[("xl/worksheets/sheet1.xml", &ok)]))).unwrap();
    }
}
