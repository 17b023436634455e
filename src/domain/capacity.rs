//! Capacity: when a 部会's sessions cannot hold the agenda, a plan that fits. The reviews that
//! can wait are spread over the later registered meetings, each within its rank's review
//! interval (least urgent first, whole households, quick or deep, never a signalled case);
//! then how many sessions a month the 部会 needs and how many 重点協議 a month it can hold.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Months, NaiveDate, Timelike};
use serde::Serialize;

use super::agenda::{AgendaPlan, item_minutes, shortfalls};
use super::{AgendaItem, Case, Config, Id, ItemState, Registration, Session, Track};

/// A review moved to a later meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deferral {
    pub item_id: Id,
    pub case_id: Id,
    pub number: String,
    pub rank: String,
    pub track: Track,
    /// The review date it had.
    pub review: NaiveDate,
    /// The meeting it moves to and that meeting's first day (within the rank's interval of
    /// `review`, or `budget.defer_days` when that is longer).
    pub to_meeting: Id,
    pub to_day: NaiveDate,
}

/// A meeting after this one that reviews can move to.
#[derive(Debug, Clone, PartialEq)]
pub struct LaterMeeting {
    pub id: Id,
    pub first_day: NaiveDate,
    pub sessions: Vec<Session>,
    /// Minutes its stored agenda already plans per 部会 (empty when not built yet).
    pub planned: BTreeMap<Option<String>, f64>,
}

impl LaterMeeting {
    fn budget(&self, section: &Option<String>, action_review: f64) -> f64 {
        self.sessions.iter().filter(|s| &s.section == section).map(|s| s.budget_minutes() as f64 - action_review).sum()
    }
}

/// The proposal for one 部会 that does not fit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapacityPlan {
    pub section: Option<String>,
    pub sessions: usize,
    pub over_minutes: i64,
    /// Reviews to move to later meetings, least urgent first.
    pub deferrals: Vec<Deferral>,
    pub saved_minutes: f64,
    /// Minutes still over once they are moved, and the sessions of the same length that needs.
    pub still_over: i64,
    pub more_sessions: i64,
    /// The first later meeting; None when none is registered (nothing can move).
    pub next_meeting: Option<NaiveDate>,
    /// Where the moved reviews go: (meeting's first day, reviews).
    pub spread: Vec<(NaiveDate, usize)>,
    /// Sessions a month this 部会 needs to review each case once per its rank's interval, and
    /// the most the town holds (`budget.sessions_per_month`).
    pub sessions_per_month_needed: i64,
    pub sessions_per_month: u32,
    /// 重点協議 a month the 部会 holds at `sessions_per_month` sessions, and how many a month
    /// the present triage sends there.
    pub deep_per_month_capacity: i64,
    pub deep_per_month: i64,
    /// Of those, a month: 重点協議 only because of the rank (`triage.deep_ranks`), and siblings
    /// whose own review was 一括確認 (`triage.household_deep`): what narrowing each would save.
    pub deep_per_month_rank_only: i64,
    pub deep_per_month_siblings: i64,
    /// The days of the sessions accepting the proposal added (empty in a proposal).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sessions_added: Vec<NaiveDate>,
}

impl CapacityPlan {
    /// 「児童生徒会: 412分超過 → 後の会議へ回せる確認 23件（28分）で日程内に収まります」
    pub fn message(&self, label: &str) -> String {
        let mut s = format!("{label}: {}分超過", self.over_minutes);
        if self.next_meeting.is_none() {
            s += "（次の会議が未登録のため、次回へ回す案はありません）";
        } else if !self.deferrals.is_empty() {
            let to: Vec<String> =
                self.spread.iter().map(|(d, n)| format!("{}月{}日 {n}件", d.format("%-m"), d.format("%-d"))).collect();
            s += &format!(
                " → 後の会議へ回せる確認 {}件（{:.0}分: {}）",
                self.deferrals.len(),
                self.saved_minutes,
                to.join("・")
            );
        }
        if self.still_over > 0 {
            s += &format!(
                "、なお{}分超過: 同じ長さの日程をあと{}回追加してください",
                self.still_over, self.more_sessions
            );
        } else {
            s += "で日程内に収まります";
        }
        s
    }

