//! Capacity: when a 部会's sessions cannot hold the agenda, a plan that fits. First the
//! reviews that can wait for the next meeting without leaving their interval (stable
//! 一括確認 items, least urgent first, whole households, never a signalled case); then how
//! many more sessions of that 部会 the rest still needs.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;

use super::agenda::{AgendaPlan, shortfalls};
use super::{AgendaItem, Case, Config, Id, ItemState, Registration, Track};

/// A review moved to the next meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deferral {
    pub item_id: Id,
    pub case_id: Id,
    pub number: String,
    pub rank: String,
    /// The review date it had (the next meeting is at most `budget.defer_days` after it).
    pub review: NaiveDate,
}

/// The proposal for one 部会 that does not fit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapacityPlan {
    pub section: Option<String>,
    pub sessions: usize,
    pub over_minutes: i64,
    /// Reviews to move to the next meeting, least urgent first.
    pub deferrals: Vec<Deferral>,
    pub saved_minutes: f64,
    /// Minutes still over once they are moved, and the sessions of the same length that needs.
    pub still_over: i64,
    pub more_sessions: i64,
    /// Where the reviews go; None when no later meeting is registered (nothing can move).
    pub next_meeting: Option<NaiveDate>,
}

impl CapacityPlan {
    /// 「児童生徒会: 412分超過 → 次回へ回せる確認 23件（28分）、なお384分超過: 同じ長さの日程をあと2回」
    pub fn message(&self, label: &str) -> String {
        let mut s = format!("{label}: {}分超過", self.over_minutes);
        if self.next_meeting.is_none() {
            s += "（次の会議が未登録のため、次回へ回す案はありません）";
        } else if !self.deferrals.is_empty() {
            s += &format!(" → 次回へ回せる確認 {}件（{:.0}分）", self.deferrals.len(), self.saved_minutes);
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
}

/// What the proposal reads besides the plan.
pub struct CapacityInputs<'a> {
    pub cases: &'a BTreeMap<Id, Case>,
    /// Cases with news since the last meeting (signals, a 要協議 reply): never moved.
    pub signalled: &'a BTreeSet<Id>,
    /// First day of the next registered meeting; None: nothing can be moved.
    pub next_meeting: Option<NaiveDate>,
}

/// One proposal per 部会 whose sessions cannot hold their items.
pub fn propose(plan: &AgendaPlan, inputs: &CapacityInputs<'_>, cfg: &Config) -> Vec<CapacityPlan> {
    let per_item = cfg.budget.quick_minutes;
    shortfalls(plan)
        .into_iter()
        .map(|short| {
            let sessions: Vec<_> = plan.sessions.iter().filter(|s| s.session.section == short.section).collect();
            let items: Vec<&AgendaItem> = sessions.iter().flat_map(|s| s.items.iter()).collect();
            let mut deferrals = Vec::new();
            let mut saved = 0.0;
            for block in deferrable_blocks(&items, inputs, cfg) {
                if saved >= short.over_minutes as f64 {
                    break;
                }
                saved += per_item * block.len() as f64;
                deferrals.extend(block);
            }
            let still_over = (short.over_minutes as f64 - saved).ceil().max(0.0) as i64;
            let budget: i64 = sessions.iter().map(|s| s.session.budget_minutes()).sum();
            let per_session = budget as f64 / sessions.len().max(1) as f64;
            CapacityPlan {
                section: short.section,
                sessions: sessions.len(),
                over_minutes: short.over_minutes,
                deferrals,
                saved_minutes: saved,
                still_over,
                more_sessions: if per_session > 0.0 { (still_over as f64 / per_session).ceil() as i64 } else { 0 },
                next_meeting: inputs.next_meeting,
            }
        })
        .collect()
}

/// Households whose every item can wait, least urgent first: the least severe rank, then the
/// latest review date.
fn deferrable_blocks(items: &[&AgendaItem], inputs: &CapacityInputs<'_>, cfg: &Config) -> Vec<Vec<Deferral>> {
    let mut blocks: BTreeMap<i64, Vec<Option<Deferral>>> = BTreeMap::new();
    for it in items {
        blocks.entry(it.block).or_default().push(deferral(it, inputs, cfg));
    }
    let mut out: Vec<Vec<Deferral>> =
        blocks.into_values().filter_map(|b| b.into_iter().collect::<Option<Vec<_>>>()).collect();
    let urgency = |b: &Vec<Deferral>| {
        let severity = b
            .iter()
            .filter_map(|d| inputs.cases.get(&d.case_id))
            .map(|c| cfg.rank_scheme(c.registration).severity_index(&c.rank))
            .min()
            .unwrap_or(0);
        let review = b.iter().map(|d| d.review).min();
        (std::cmp::Reverse(severity), std::cmp::Reverse(review))
    };
    out.sort_by_key(urgency);
    out
}

/// The item as a deferral when its review can wait: a pending, untouched 一括確認 item of an
/// open child's case with no news, whose review date the next meeting keeps within
/// `budget.defer_days`. 特定妊婦 are not moved (the birth does not wait).
fn deferral(it: &AgendaItem, inputs: &CapacityInputs<'_>, cfg: &Config) -> Option<Deferral> {
    let c = inputs.cases.get(&it.case_id)?;
    let review = c.next_review?;
    let next = inputs.next_meeting?;
    let movable = it.track == Track::Quick
        && it.state == ItemState::Pending
        && it.elapsed_secs == 0
        && !it.locked
        && it.questions.is_empty()
        && it.draft.close_reason.is_none()
        && c.is_open()
        && c.registration != Registration::ExpectantMother
        && !cfg.triage.deep_ranks.contains(&c.rank)
        && !inputs.signalled.contains(&c.id)
        && (next - review).num_days() <= cfg.budget.defer_days;
    movable.then(|| Deferral { item_id: it.id, case_id: c.id, number: c.number.clone(), rank: c.rank.clone(), review })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::agenda::SessionPlan;
    use crate::domain::{Session, case::Case};
    use chrono::NaiveTime;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn case(id: Id, rank: &str, review: NaiveDate) -> Case {
        let mut c = Case::blank(d(4, 1));
        (c.id, c.number, c.rank, c.next_review) = (id, format!("R8-{id:05}"), rank.into(), Some(review));
        c
    }

    /// One 150-minute session planned to `minutes`, holding `items`.
    fn plan(items: Vec<AgendaItem>, minutes: f64) -> AgendaPlan {
        let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
        let session = Session {
            id: 1,
            meeting_id: 1,
            label: "午前".into(),
            date: d(12, 8),
            start: t(9),
            end: t(11) + chrono::Duration::minutes(30),
            section: None,
            position: 0,
        };
        let over = (minutes - 150.0).ceil() as i64;
        AgendaPlan {
            meeting_id: 1,
            sessions: vec![SessionPlan {
                session,
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

    #[test]
    fn stable_reviews_wait_least_urgent_first_and_never_a_signalled_case_or_half_a_household() {
        let cases: BTreeMap<Id, Case> = [
            case(1, "D", d(12, 1)),
            case(2, "B", d(12, 1)),
            case(3, "D", d(12, 1)),
            case(4, "D", d(12, 1)),
            case(5, "D", d(12, 1)),
            case(6, "C", d(10, 1)),
        ]
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
        let mut items: Vec<AgendaItem> = (1..=6).map(|i| AgendaItem::pending(i, Track::Quick, 1, i)).collect();
        items[4].block = 4; // case 5 shares a household with case 4, which is signalled
        let signalled = BTreeSet::from([4]);
        let inputs = CapacityInputs { cases: &cases, signalled: &signalled, next_meeting: Some(d(12, 22)) };
        let cfg = Config::default();
        let p = &propose(&plan(items.clone(), 153.0), &inputs, &cfg)[0];
        assert_eq!(p.over_minutes, 3);
        let moved: Vec<Id> = p.deferrals.iter().map(|x| x.case_id).collect();
        assert_eq!(moved, vec![1, 3, 2], "D before B; 4 signalled, 5 its household, 6 reviewed too long ago");
        assert!(p.still_over == 0 && p.message("全体会").contains("日程内に収まります"), "{}", p.message("全体会"));

        let p = &propose(&plan(items, 400.0), &inputs, &cfg)[0];
        assert_eq!((p.deferrals.len(), p.still_over, p.more_sessions), (3, 247, 2));
        assert!(p.message("乳幼児会").contains("同じ長さの日程をあと2回"), "{}", p.message("乳幼児会"));

        let none = CapacityInputs { next_meeting: None, ..inputs };
        let p = &propose(&plan(vec![AgendaItem::pending(1, Track::Quick, 1, 1)], 200.0), &none, &cfg)[0];
        assert!(p.deferrals.is_empty() && p.message("全体会").contains("次の会議が未登録"), "{}", p.message("全体会"));
    }
}
