//! The breakdowns a 代表者会議 report carries beside the main figures: by 主担当機関, sex, 児相関与
//! and rank, age band × abuse type, closings by category, cases open at the year's end, and new
//! and closed cases month by month. Pure, like `stats`.

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;

use super::stats::{AGE_BANDS, Count, TypeRow};
use super::{AbuseType, Case, CgcInvolvement, Id, Registration};

/// New and closed cases in one month of the fiscal year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthRow {
    /// 「4月」
    pub month: String,
    pub new: usize,
    pub closed: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Breakdowns {
    /// Registered cases by 主担当機関.
    pub by_lead_agency: Vec<Count>,
    pub by_sex: Vec<Count>,
    /// 児童相談所の関与.
    pub by_cgc: Vec<Count>,
    pub by_rank: Vec<Count>,
    /// Cases with an abuse type, by type (rows) and age band (columns), any registration type.
    pub abuse_by_age: Vec<TypeRow>,
    /// Closed or transferred in the year, by the category of their reason.
    pub closed_by_category: Vec<Count>,
    /// Still open on the year's end (or today), by registration type.
    pub open_at_end: Vec<Count>,
    pub open_at_end_total: usize,
    pub by_month: Vec<MonthRow>,
}

/// The category a closing counts under: the one chosen when it was closed (a category since
/// removed from the configuration still counts under its own name), or 「（区分なし）」 for
/// closings recorded before categories existed. Never read from the free-text reason.
pub fn category_of(closure: &crate::domain::Closure) -> &str {
    if closure.category.trim().is_empty() { super::config::NO_CATEGORY } else { closure.category.trim() }
}

fn tally<'a>(labels: impl Iterator<Item = &'a str>) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for l in labels {
        *m.entry(l.to_string()).or_insert(0) += 1;
    }
    m
}

/// Counts in the order of `order` (every label, zero included), then any other label.
fn ordered(mut m: BTreeMap<String, usize>, order: &[&str]) -> Vec<Count> {
    let mut v: Vec<Count> =
        order.iter().map(|l| Count { label: l.to_string(), count: m.remove(*l).unwrap_or(0) }).collect();
    v.extend(m.into_iter().map(|(label, count)| Count { label, count }));
    v
}

/// The year `from..=to` counted on `as_of`: `registered` are the cases on the ledger in the year,
/// `band` the age band of a case on `as_of`.
pub fn breakdowns(
    cases: &[Case],
    registered: &[&Case],
    agency_names: &BTreeMap<Id, String>,
    (from, to, as_of): (NaiveDate, NaiveDate, NaiveDate),
    order: &super::stats::Order,
    band: impl Fn(&Case) -> usize,
) -> Breakdowns {
    let lead = |c: &Case| c.lead_agency.and_then(|a| agency_names.get(&a)).map_or("（未設定）", |s| s.as_str());
    let mut by_lead: Vec<Count> = ordered(tally(registered.iter().map(|c| lead(c))), &[]);
    by_lead.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
    let sex = |c: &Case| if c.sex.label().is_empty() { "不明" } else { c.sex.label() };
    let cgc_order: Vec<&str> = CgcInvolvement::ALL.iter().map(|c| c.label()).collect();
    let ranks: Vec<&str> = order.ranks.iter().map(String::as_str).collect();

    let abuse_by_age = AbuseType::ALL
        .iter()
        .map(|a| {
            let mut bands = vec![0; AGE_BANDS.len()];
            for c in registered.iter().filter(|c| c.abuse_types.contains(a)) {
                bands[band(c)] += 1;
            }
            TypeRow { registration: a.label().into(), total: bands.iter().sum(), bands }
        })
        .collect();

    let in_year = |d: NaiveDate| from <= d && d <= as_of;
    let closed = cases.iter().filter_map(|c| c.closure.as_ref().filter(|cl| in_year(cl.on)).map(|cl| (c, cl)));
    let categories: Vec<&str> = order.closing_categories.iter().map(String::as_str).collect();
    let closed_by_category = ordered(tally(closed.clone().map(|(_, cl)| category_of(cl))), &categories);

    let open_now = |c: &&Case| c.accepted_on <= as_of && c.closure.as_ref().is_none_or(|cl| cl.on > as_of);
    let open: Vec<&Case> = registered.iter().copied().filter(open_now).collect();
    let reg_order: Vec<&str> = Registration::ALL.iter().map(|r| r.label()).collect();
    let open_at_end = ordered(tally(open.iter().map(|c| c.registration.label())), &reg_order);

    let by_month = (0..12)
        .filter_map(|i| from.checked_add_months(Months::new(i)))
        .filter(|m| *m <= to)
        .map(|m| {
            let same = |d: NaiveDate| d.year() == m.year() && d.month() == m.month() && in_year(d);
            MonthRow {
                month: format!("{}月", m.month()),
                new: cases.iter().filter(|c| same(c.accepted_on)).count(),
                closed: closed.clone().filter(|(_, cl)| same(cl.on)).count(),
            }
        })
        .collect();

    Breakdowns {
        by_lead_agency: by_lead,
        by_sex: ordered(tally(registered.iter().map(|c| sex(c))), &["男", "女", "不明"]),
        by_cgc: ordered(tally(registered.iter().map(|c| c.cgc.label())), &cgc_order),
        by_rank: ordered(tally(registered.iter().map(|c| c.rank.as_str())), &ranks),
        abuse_by_age,
        closed_by_category,
        open_at_end_total: open.len(),
        open_at_end,
        by_month,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Closure;

    #[test]
    fn a_closing_counts_under_its_category_never_its_reason() {
        let on = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
        let cl = |reason: &str, category: &str| Closure {
            on,
            reason: reason.into(),
            meeting_id: None,
            category: category.into(),
        };
        assert_eq!(category_of(&cl("中島律くんは祖母（中島 トメ）宅へ転居", "転出")), "転出");
        assert_eq!(category_of(&cl("市外へ転出", "")), "（区分なし）", "the reason is never read");
        assert_eq!(category_of(&cl("改善", "状況改善")), "状況改善", "a removed category keeps its name");
    }
}
