//! Times of day as people type them: 9:30, 09:30, ９：３０ (MS-IME's full width), 9時30分, 9時,
//! and ranges joined by -, ~, ～ (what MS-IME types for 「から」), 〜 or 「から」.

use chrono::NaiveTime;
use unicode_normalization::UnicodeNormalization;

/// One time of day; the reason is Japanese.
pub fn parse(input: &str) -> Result<NaiveTime, String> {
    let s: String = input.nfkc().filter(|c| !c.is_whitespace()).collect();
    let bad = || format!("時刻「{}」が読めません（例: 09:30、9時30分）", input.trim());
    let (h, m) = if let Some((h, m)) = s.split_once(':') {
        (h, m)
    } else if let Some((h, rest)) = s.split_once('時') {
        (h, rest.strip_suffix('分').unwrap_or(rest))
    } else {
        return Err(bad());
    };
    let h: u32 = h.parse().map_err(|_| bad())?;
    let m: u32 = if m.is_empty() { 0 } else { m.parse().map_err(|_| bad())? };
    NaiveTime::from_hms_opt(h, m, 0).ok_or_else(bad)
}

/// A start and an end, the end after the start.
pub fn parse_range(input: &str) -> Result<(NaiveTime, NaiveTime), String> {
    // NFKC turns ～ (U+FF5E) into ~; 〜 (U+301C) and 「から」 stay as they are.
    let s: String = input.nfkc().collect();
    let (a, b) = s
        .split_once(['-', '~', '〜', '–', '−'])
        .or_else(|| s.split_once("から"))
        .ok_or_else(|| format!("時間「{}」は 09:30-12:00 の形で指定してください", input.trim()))?;
    let (start, end) = (parse(a)?, parse(b)?);
    if end <= start {
        return Err("終了時刻は開始時刻より後にしてください".into());
    }
    Ok((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn reads_what_an_ime_types() {
        for (text, want) in [
            ("09:30-12:00", (t(9, 30), t(12, 0))),
            ("09:30～12:00", (t(9, 30), t(12, 0))),
            ("０９：３０～１２：００", (t(9, 30), t(12, 0))),
            ("9:30〜12:00", (t(9, 30), t(12, 0))),
            ("9時30分から12時", (t(9, 30), t(12, 0))),
            ("13:00 - 15:30", (t(13, 0), t(15, 30))),
        ] {
            assert_eq!(parse_range(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn refuses_with_a_reason() {
        assert!(parse_range("12:00-09:30").unwrap_err().contains("後に"));
        assert!(parse_range("09:30").unwrap_err().contains("09:30-12:00"));
        assert!(parse_range("25:00-26:00").unwrap_err().contains("読めません"));
        assert!(parse("朝").unwrap_err().contains("読めません"));
    }
}