    /// 「乳幼児会: 確認間隔どおりに回すには月3回の日程が必要です（設定は月4回まで）」
    pub fn schedule_line(&self, label: &str) -> String {
        let n = self.sessions_per_month_needed;
        let spm = self.sessions_per_month;
        let tail = if n > i64::from(spm) {
            format!("（設定の月{spm}回では足りません: budget.sessions_per_month か日程の長さを見直してください）")
        } else {
            format!("（設定は月{spm}回まで）")
        };
        format!("{label}: ランクの確認間隔どおりに回すには月{n}回の日程が必要です{tail}")
    }

    /// 「重点協議の目安（児童生徒会）: 月4回の日程で月92件まで（いまの振り分けでは月130件）」
    pub fn threshold_line(&self, label: &str) -> String {
        let (cap, now) = (self.deep_per_month_capacity, self.deep_per_month);
        let mut s = format!(
            "重点協議の目安（{label}）: 月{}回の日程で月{cap}件まで（いまの振り分けでは月{now}件）",
            self.sessions_per_month
        );
        if now > cap {
            let mut levers = Vec::new();
            if self.deep_per_month_siblings > 0 {
                levers.push(format!(
                    "きょうだいと併せての重点協議 月{}件（triage.household_deep = false で一括確認のまま隣に置く）",
                    self.deep_per_month_siblings
                ));
            }
            if self.deep_per_month_rank_only > 0 {
                levers.push(format!(
                    "ランクだけが理由の重点協議 月{}件（triage.deep_ranks から外す）",
                    self.deep_per_month_rank_only
                ));
            }
            if levers.is_empty() {
                s += ": この規模では重点協議の条件（triage.safety_scale_low・unseen_days など）を絞ってください";
            } else {
                s += &format!(": 減らせる重点協議 {}", levers.join("、"));
            }
        }
        s
    }
}

/// The sessions a 部会 still needs (`count`), each like `like` (its times and 部会), on the
/// first business days after `after` where no session of the meeting overlaps them. Labels
/// count the meeting's days (「4日目 午後（児童生徒会）」).
pub fn added_sessions(
    sessions: &[Session],
    like: &Session,
    section_name: &str,
    count: usize,
    after: NaiveDate,
    cal: &super::calendar::BusinessCalendar,
) -> Vec<Session> {
    let mut all: Vec<Session> = sessions.to_vec();
    let mut out = Vec::new();
    let mut day = after;
    while out.len() < count {
        day = cal.on_or_after(day + chrono::Duration::days(1));
        let clash = all.iter().any(|s| s.date == day && s.start < like.end && like.start < s.end);
        if clash {
            continue;
        }
        let mut days: Vec<NaiveDate> = all.iter().map(|s| s.date).chain([day]).collect();
        days.sort();
        days.dedup();
        let n = days.iter().position(|d| *d == day).unwrap_or(0) + 1;
        let half = if like.start.hour() < 12 { "午前" } else { "午後" };
        let s = Session {
            id: 0,
            meeting_id: like.meeting_id,
            label: format!("{n}日目 {half}（{section_name}）"),
            date: day,
            start: like.start,
            end: like.end,
            section: like.section.clone(),
            position: all.iter().map(|s| s.position).max().unwrap_or(-1) + 1,
        };
        all.push(s.clone());
        out.push(s);
    }
    out
}

/// 「適用しました: 721件の確認を後の会議へ回し、日程を3回追加しました（12月9日・12月10日…）（監査ログに記録）」
pub fn accepted_message(plans: &[CapacityPlan]) -> String {
    let moved: usize = plans.iter().map(|p| p.deferrals.len()).sum();
    let mut days: Vec<NaiveDate> = plans.iter().flat_map(|p| p.sessions_added.iter().copied()).collect();
    let added = days.len();
    days.sort();
    days.dedup();
    let mut s = format!("適用しました: {moved}件の確認を後の会議へ回し");
    if added > 0 {
        let shown: Vec<String> = days.iter().map(|d| format!("{}月{}日", d.format("%-m"), d.format("%-d"))).collect();
        s += &format!("、日程を{added}回追加しました（{}）", shown.join("・"));
    } else {
        s += "ました";
    }
    s + "（監査ログに記録）"
}

