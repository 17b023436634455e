//! 和暦 (Japanese era) dates: shown next to 西暦 and accepted on input in every common form.

use chrono::{Datelike, NaiveDate};
use unicode_normalization::UnicodeNormalization;

struct Era {
    name: &'static str,
    letter: char,
    start: (i32, u32, u32),
}

const ERAS: [Era; 5] = [
    Era { name: "令和", letter: 'R', start: (2019, 5, 1) },
    Era { name: "平成", letter: 'H', start: (1989, 1, 8) },
    Era { name: "昭和", letter: 'S', start: (1926, 12, 25) },
    Era { name: "大正", letter: 'T', start: (1912, 7, 30) },
    Era { name: "明治", letter: 'M', start: (1868, 1, 25) },
];

fn era_start(e: &Era) -> NaiveDate {
    NaiveDate::from_ymd_opt(e.start.0, e.start.1, e.start.2).expect("valid era start")
}

/// 「令和6年4月1日」, with 元年 for the first year.
pub fn format(d: NaiveDate) -> String {
    match ERAS.iter().find(|e| d >= era_start(e)) {
        Some(e) => {
            let y = d.year() - e.start.0 + 1;
            let ys = if y == 1 { "元".to_string() } else { y.to_string() };
            format!("{}{}年{}月{}日", e.name, ys, d.month(), d.day())
        }
        None => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
    }
}

/// How documents write a date: 和暦 (令和8年9月1日) or 西暦 (2026年9月1日), one style per
/// document (`[output] date_style`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", try_from = "String")]
pub enum DateStyle {
    #[default]
    Wareki,
    Seireki,
}

impl TryFrom<String> for DateStyle {
    type Error = String;

    /// Also as people write it: 和暦, 西暦, upper case.
    fn try_from(s: String) -> Result<Self, String> {
        let options: [(&[&str], _); 2] =
            [(&["wareki", "和暦"], DateStyle::Wareki), (&["seireki", "西暦"], DateStyle::Seireki)];
        super::config::choose("date_style", &s, &options, "\"wareki\"（和暦）か \"seireki\"（西暦）")
    }
}

impl DateStyle {
    pub fn format(self, d: NaiveDate) -> String {
        match self {
            DateStyle::Wareki => format(d),
            DateStyle::Seireki => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
        }
    }

    /// The same as an Excel number format, so a date cell reads as the document does.
    pub fn excel_format(self) -> &'static str {
        match self {
            DateStyle::Wareki => "[$-411]ggge\"年\"m\"月\"d\"日\"",
            DateStyle::Seireki => "yyyy\"年\"m\"月\"d\"日\"",
        }
    }
}

/// 「R6.4.1」: short form for tables.
pub fn format_short(d: NaiveDate) -> String {
    match ERAS.iter().find(|e| d >= era_start(e)) {
        Some(e) => format!("{}{}.{}.{}", e.letter, d.year() - e.start.0 + 1, d.month(), d.day()),
        None => d.format("%Y-%m-%d").to_string(),
    }
}

/// 2026-04-01 in 西暦, optionally followed by (R8.4.1).
pub fn display(d: NaiveDate, with_wareki: bool) -> String {
    if with_wareki {
        format!("{} ({})", d.format("%Y-%m-%d"), format_short(d))
    } else {
        d.format("%Y-%m-%d").to_string()
    }
}

/// Parses 2024/4/1, 2024-04-01, 2024.4.1, 20240401, 2024年4月1日, 令和6年4月1日, 令和元年5月1日,
/// R6.4.1, R6/4/1, 令6.4.1, H31.4.30 (full-width digits too). The reason is Japanese.
/// Like [`parse_date`], and a date without a year (`12/10`, `12月10日`) is the one nearest to
/// `near` (the meeting day, today): within six months either side. For dates people write in
/// a meeting about the coming weeks; never for birth dates.
pub fn parse_date_near(input: &str, near: NaiveDate) -> Result<NaiveDate, String> {
    let s: String = input.nfkc().collect::<String>().trim().replace(' ', "");
    let parts: Vec<&str> = s.split(['/', '-', '.', '月', '日']).filter(|p| !p.is_empty()).collect();
    let md: Option<Vec<u32>> = parts.iter().map(|p| p.parse::<u32>().ok()).collect();
    match md.as_deref() {
        Some([m, d]) if !s.contains('年') => {
            let candidates = [near.year() - 1, near.year(), near.year() + 1]
                .into_iter()
                .filter_map(|y| NaiveDate::from_ymd_opt(y, *m, *d));
            candidates
                .min_by_key(|c| (*c - near).num_days().abs())
                .ok_or_else(|| format!("「{}」は存在しない日付です", input.trim()))
        }
        _ => parse_date(input),
    }
}

