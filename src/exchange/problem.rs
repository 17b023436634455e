//! What went wrong in an input file, said in Japanese with file, row and column so the user
//! can find the cell. Reasons never carry personal data (names, birth dates): only codes,
//! numbers and the column's name.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// File name only (never a full path: the folder may name a child).
    pub file: String,
    /// 1-based row as Excel shows it; None for a problem with the whole file.
    pub row: Option<usize>,
    /// Column header (or letter) the problem is in.
    pub column: Option<String>,
    pub reason: String,
}

impl Problem {
    pub fn file(file: &str, reason: impl Into<String>) -> Self {
        Problem { file: file.into(), row: None, column: None, reason: reason.into() }
    }

    pub fn cell(file: &str, row: usize, column: &str, reason: impl Into<String>) -> Self {
        Problem { file: file.into(), row: Some(row), column: Some(column.into()), reason: reason.into() }
    }

    pub fn row(file: &str, row: usize, reason: impl Into<String>) -> Self {
        Problem { file: file.into(), row: Some(row), column: None, reason: reason.into() }
    }

    /// A header cell (0-based column `col`) the template `form` has no column for.
    pub fn unknown_header(file: &str, row: usize, col: usize, header: &str, form: &str) -> Self {
        Problem::cell(
            file,
            row,
            &column_letter(col),
            format!("見出し「{}」は{form}にありません（様式を作り直してください）", header.trim()),
        )
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(r) = self.row {
            write!(f, " {r}行目")?;
        }
        if let Some(c) = &self.column {
            write!(f, " 「{c}」列")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// Problems that stop an import; `Display` lists every one on its own line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} 件の問題があるため、何も取り込んでいません:", self.0.len())?;
        for p in &self.0 {
            writeln!(f, "  {p}")?;
        }
        Ok(())
    }
}

impl From<Problem> for Problems {
    fn from(p: Problem) -> Self {
        Problems(vec![p])
    }
}

/// Spreadsheet column letter for a 0-based index (0 → A, 26 → AA).
pub fn column_letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ASCII letters")
}

/// Refuses text that could mislead a reader of the ledger: control characters (a name never
/// holds one; narrative cells may hold line breaks and tabs) and bidirectional overrides,
/// which can make a name display differently from what is stored.
pub fn check_text(s: &str, multiline: bool) -> Result<(), String> {
    for c in s.chars() {
        if matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}') {
            return Err(format!("文字の向きを変える制御文字（U+{:04X}）が含まれています", c as u32));
        }
        if c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')) {
            return Err(format!("制御文字（U+{:04X}）が含まれています", c as u32));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn display_names_file_row_column() {
        let p = Problem::cell("台帳.csv", 3, "生年月日", "日付として読めません");
        assert_eq!(p.to_string(), "台帳.csv 3行目 「生年月日」列: 日付として読めません");
    }

    #[test]
    fn rejects_controls_and_bidi_overrides() {
        assert!(check_text("山田 太郎", false).is_ok());
        assert!(check_text("山田\u{202E}太郎", false).unwrap_err().contains("向き"));
        assert!(check_text("山田\u{0007}", false).unwrap_err().contains("制御文字"));
        assert!(check_text("一行目\n二行目", true).is_ok());
        assert!(check_text("一行目\n二行目", false).is_err());
    }
}