/// What the proposal reads besides the plan.
pub struct CapacityInputs<'a> {
    pub cases: &'a BTreeMap<Id, Case>,
    /// Cases with news since the last meeting (signals, a 要協議 reply): never moved.
    pub signalled: &'a BTreeSet<Id>,
    /// The meetings after this one, earliest first; empty: nothing can be moved.
    pub later: &'a [LaterMeeting],
}

/// The latest day a case's review may move to: its rank's review interval after the review
/// date, and at least `budget.defer_days`.
pub fn latest_review(c: &Case, review: NaiveDate, cfg: &Config) -> NaiveDate {
    let months = cfg.rank_scheme(c.registration).get(&c.rank).map_or(0, |r| r.review_months);
    let by_rank = review.checked_add_months(Months::new(months)).unwrap_or(review);
    by_rank.max(review + chrono::Duration::days(cfg.budget.defer_days))
}

/// One proposal per 部会 whose sessions cannot hold their items: the reviews each of its
/// sessions must shed to end within its time.
pub fn propose(plan: &AgendaPlan, inputs: &CapacityInputs<'_>, cfg: &Config) -> Vec<CapacityPlan> {
    let b = &cfg.budget;
    let this_day = plan.sessions.iter().map(|s| s.session.date).max();
    let later: Vec<&LaterMeeting> = inputs.later.iter().filter(|m| this_day.is_none_or(|d| m.first_day > d)).collect();
    shortfalls(plan)
        .into_iter()
        .map(|short| {
            let sessions: Vec<_> = plan.sessions.iter().filter(|s| s.session.section == short.section).collect();
            let items: Vec<&AgendaItem> = sessions.iter().flat_map(|s| s.items.iter()).collect();
            // Minutes already going to each later meeting's sessions of this 部会.
            let mut load: Vec<f64> =
                later.iter().map(|m| m.planned.get(&short.section).copied().unwrap_or(0.0)).collect();
            let room: Vec<f64> = later.iter().map(|m| m.budget(&short.section, b.action_review_minutes)).collect();
            let mut deferrals = Vec::new();
            let mut saved = 0.0;
            // What each session of the 部会 must shed: every session ends within its time.
            let mut need: BTreeMap<Id, f64> = sessions.iter().map(|s| (s.session.id, s.over_minutes as f64)).collect();
            for block in deferrable_blocks(&items, inputs, cfg) {
                if need.values().all(|n| *n <= 0.0) {
                    break;
                }
                let Some(sid) = block.first().and_then(|(it, _, _)| it.session_id) else { continue };
                if need.get(&sid).is_none_or(|n| *n <= 0.0) {
                    continue;
                }
                let latest = block.iter().map(|(_, _, l)| *l).min();
                let minutes: f64 = block.iter().map(|(it, _, _)| item_minutes(it.track, b)).sum();
                // The later meeting within every member's interval with the least load for its
                // time, and time left for the block: the reviews spread instead of piling on a
                // later meeting (which then runs over itself).
                let target = (0..later.len())
                    .filter(|&k| latest.is_some_and(|l| later[k].first_day <= l) && load[k] + minutes <= room[k])
                    .min_by(|&x, &y| (load[x] / room[x]).total_cmp(&(load[y] / room[y])).then(x.cmp(&y)));
                let Some(k) = target else { continue };
                for (it, c, _) in block {
                    let minutes = item_minutes(it.track, b);
                    saved += minutes;
                    *need.entry(sid).or_default() -= minutes;
                    load[k] += minutes;
                    deferrals.push(Deferral {
                        item_id: it.id,
                        case_id: c.id,
                        number: c.number.clone(),
                        rank: c.rank.clone(),
                        track: it.track,
                        review: c.next_review.unwrap_or(later[k].first_day),
                        to_meeting: later[k].id,
                        to_day: later[k].first_day,
                    });
                }
            }
            let still_over = need.values().map(|n| n.max(0.0)).sum::<f64>().ceil() as i64;
            let budget: i64 = sessions.iter().map(|s| s.session.budget_minutes()).sum();
            let per_session = budget as f64 / sessions.len().max(1) as f64;
            let mut spread: BTreeMap<NaiveDate, usize> = BTreeMap::new();
            for d in &deferrals {
                *spread.entry(d.to_day).or_default() += 1;
            }
            let monthly = monthly_load(&items, inputs, cfg);
            let usable = (per_session - b.action_review_minutes).max(1.0);
            let spm = b.sessions_per_month;
            let deep_room = (f64::from(spm) * usable - monthly.quick) / b.deep_minutes;
            CapacityPlan {
                section: short.section,
                sessions: sessions.len(),
                over_minutes: short.over_minutes,
                deferrals,
                saved_minutes: saved,
                still_over,
                more_sessions: if per_session > 0.0 { (still_over as f64 / per_session).ceil() as i64 } else { 0 },
                next_meeting: later.first().map(|m| m.first_day),
                spread: spread.into_iter().collect(),
                sessions_per_month_needed: ((monthly.quick + monthly.deep) / usable).ceil() as i64,
                sessions_per_month: spm,
                deep_per_month_capacity: deep_room.floor().max(0.0) as i64,
                deep_per_month: monthly.deep_items.ceil() as i64,
                deep_per_month_rank_only: monthly.rank_only.round() as i64,
                deep_per_month_siblings: monthly.siblings.round() as i64,
                sessions_added: Vec::new(),
            }
        })
        .collect()
}