pub fn parse_date(input: &str) -> Result<NaiveDate, String> {
    let s: String = input.nfkc().collect::<String>().trim().replace(' ', "");
    if s.is_empty() {
        return Err("日付が空です".into());
    }
    let bad = || format!("「{}」は日付として読めません（例: 2024/4/1, 令和6年4月1日, R6.4.1, 12/10）", input.trim());
    // Era prefix?
    let (era, rest) = match ERAS.iter().find_map(|e| {
        if let Some(r) = s.strip_prefix(e.name) {
            Some((e, r.to_string()))
        } else {
            let mut cs = s.chars();
            let first = cs.next()?;
            let rest: String = cs.collect();
            let short = e.name.chars().next()?;
            let starts_digit = rest.chars().next().is_some_and(|c| c.is_ascii_digit() || c == '元');
            if (first.to_ascii_uppercase() == e.letter || first == short) && starts_digit {
                Some((e, rest))
            } else {
                None
            }
        }
    }) {
        Some((e, r)) => (Some(e), r),
        None => (None, s.clone()),
    };
    let rest = rest.replace('元', "1");
    let parts: Vec<&str> = rest.split(['/', '-', '.', '年', '月', '日']).filter(|p| !p.is_empty()).collect();
    let nums: Vec<u32> = match parts.iter().map(|p| p.parse::<u32>()).collect::<Result<Vec<_>, _>>() {
        Ok(n) => n,
        Err(_) => return Err(bad()),
    };
    let (y, m, d) = match (era, nums.as_slice()) {
        (None, [ymd]) if rest.len() == 8 => (*ymd as i32 / 10000, ymd / 100 % 100, ymd % 100),
        (None, [y, m, d]) if *y >= 1000 => (*y as i32, *m, *d),
        (Some(e), [y, m, d]) if *y >= 1 && *y <= 99 => (e.start.0 + *y as i32 - 1, *m, *d),
        _ => return Err(bad()),
    };
    let date = NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("「{}」は存在しない日付です", input.trim()))?;
    if let Some(e) = era {
        let next_start = ERAS.iter().take_while(|x| x.name != e.name).last().map(era_start);
        if date < era_start(e) || next_start.is_some_and(|n| date >= n && date.year() > n.year()) {
            return Err(format!("「{}」は{}の期間外です", input.trim(), e.name));
        }
    }
    Ok(date)
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_date_without_a_year_is_the_nearest_one() {
        let near = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        for text in ["12/10", "12月10日", "１２／１０", "R8.12.10", "令和8年12月10日", "2026-12-10"] {
            assert_eq!(parse_date_near(text, near), Ok(d(2026, 12, 10)), "{text}");
        }
        assert_eq!(parse_date_near("1/15", near), Ok(d(2027, 1, 15)), "early next year");
        assert_eq!(parse_date_near("11/20", near), Ok(d(2026, 11, 20)), "last month");
        assert!(parse_date_near("2/30", near).unwrap_err().contains("存在しない日付"));
        assert!(parse_date("12/10").is_err(), "without a reference day a year is needed");
    }
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn formats_eras() {
        assert_eq!(format(d(2024, 4, 1)), "令和6年4月1日");
        assert_eq!(format(d(2019, 5, 1)), "令和元年5月1日");
        assert_eq!(format(d(2019, 4, 30)), "平成31年4月30日");
        assert_eq!(format_short(d(2024, 4, 1)), "R6.4.1");
        assert_eq!(display(d(2026, 11, 24), true), "2026-11-24 (R8.11.24)");
    }

    #[test]
    fn parses_common_forms() {
        for (s, want) in [
            ("2024/4/1", d(2024, 4, 1)),
            ("2024-04-01", d(2024, 4, 1)),
            ("2024.4.1", d(2024, 4, 1)),
            ("20240401", d(2024, 4, 1)),
            ("2024年4月1日", d(2024, 4, 1)),
            ("令和6年4月1日", d(2024, 4, 1)),
            ("令和元年5月1日", d(2019, 5, 1)),
            ("R6.4.1", d(2024, 4, 1)),
            ("r6/4/1", d(2024, 4, 1)),
            ("令6.4.1", d(2024, 4, 1)),
            ("H31.4.30", d(2019, 4, 30)),
            ("平成31年4月30日", d(2019, 4, 30)),
            ("Ｒ６．４．１", d(2024, 4, 1)),
            ("２０２４／４／１", d(2024, 4, 1)),
            ("S64.1.7", d(1989, 1, 7)),
        ] {
            assert_eq!(parse_date(s), Ok(want), "{s}");
        }
    }

    #[test]
    fn rejects_nonsense_with_japanese_reasons() {
        assert!(parse_date("").unwrap_err().contains("空"));
        assert!(parse_date("2024/2/30").unwrap_err().contains("存在しない"));
        assert!(parse_date("あした").unwrap_err().contains("読めません"));
        assert!(parse_date("R1.4.1").unwrap_err().contains("期間外"));
        assert!(parse_date("24/4/1").is_err());
    }

    proptest! {
        #[test]
        fn wareki_round_trips(days in 0i64..60000) {
            let date = d(1900, 1, 1) + chrono::Duration::days(days);
            prop_assert_eq!(parse_date(&format(date)), Ok(date));
            prop_assert_eq!(parse_date(&format_short(date)), Ok(date));
        }
    }
}
