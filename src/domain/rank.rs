//! ランク (緊急度) schemes: configured per municipality, each with its review interval.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::calendar::BusinessCalendar;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RankDef {
    pub code: String,
    pub label: String,
    /// Months until the next progress review (次回確認).
    pub review_months: u32,
}

/// A view over the configured ranks, most urgent first.
#[derive(Debug, Clone, Copy)]
pub struct RankScheme<'a> {
    ranks: &'a [RankDef],
}

impl<'a> RankScheme<'a> {
    pub fn new(ranks: &'a [RankDef]) -> Self {
        RankScheme { ranks }
    }

    pub fn ranks(&self) -> &'a [RankDef] {
        self.ranks
    }

    pub fn get(&self, code: &str) -> Option<&'a RankDef> {
        self.ranks.iter().find(|r| r.code == code)
    }

    /// The rank as a person reads it: its configured label (「A 重度（一時保護等の検討）」), or the code
    /// marked as no longer configured.
    pub fn describe(&self, code: &str) -> String {
        match self.get(code) {
            Some(r) if !r.label.trim().is_empty() => r.label.clone(),
            Some(r) => r.code.clone(),
            None if code.is_empty() => String::new(),
            None => format!("{code}（設定にないランク）"),
        }
    }

    /// 0 = most urgent. Unknown codes sort last.
    pub fn severity_index(&self, code: &str) -> usize {
        self.ranks.iter().position(|r| r.code == code).unwrap_or(self.ranks.len())
    }

    pub fn is_top(&self, code: &str) -> bool {
        self.severity_index(code) == 0
    }

    /// True when `to` is more urgent than `from`.
    pub fn is_raise(&self, from: &str, to: &str) -> bool {
        self.severity_index(to) < self.severity_index(from)
    }

    /// Next review: the rank's interval after `from`, moved to the next business day.
    pub fn next_review(&self, code: &str, from: NaiveDate, cal: &BusinessCalendar) -> NaiveDate {
        let months = self.get(code).map(|r| r.review_months).unwrap_or(3);
        let raw = from.checked_add_months(Months::new(months)).unwrap_or(from);
        cal.on_or_after(raw)
    }
}

/// The next review once the ledger is edited, the one rule the CLI and the screen apply:
/// a new case without one gets its rank's interval from `today`; a changed rank whose interval
/// would bring the review earlier than the one set moves it there (B→A: three months become
/// one), unless the same edit typed a review date of its own.
pub fn next_review_after_edit(
    case: &mut crate::domain::Case,
    before: Option<&crate::domain::Case>,
    today: NaiveDate,
    cfg: &crate::domain::Config,
) {
    let proposed = || cfg.rank_scheme(case.registration).next_review(&case.rank, today, &cfg.business_calendar());
    match before {
        None if case.next_review.is_none() => case.next_review = Some(proposed()),
        Some(b) if b.rank != case.rank && b.next_review == case.next_review => {
            let p = proposed();
            if case.next_review.is_none_or(|n| p < n) {
                case.next_review = Some(p);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Config;

    #[test]
    fn severity_and_raise() {
        let cfg = Config::default();
        let s = RankScheme::new(&cfg.ranks);
        assert!(s.is_top("A"));
        assert!(s.is_raise("C", "B"));
        assert!(!s.is_raise("B", "D"));
        assert_eq!(s.severity_index("Z"), 4);
    }

    #[test]
    fn a_rank_reads_as_its_label() {
        let cfg = Config::default();
        let s = RankScheme::new(&cfg.ranks);
        assert_eq!(s.describe("A"), "A 重度（一時保護等の検討）");
        assert_eq!(s.describe("低"), "低（設定にないランク）");
        assert_eq!(s.describe(""), "");
    }

    #[test]
    fn next_review_lands_on_a_business_day() {
        let cfg = Config::default();
        let s = RankScheme::new(&cfg.ranks);
        let cal = cfg.business_calendar();
        // 2026-09-22 + 3 months = 2026-12-22 (Tue) — a business day
        let d = NaiveDate::from_ymd_opt(2026, 9, 22).unwrap();
        assert_eq!(s.next_review("B", d, &cal), NaiveDate::from_ymd_opt(2026, 12, 22).unwrap());
        // 2026-09-30 + 3 months = 2026-12-30: year-end closure → 2027-01-04 (Mon)
        let d = NaiveDate::from_ymd_opt(2026, 9, 30).unwrap();
        assert_eq!(s.next_review("B", d, &cal), NaiveDate::from_ymd_opt(2027, 1, 4).unwrap());
    }

    #[test]
    fn a_raised_rank_brings_the_review_forward_but_never_back() {
        let cfg = Config::default();
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let mut before = crate::domain::Case::blank(d(10, 1));
        before.rank = "B".into();
        before.next_review = Some(NaiveDate::from_ymd_opt(2027, 3, 1).unwrap());
        let mut c = before.clone();
        c.rank = "A".into();
        next_review_after_edit(&mut c, Some(&before), d(12, 2), &cfg);
        assert_eq!(
            c.next_review,
            Some(NaiveDate::from_ymd_opt(2027, 1, 4).unwrap()),
            "A: one month, on a business day"
        );
        // Lowered: the earlier review stays.
        let mut c = before.clone();
        c.rank = "C".into();
        next_review_after_edit(&mut c, Some(&before), d(12, 2), &cfg);
        assert_eq!(c.next_review, before.next_review);
        // A date typed in the same edit is the user's.
        let mut c = before.clone();
        c.rank = "A".into();
        c.next_review = Some(d(12, 20));
        next_review_after_edit(&mut c, Some(&before), d(12, 2), &cfg);
        assert_eq!(c.next_review, Some(d(12, 20)));
    }
}