/// Minutes a month the 部会's items take when each case is reviewed once per its rank's
/// interval (a case reviewed every 3 months is a third of an item a month).
struct Monthly {
    quick: f64,
    deep: f64,
    deep_items: f64,
    rank_only: f64,
    siblings: f64,
}

fn monthly_load(items: &[&AgendaItem], inputs: &CapacityInputs<'_>, cfg: &Config) -> Monthly {
    let mut m = Monthly { quick: 0.0, deep: 0.0, deep_items: 0.0, rank_only: 0.0, siblings: 0.0 };
    for it in items {
        let months = inputs
            .cases
            .get(&it.case_id)
            .and_then(|c| cfg.rank_scheme(c.registration).get(&c.rank).map(|r| r.review_months))
            .unwrap_or(1)
            .max(1) as f64;
        let minutes = item_minutes(it.track, &cfg.budget) / months;
        match it.track {
            Track::Quick => m.quick += minutes,
            Track::Deep => {
                m.deep += minutes;
                m.deep_items += 1.0 / months;
                if it.reasons.iter().any(|r| r == super::agenda::WITH_SIBLINGS) {
                    m.siblings += 1.0 / months;
                } else if !it.reasons.is_empty() && it.reasons.iter().all(|r| r.ends_with(super::triage::DEEP_RANK)) {
                    m.rank_only += 1.0 / months;
                }
            }
        }
    }
    m
}

/// A deferrable item with its case and the latest day its review may move to.
type Movable<'a> = (&'a AgendaItem, &'a Case, NaiveDate);

/// Households whose every item can wait, least urgent first: the least severe rank, then the
/// latest review date.
fn deferrable_blocks<'a>(items: &[&'a AgendaItem], inputs: &CapacityInputs<'a>, cfg: &Config) -> Vec<Vec<Movable<'a>>> {
    let mut blocks: BTreeMap<i64, Vec<Option<Movable<'a>>>> = BTreeMap::new();
    for it in items {
        blocks.entry(it.block).or_default().push(movable(it, inputs, cfg));
    }
    let mut out: Vec<Vec<Movable<'a>>> =
        blocks.into_values().filter_map(|b| b.into_iter().collect::<Option<Vec<_>>>()).collect();
    let urgency = |b: &Vec<Movable<'a>>| {
        let severity =
            b.iter().map(|(_, c, _)| cfg.rank_scheme(c.registration).severity_index(&c.rank)).min().unwrap_or(0);
        let review = b.iter().filter_map(|(_, c, _)| c.next_review).min();
        (std::cmp::Reverse(severity), std::cmp::Reverse(review))
    };
    out.sort_by_key(urgency);
    out
}

