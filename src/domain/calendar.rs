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
