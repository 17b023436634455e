//! Business days: weekends, national holidays (jpholiday), 年末年始 and town closures.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, OnceLock};

use chrono::{Datelike, NaiveDate, Weekday};

/// National holidays by year, computed once per year from jpholiday's rules (its calculator
/// is neither `Send` nor cheap per call, so the results are cached).
fn holiday(d: NaiveDate) -> Option<String> {
    static CACHE: OnceLock<Mutex<HashMap<i32, HashMap<NaiveDate, String>>>> = OnceLock::new();
    let mut cache = CACHE.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    cache
        .entry(d.year())
        .or_insert_with(|| jpholiday::jpholiday::JPHoliday::new().year_holidays(d.year()).into_iter().collect())
        .get(&d)
        .cloned()
}

#[derive(Debug, Clone, Default)]
pub struct BusinessCalendar {
    year_end_closure: bool,
    closed: BTreeSet<NaiveDate>,
}

impl BusinessCalendar {
    pub fn new(year_end_closure: bool, closed: impl IntoIterator<Item = NaiveDate>) -> Self {
        BusinessCalendar { year_end_closure, closed: closed.into_iter().collect() }
    }

    /// The name of the national holiday on `d`, if any.
    pub fn holiday_name(d: NaiveDate) -> Option<String> {
        holiday(d)
    }

    pub fn is_business_day(&self, d: NaiveDate) -> bool {
        if matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            return false;
        }
        if self.year_end_closure {
            let (m, day) = (d.month(), d.day());
            if (m == 12 && day >= 29) || (m == 1 && day <= 3) {
                return false;
            }
        }
        !self.closed.contains(&d) && holiday(d).is_none()
    }

    /// `d` itself if it is a business day, else the next one.
    pub fn on_or_after(&self, mut d: NaiveDate) -> NaiveDate {
        // Bounded: no stretch of closed days is longer than a few weeks.
        for _ in 0..60 {
            if self.is_business_day(d) {
                return d;
            }
            d = d.succ_opt().unwrap_or(d);
        }
        d
    }

    /// Why `d` is not a business day (土曜日, 日曜日, the holiday's name, 年末年始, 休業日), or
    /// None if it is one.
    pub fn closed_reason(&self, d: NaiveDate) -> Option<String> {
        if self.is_business_day(d) {
            return None;
        }
        Some(match d.weekday() {
            Weekday::Sat => "土曜日".into(),
            Weekday::Sun => "日曜日".into(),
            _ => match holiday(d) {
                Some(name) => name,
                None if self.closed.contains(&d) => "休業日".into(),
                None => "年末年始".into(),
            },
        })
    }

    /// A next review decided for `d`: on `d` if it is a business day, else moved to the next
    /// one (so the ledger, the minutes and the calendar show the same day), saying why.
    pub fn review_day(&self, d: NaiveDate) -> ReviewDay {
        let date = self.on_or_after(d);
        let moved = (date != d).then(|| (d, self.closed_reason(d).unwrap_or_default()));
        ReviewDay { date, moved }
    }

    /// Adds `n` business days.
    pub fn add_business_days(&self, mut d: NaiveDate, n: u32) -> NaiveDate {
        let mut left = n;
        while left > 0 {
            d = d.succ_opt().unwrap_or(d);
            if self.is_business_day(d) {
                left -= 1;
            }
        }
        d
    }
}

/// The day a next review is recorded for, and the day asked for if it had to move (with why).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewDay {
    pub date: NaiveDate,
    pub moved: Option<(NaiveDate, String)>,
}

impl ReviewDay {
    /// 「次回確認日 2027-01-09 は土曜日のため、翌開庁日の 2027-01-12 にしました」
    pub fn note(&self) -> Option<String> {
        self.moved
            .as_ref()
            .map(|(asked, why)| format!("次回確認日 {asked} は{why}のため、翌開庁日の {} にしました", self.date))
    }
}

/// The fiscal year (年度) a date falls in: 令和7年度 = 2025 runs 2025-04-01 … 2026-03-31. The
/// one place this is computed (statistics, school years, the demo).
pub fn fiscal_year_of(d: NaiveDate) -> i32 {
    if d.month() >= 4 { d.year() } else { d.year() - 1 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn holidays_weekends_and_year_end() {
        let cal = BusinessCalendar::new(true, [d(2026, 6, 1)]);
        assert!(!cal.is_business_day(d(2026, 9, 22))); // 国民の休日
        assert!(!cal.is_business_day(d(2026, 11, 3))); // 文化の日
        assert!(!cal.is_business_day(d(2026, 12, 29)));
        assert!(!cal.is_business_day(d(2027, 1, 1)));
        assert!(!cal.is_business_day(d(2026, 6, 1))); // town closure
        assert!(cal.is_business_day(d(2026, 11, 24)));
        assert_eq!(cal.on_or_after(d(2026, 12, 28)), d(2026, 12, 28));
        assert_eq!(cal.on_or_after(d(2026, 12, 29)), d(2027, 1, 4));
        assert_eq!(cal.add_business_days(d(2026, 11, 20), 1), d(2026, 11, 24)); // Mon 23rd is 勤労感謝の日
    }

    #[test]
    fn a_review_decided_on_a_closed_day_moves_to_the_next_business_day_saying_why() {
        let cal = BusinessCalendar::new(true, [d(2027, 2, 1)]);
        let sat = cal.review_day(d(2027, 1, 9));
        // Monday 2027-01-11 is 成人の日.
        assert_eq!(sat.date, d(2027, 1, 12));
        assert_eq!(sat.note().unwrap(), "次回確認日 2027-01-09 は土曜日のため、翌開庁日の 2027-01-12 にしました");
        assert_eq!(cal.review_day(d(2027, 1, 1)).moved, Some((d(2027, 1, 1), "元日".to_string())));
        assert_eq!(cal.review_day(d(2027, 1, 1)).date, d(2027, 1, 4));
        assert_eq!(cal.review_day(d(2026, 12, 30)).moved.unwrap().1, "年末年始");
        assert_eq!(cal.review_day(d(2027, 2, 1)).moved.unwrap().1, "休業日");
        assert_eq!(cal.review_day(d(2027, 1, 12)), ReviewDay { date: d(2027, 1, 12), moved: None });
    }

    proptest! {
        #[test]
        fn on_or_after_is_a_business_day_and_never_earlier(days in 0i64..20000) {
            let cal = BusinessCalendar::new(true, []);
            let start = d(2000, 1, 1) + chrono::Duration::days(days);
            let r = cal.on_or_after(start);
            prop_assert!(r >= start);
            prop_assert!(cal.is_business_day(r));
            // The first business day: nothing in between is one (2019's Golden Week ran 10 days).
            prop_assert!(start.iter_days().take_while(|x| *x < r).all(|x| !cal.is_business_day(x)));
            prop_assert!((r - start).num_days() <= 10);
        }
    }
}