/// The item when its review can wait: a pending, untouched item (一括確認 or 重点協議, a 終結案
/// too) of an open child's case with no news since the last meeting, no question, and not under
/// a measure that is never 一括確認 (`triage.never_quick_cgc`: 一時保護・措置). A rank reviewed
/// monthly waits at most a month, and goes last. 特定妊婦 are not moved (the birth does not wait).
fn movable<'a>(it: &'a AgendaItem, inputs: &CapacityInputs<'a>, cfg: &Config) -> Option<Movable<'a>> {
    let c = inputs.cases.get(&it.case_id)?;
    let review = c.next_review?;
    let ok = it.state == ItemState::Pending
        && it.elapsed_secs == 0
        && !it.locked
        && it.questions.is_empty()
        && c.is_open()
        && c.registration != Registration::ExpectantMother
        && !cfg.triage.never_quick_cgc.iter().any(|code| code == c.cgc.code())
        && !inputs.signalled.contains(&c.id);
    ok.then(|| (it, c, latest_review(c, review, cfg)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::agenda::SessionPlan;
    use crate::domain::{CgcInvolvement, Session, case::Case};
    use chrono::NaiveTime;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn d27(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, m, day).unwrap()
    }

    fn case(id: Id, rank: &str, review: NaiveDate) -> Case {
        let mut c = Case::blank(d(4, 1));
        (c.id, c.number, c.rank, c.next_review) = (id, format!("R8-{id:05}"), rank.into(), Some(review));
        c
    }

    fn cases(list: Vec<Case>) -> BTreeMap<Id, Case> {
        list.into_iter().map(|c| (c.id, c)).collect()
    }

    fn t(h: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, 0, 0).unwrap()
    }

    /// A 150-minute session (09:00–11:30) on `day`.
    fn session(id: Id, meeting: Id, day: NaiveDate) -> Session {
        Session {
            id,
            meeting_id: meeting,
            label: "午前".into(),
            date: day,
            start: t(9),
            end: t(11) + chrono::Duration::minutes(30),
            section: None,
            position: 0,
        }
    }

    fn later(id: Id, day: NaiveDate) -> LaterMeeting {
        LaterMeeting { id, first_day: day, sessions: vec![session(id * 10, id, day)], planned: BTreeMap::new() }
    }

    /// One 150-minute session on 12/8 planned to `minutes`, holding `items`.
    fn plan(items: Vec<AgendaItem>, minutes: f64) -> AgendaPlan {
        let over = (minutes - 150.0).ceil() as i64;
        AgendaPlan {
            meeting_id: 1,
            sessions: vec![SessionPlan {
                session: session(1, 1, d(12, 8)),
                quick: items.len(),
                deep: 0,
                items,
                action_review: vec![],
                minutes,
                expected_end: t(12),
                over_minutes: over.max(0),
            }],
            unassigned: vec![],
            pulled_in: vec![],
        }
    }

    fn moved(p: &CapacityPlan) -> Vec<Id> {
        p.deferrals.iter().map(|x| x.case_id).collect()
    }

    #[test]
    fn stable_reviews_wait_least_urgent_first_and_never_a_signalled_case_or_half_a_household() {
        let cases = cases(vec![
            case(1, "D", d(12, 1)),
            case(2, "B", d(12, 1)),
            case(3, "D", d(12, 1)),
            case(4, "D", d(12, 1)),
            case(5, "D", d(12, 1)),
            case(6, "C", d(8, 1)),
        ]);
        let mut items: Vec<AgendaItem> = (1..=6).map(|i| AgendaItem::pending(i, Track::Quick, 1, i)).collect();
        items[4].block = 4; // case 5 shares a household with case 4, which is signalled
        let signalled = BTreeSet::from([4]);
        let next = [later(2, d(12, 22))];
        let inputs = CapacityInputs { cases: &cases, signalled: &signalled, later: &next };
        let cfg = Config::default();
        let p = &propose(&plan(items.clone(), 153.0), &inputs, &cfg)[0];
        assert_eq!(p.over_minutes, 3);
        assert_eq!(moved(p), vec![1, 3, 2], "D before B; 4 signalled, 5 its household, 6 due 8/1 + 3 months");
        assert!(p.deferrals.iter().all(|x| (x.to_meeting, x.to_day) == (2, d(12, 22))));
        assert!(p.still_over == 0 && p.message("全体会").contains("日程内に収まります"), "{}", p.message("全体会"));
        assert!(p.message("全体会").contains("12月22日 3件"), "{}", p.message("全体会"));

        let p = &propose(&plan(items, 400.0), &inputs, &cfg)[0];
        assert_eq!((p.deferrals.len(), p.still_over, p.more_sessions), (3, 247, 2));
        assert!(p.message("乳幼児会").contains("同じ長さの日程をあと2回"), "{}", p.message("乳幼児会"));

        let none = CapacityInputs { later: &[], ..inputs };
        let p = &propose(&plan(vec![AgendaItem::pending(1, Track::Quick, 1, 1)], 200.0), &none, &cfg)[0];
        assert!(p.deferrals.is_empty() && p.message("全体会").contains("次の会議が未登録"), "{}", p.message("全体会"));
    }

    /// Reviews spread over the later meetings, each within its rank's interval: a B (3 months)
    /// due 12/1 may wait until 3/1, a D (6 months) until 6/1, an A (monthly) until 1/1, so not
    /// to 1/12; deep items move too; a child under 一時保護 and a signalled case never wait.
    #[test]
    fn reviews_spread_over_later_meetings_within_their_rank_interval() {
        let mut custody = case(5, "C", d(12, 1));
        custody.cgc = CgcInvolvement::TemporaryCustody;
        let cases = cases(vec![
            case(1, "D", d(12, 1)),
            case(2, "B", d(12, 1)),
            case(3, "D", d(12, 1)),
            case(4, "A", d(12, 1)),
            custody,
            case(6, "B", d(12, 1)),
            case(7, "C", d(12, 1)),
        ]);
        let items: Vec<AgendaItem> = (1..=7).map(|i| AgendaItem::pending(i, Track::Deep, 1, i)).collect();
        let signalled = BTreeSet::from([6]);
        // 1/12 and 2/9 are within 3 months of 12/1; 4/13 only within a D's 6 months.
        let next = [later(2, d27(1, 12)), later(3, d27(2, 9)), later(4, d27(4, 13))];
        let inputs = CapacityInputs { cases: &cases, signalled: &signalled, later: &next };
        let cfg = Config::default();
        let p = &propose(&plan(items, 1000.0), &inputs, &cfg)[0];
        assert_eq!(moved(p), vec![1, 3, 7, 2], "least urgent first: the Ds, then the C, then the B");
        let to: BTreeMap<Id, Id> = p.deferrals.iter().map(|x| (x.case_id, x.to_meeting)).collect();
        assert_eq!((to[&1], to[&3]), (2, 3), "the least loaded meeting first, so they spread");
        assert_eq!((to[&7], to[&2]), (2, 3), "a B or C due 12/1 cannot wait until 4/13");
        assert!(p.deferrals.iter().filter(|x| x.rank != "D").all(|x| x.to_day <= d27(3, 1)), "{:?}", p.deferrals);
        assert!(p.deferrals.iter().all(|x| x.track == Track::Deep), "deep items move too");
        assert!(p.still_over > 0, "the A (no meeting within a month), 一時保護 and the signalled case stay");
        assert_eq!(p.spread.iter().map(|(_, n)| n).sum::<usize>(), 4);

        // A configured defer_days is a floor: 150 days lets the C wait until 4/13 too.
        let mut long = Config::default();
        long.budget.defer_days = 150;
        let items = (1..=7).map(|i| AgendaItem::pending(i, Track::Deep, 1, i)).collect();
        let p = &propose(&plan(items, 1000.0), &inputs, &long)[0];
        assert!(p.deferrals.iter().any(|x| x.rank == "C" && x.to_day == d27(4, 13)), "{:?}", p.deferrals);
        assert_eq!(latest_review(&cases[&2], d(12, 1), &cfg), d27(3, 1));
        assert_eq!(
            latest_review(&cases[&4], d(12, 1), &cfg),
            d(12, 1) + chrono::Duration::days(31),
            "A: 1 month, floor 31 days"
        );
    }

    #[test]
    fn the_plan_says_the_sessions_a_month_and_the_deep_items_a_month_it_can_hold() {
        // 30 C cases (3-monthly), all deep: 210 minutes a 3 months → 70 a month, one session of
        // 140 usable minutes; at 4 sessions a month 560 minutes → 80 deep items a month.
        let cs = cases((1..=30).map(|i| case(i, "C", d(12, 1))).collect());
        let items: Vec<AgendaItem> = (1..=30).map(|i| AgendaItem::pending(i, Track::Deep, 1, i)).collect();
        let signalled = BTreeSet::new();
        let inputs = CapacityInputs { cases: &cs, signalled: &signalled, later: &[] };
        let cfg = Config::default();
        let p = &propose(&plan(items, 220.0), &inputs, &cfg)[0];
        assert_eq!((p.sessions_per_month_needed, p.deep_per_month, p.deep_per_month_capacity), (1, 10, 80));
        assert!(
            p.schedule_line("乳幼児会").contains("月1回の日程が必要です（設定は月4回まで）"),
            "{}",
            p.schedule_line("乳幼児会")
        );
        let mut few = Config::default();
        few.budget.deep_minutes = 60.0;
        let p = &propose(
            &plan((1..=30).map(|i| AgendaItem::pending(i, Track::Deep, 1, i)).collect(), 2000.0),
            &inputs,
            &few,
        )[0];
        assert_eq!((p.sessions_per_month_needed, p.deep_per_month_capacity), (5, 9));
        assert!(p.schedule_line("乳幼児会").contains("月4回では足りません"), "{}", p.schedule_line("乳幼児会"));
        assert!(p.threshold_line("乳幼児会").contains("条件"), "{}", p.threshold_line("乳幼児会"));
    }

    /// Which 重点協議 a narrower triage would send to 一括確認, a month: rank alone (C monthly
    /// = 1 per 3 months each) and siblings pulled in with a 重点協議 case.
    #[test]
    fn the_threshold_line_names_what_each_setting_would_save() {
        let cs = cases((1..=30).map(|i| case(i, "C", d(12, 1))).collect());
        let items: Vec<AgendaItem> = (1..=30)
            .map(|i| {
                let mut it = AgendaItem::pending(i, Track::Deep, 1, i);
                it.reasons = match i % 3 {
                    0 => vec![format!("ランクC{}", crate::domain::triage::DEEP_RANK)],
                    1 => vec!["理由".into(), crate::domain::agenda::WITH_SIBLINGS.into()],
                    _ => vec!["セーフティスケールが3以下".into()],
                };
                it
            })
            .collect();
        let signalled = BTreeSet::new();
        let inputs = CapacityInputs { cases: &cs, signalled: &signalled, later: &[] };
        let mut few = Config::default();
        few.budget.deep_minutes = 60.0;
        let p = &propose(&plan(items, 2000.0), &inputs, &few)[0];
        assert_eq!((p.deep_per_month, p.deep_per_month_rank_only, p.deep_per_month_siblings), (10, 3, 3));
        let line = p.threshold_line("児童生徒会");
        assert!(line.contains("きょうだいと併せての重点協議 月3件（triage.household_deep = false"), "{line}");
        assert!(line.contains("ランクだけが理由の重点協議 月3件（triage.deep_ranks から外す）"), "{line}");
    }

    /// Added sessions take the next business days after the meeting's last, like the 部会's
    /// last session; a 部会 meeting at another time shares the day.
    #[test]
    fn added_sessions_follow_the_meeting_on_business_days() {
        let hm = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        let s = |id, date, start: NaiveTime, end: NaiveTime, sec: &str| Session {
            id,
            meeting_id: 1,
            label: String::new(),
            date,
            start,
            end,
            section: Some(sec.into()),
            position: id,
        };
        // Friday 12/11: the next business days are Monday 12/14 and Tuesday 12/15.
        let have =
            vec![s(1, d(12, 10), hm(9, 30), hm(12, 0), "infant"), s(2, d(12, 11), hm(13, 30), hm(17, 0), "school")];
        let cal = Config::default().business_calendar();
        let school = added_sessions(&have, &have[1], "児童生徒会", 2, d(12, 11), &cal);
        assert_eq!(school.iter().map(|x| x.date).collect::<Vec<_>>(), vec![d(12, 14), d(12, 15)]);
        assert_eq!(school[0].label, "3日目 午後（児童生徒会）");
        let all: Vec<Session> = have.iter().chain(&school).cloned().collect();
        let infant = added_sessions(&all, &have[0], "乳幼児会", 1, d(12, 11), &cal);
        assert_eq!((infant[0].date, infant[0].label.as_str()), (d(12, 14), "3日目 午前（乳幼児会）"), "shares the day");
        assert_eq!(infant[0].position, 5);
    }
}
