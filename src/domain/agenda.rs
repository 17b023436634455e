//! 議事次第: the triage proposals turned into an agenda. Siblings and household members form
//! one block that is never split; blocks go to the session of their 部会 (school-age children
//! where schools attend) within each session's time budget; the secretariat's locks, track
//! changes, drafts and questions survive re-planning.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate, NaiveTime};
use serde::Serialize;

use super::Id;
use super::action::Action;
use super::agency::AgencyKind;
use super::case::Case;
use super::config::{Budget, Config};
use super::meeting::{AgendaItem, ItemState, Session, Track};
use super::triage::Proposal;

/// Marked on a quick member of a deep block.
pub const WITH_SIBLINGS: &str = "きょうだい・同一世帯が重点協議のため、併せて協議";

/// What the planner is given besides the proposals.
#[derive(Debug, Clone, Default)]
pub struct Existing<'a> {
    /// The meeting's current agenda items (empty on the first build).
    pub items: &'a [AgendaItem],
    /// Cases whose track the secretariat set by hand.
    pub pinned_tracks: BTreeSet<Id>,
    /// Cases whose 事務局案 the secretariat edited.
    pub edited_drafts: BTreeSet<Id>,
    /// Cases with an open action from the previous meeting (listed first).
    pub open_actions: BTreeSet<Id>,
}

/// Minutes an item takes on its track.
pub fn item_minutes(track: Track, b: &Budget) -> f64 {
    match track {
        Track::Quick => b.quick_minutes,
        Track::Deep => b.deep_minutes,
    }
}

/// Plans the agenda: one item per proposal, with block, track, session and position set.
/// Ids, states, timers, questions, locks and edited drafts of existing items are kept.
pub fn plan(
    meeting_id: Id,
    day: NaiveDate,
    cases: &BTreeMap<Id, &Case>,
    proposals: Vec<Proposal>,
    sessions: &[Session],
    existing: &Existing<'_>,
    cfg: &Config,
) -> Vec<AgendaItem> {
    let old: BTreeMap<Id, &AgendaItem> = existing.items.iter().map(|i| (i.case_id, i)).collect();

    // 1. Items from proposals, merged with what the secretariat already did.
    let mut items: Vec<AgendaItem> = proposals
        .into_iter()
        .map(|p| {
            let before = old.get(&p.case_id);
            let mut reasons = p.reasons;
            let mut track = p.track;
            if let Some(b) = before.filter(|_| existing.pinned_tracks.contains(&p.case_id)) {
                if b.track != track {
                    reasons.push(format!("事務局の判断で{}へ", b.track.label()));
                }
                track = b.track;
            }
            let draft = match before {
                Some(b) if existing.edited_drafts.contains(&p.case_id) => b.draft.clone(),
                _ => p.draft,
            };
            AgendaItem {
                id: before.map_or(0, |b| b.id),
                meeting_id,
                session_id: before.and_then(|b| b.session_id),
                case_id: p.case_id,
                block: 0,
                position: before.map_or(0, |b| b.position),
                track,
                reasons,
                draft,
                questions: before.map(|b| b.questions.clone()).unwrap_or_default(),
                locked: before.is_some_and(|b| b.locked),
                state: before.map_or(ItemState::Pending, |b| b.state),
                elapsed_secs: before.map_or(0, |b| b.elapsed_secs),
            }
        })
        .collect();

    // 2. Blocks: a household's cases together, numbered by their smallest case id.
    let household = |id: Id| cases.get(&id).and_then(|c| c.household_id);
    let mut blocks: BTreeMap<(i64, Id), Vec<usize>> = BTreeMap::new();
    for (i, it) in items.iter().enumerate() {
        let key = match household(it.case_id) {
            Some(h) => (0, h),
            None => (1, it.case_id),
        };
        blocks.entry(key).or_default().push(i);
    }
    let mut units: Vec<Vec<usize>> = blocks.into_values().collect();
    for unit in &mut units {
        unit.sort_by_key(|&i| number_of(cases, items[i].case_id));
        let block = unit.iter().map(|&i| items[i].case_id).min().unwrap_or(0);
        let deep = unit.iter().any(|&i| items[i].track == Track::Deep);
        for &i in unit.iter() {
            items[i].block = block;
            if deep && cfg.triage.household_deep && items[i].track == Track::Quick {
                items[i].track = Track::Deep;
                items[i].reasons.push(WITH_SIBLINGS.into());
            }
        }
    }

    // 3. Sessions: locked blocks stay; the rest go to their 部会 within the budget.
    let b = &cfg.budget;
    let mut left: BTreeMap<Id, f64> =
        sessions.iter().map(|s| (s.id, s.budget_minutes() as f64 - b.action_review_minutes)).collect();
    let unit_minutes =
        |u: &[usize], items: &[AgendaItem]| u.iter().map(|&i| item_minutes(items[i].track, b)).sum::<f64>();
    let locked_session = |u: &[usize], items: &[AgendaItem]| {
        u.iter()
            .find(|&&i| items[i].locked && sessions.iter().any(|s| Some(s.id) == items[i].session_id))
            .and_then(|&i| items[i].session_id)
    };
    for u in &units {
        if let Some(s) = locked_session(u, &items) {
            *left.entry(s).or_default() -= unit_minutes(u, &items);
            for &i in u {
                items[i].session_id = Some(s);
            }
        }
    }
    let sort_key = |u: &Vec<usize>, items: &[AgendaItem]| {
        let first = &items[u[0]];
        let open = u.iter().any(|&i| existing.open_actions.contains(&items[i].case_id));
        let severity = u
            .iter()
            .filter_map(|&i| cases.get(&items[i].case_id))
            .map(|c| cfg.rank_scheme(c.registration).severity_index(&c.rank))
            .min()
            .unwrap_or(usize::MAX);
        (first.track == Track::Quick, !open, severity, number_of(cases, first.case_id))
    };
    units.sort_by_cached_key(|u| sort_key(u, &items));
    for u in &units {
        if locked_session(u, &items).is_some() {
            continue;
        }
        let candidates =
            candidate_sessions(u.iter().filter_map(|&i| cases.get(&items[i].case_id).copied()), day, sessions, cfg);
        let need = unit_minutes(u, &items);
        // The candidate with the most time left, so a 部会 spread over two days fills both.
        let chosen = candidates.iter().copied().fold(None, |best: Option<Id>, id| match best {
            Some(b) if left[&b] + 1e-9 >= left[&id] => Some(b),
            _ => Some(id),
        });
        if let Some(s) = chosen {
            *left.entry(s).or_default() -= need;
        }
        for &i in u {
            items[i].session_id = chosen;
        }
    }

    // 4. Order inside each session: quick, then deep; locked blocks keep their place.
    units.sort_by_cached_key(|u| {
        let k = sort_key(u, &items);
        (!k.0, k.1, k.2, k.3)
    });
    let mut out: Vec<AgendaItem> = Vec::with_capacity(items.len());
    let session_ids: Vec<Option<Id>> =
        if sessions.is_empty() { vec![None] } else { sessions.iter().map(|s| Some(s.id)).collect() };
    for sid in session_ids {
        let mut free: Vec<usize> = Vec::new();
        let mut locked: Vec<(i64, Vec<usize>)> = Vec::new();
        for u in units.iter().filter(|u| items[u[0]].session_id == sid) {
            match locked_session(u, &items) {
                Some(_) => {
                    let pos = u.iter().filter(|&&i| items[i].locked).map(|&i| items[i].position).min().unwrap_or(0);
                    locked.push((pos, u.clone()));
                }
                None => free.extend(u),
            }
        }
        locked.sort_by_key(|(p, _)| *p);
        for (pos, u) in locked {
            let at = (pos.max(0) as usize).min(free.len());
            free.splice(at..at, u);
        }
        for (pos, i) in free.into_iter().enumerate() {
            let mut it = items[i].clone();
            it.position = pos as i64;
            out.push(it);
        }
    }
    out
}

fn number_of(cases: &BTreeMap<Id, &Case>, id: Id) -> String {
    cases.get(&id).map(|c| c.number.clone()).unwrap_or_default()
}

/// Sessions a block may go to: those of its 部会 (the one where schools attend if any member
/// is of school age), else sessions without a 部会 (全体会), else any session.
fn candidate_sessions<'c>(
    members: impl Iterator<Item = &'c Case>,
    day: NaiveDate,
    sessions: &[Session],
    cfg: &Config,
) -> Vec<Id> {
    let members: Vec<&Case> = members.collect();
    use super::school_stage::SchoolStage as S;
    let school_age = members.iter().any(|c| {
        matches!(c.school_year_on(day).map(S::of_year), Some(S::Primary | S::LowerSecondary | S::UpperSecondary))
    });
    let school_section = cfg.sections.iter().find(|s| s.schools_attend).map(|s| s.code.clone());
    let has = |code: &str| sessions.iter().any(|s| s.section.as_deref() == Some(code));
    let section = match (&school_section, school_age) {
        (Some(code), true) if has(code) => Some(code.clone()),
        _ => members.first().and_then(|c| cfg.section_for(c, day)).map(|s| s.code.clone()),
    };
    let of =
        |want: Option<&str>| sessions.iter().filter(|s| s.section.as_deref() == want).map(|s| s.id).collect::<Vec<_>>();
    let mut out = section.as_deref().map(|c| of(Some(c))).unwrap_or_default();
    if out.is_empty() {
        out = of(None);
    }
    if out.is_empty() {
        out = sessions.iter().map(|s| s.id).collect();
    }
    out
}

/// One session of the plan with its counts and expected end.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionPlan {
    pub session: Session,
    pub items: Vec<AgendaItem>,
    /// Open actions from the previous meeting to review at the start (cases in this session).
    pub action_review: Vec<Action>,
    pub quick: usize,
    pub deep: usize,
    /// Planned minutes including the action review.
    pub minutes: f64,
    pub expected_end: NaiveTime,
    /// Minutes past the session's end (0 when it fits).
    pub over_minutes: i64,
}

impl SessionPlan {
    /// The expected end as text: 「15:23」, or 「翌日 02:13」 when the plan runs past midnight.
    pub fn end_label(&self) -> String {
        use chrono::Timelike;
        let from_midnight = self.session.start.num_seconds_from_midnight() as f64 / 60.0 + self.minutes;
        let days = (from_midnight / 1440.0).floor() as i64;
        let hm = self.expected_end.format("%H:%M");
        match days {
            0 => hm.to_string(),
            1 => format!("翌日 {hm}"),
            n => format!("{n}日後 {hm}"),
        }
    }
}

/// The agenda as the secretariat sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct AgendaPlan {
    pub meeting_id: Id,
    pub sessions: Vec<SessionPlan>,
    /// Items without a session (the meeting has none yet).
    pub unassigned: Vec<AgendaItem>,
    /// Cases whose review is not due, brought in by signals since the last meeting (case, the
    /// signals). Filled by a build.
    pub pulled_in: Vec<(Id, Vec<String>)>,
}

impl AgendaPlan {
    pub fn items(&self) -> impl Iterator<Item = &AgendaItem> {
        self.sessions.iter().flat_map(|s| s.items.iter()).chain(self.unassigned.iter())
    }

    pub fn count(&self, track: Track) -> usize {
        self.items().filter(|i| i.track == track).count()
    }
}

/// Sessions of one 部会 that cannot hold what is planned for them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shortfall {
    /// The 部会's sessions' label (the first session's), e.g. 「児童生徒会」.
    pub section: Option<String>,
    pub sessions: usize,
    pub over_minutes: i64,
    /// More sessions of the same length needed to hold everything planned.
    pub more_sessions: i64,
}

impl Shortfall {
    /// 「児童生徒会の2日程で1929分超過: 同じ長さの日程があと10回必要です」
    pub fn message(&self, label: &str) -> String {
        format!(
            "{label}の{}日程で{}分超過: 同じ長さの日程があと{}回必要です（日程を足すか、次回へ回せる確認を減らしてください）",
            self.sessions, self.over_minutes, self.more_sessions
        )
    }
}

/// The name a town gives a 部会 (its code when unknown; 全体 for sessions without one).
pub fn section_label(cfg: &Config, section: Option<&str>) -> String {
    match section {
        Some(code) => cfg.sections.iter().find(|s| s.code == code).map_or(code.to_string(), |s| s.name.clone()),
        None => "全体会".to_string(),
    }
}

/// Whether the planned sessions hold the agenda, per 部会: for each one that does not, how much
/// it runs over and how many more sessions of the same length it needs. Said before anything
/// else, so a town the size of 府中市 sees at once that one meeting cannot review everything due.
pub fn shortfalls(plan: &AgendaPlan) -> Vec<Shortfall> {
    let mut by_section: BTreeMap<Option<String>, (usize, f64, i64)> = BTreeMap::new();
    for s in &plan.sessions {
        let e = by_section.entry(s.session.section.clone()).or_default();
        e.0 += 1;
        e.1 += s.minutes;
        e.2 += s.session.budget_minutes();
    }
    by_section
        .into_iter()
        .filter_map(|(section, (sessions, planned, budget))| {
            let over = (planned - budget as f64).ceil() as i64;
            if over <= 0 || budget <= 0 {
                return None;
            }
            let per = budget as f64 / sessions as f64;
            Some(Shortfall { section, sessions, over_minutes: over, more_sessions: (over as f64 / per).ceil() as i64 })
        })
        .collect()
}

/// The session where an open action of a case not on the agenda is reviewed: one its agency
/// attends — a school's in the sessions of the 部会 schools attend — else one of the case's
/// 部会, else the first.
pub fn review_session(
    case: Option<&Case>,
    agency: Option<AgencyKind>,
    day: NaiveDate,
    sessions: &[Session],
    cfg: &Config,
) -> Option<Id> {
    let school = cfg.sections.iter().find(|s| s.schools_attend).map(|s| s.code.as_str());
    if agency.is_some_and(AgencyKind::is_school)
        && let Some(s) = sessions.iter().find(|s| school.is_some() && s.section.as_deref() == school)
    {
        return Some(s.id);
    }
    match case {
        Some(c) => candidate_sessions(std::iter::once(c), day, sessions, cfg).first().copied(),
        None => sessions.first().map(|s| s.id),
    }
}

/// Groups stored items by session and works out counts, minutes and expected end times.
/// `open_actions` come with the session where they are reviewed when their case is not on the
/// agenda ([`review_session`]); a case on the agenda has its actions reviewed in its session.
pub fn summarise(
    meeting_id: Id,
    sessions: &[Session],
    items: Vec<AgendaItem>,
    open_actions: Vec<(Action, Option<Id>)>,
    budget: &Budget,
) -> AgendaPlan {
    let mut by_session: BTreeMap<Option<Id>, Vec<AgendaItem>> = BTreeMap::new();
    let case_session: BTreeMap<Id, Option<Id>> = items.iter().map(|i| (i.case_id, i.session_id)).collect();
    for it in items {
        let key = it.session_id.filter(|s| sessions.iter().any(|x| x.id == *s));
        by_session.entry(key).or_default().push(it);
    }
    let mut actions: BTreeMap<Option<Id>, Vec<Action>> = BTreeMap::new();
    let first = sessions.first().map(|s| s.id);
    for (a, at) in open_actions {
        let s = case_session.get(&a.case_id).copied().flatten().or(at).or(first);
        actions.entry(s).or_default().push(a);
    }
    let plans = sessions
        .iter()
        .map(|s| {
            let mut items = by_session.remove(&Some(s.id)).unwrap_or_default();
            items.sort_by_key(|i| (i.position, i.id));
            let quick = items.iter().filter(|i| i.track == Track::Quick).count();
            let deep = items.len() - quick;
            let minutes =
                budget.action_review_minutes + quick as f64 * budget.quick_minutes + deep as f64 * budget.deep_minutes;
            let expected_end = s.start + Duration::seconds((minutes * 60.0).round() as i64);
            let over_minutes = (minutes - s.budget_minutes() as f64 - 1e-9).ceil().max(0.0) as i64;
            SessionPlan {
                session: s.clone(),
                action_review: actions.remove(&Some(s.id)).unwrap_or_default(),
                quick,
                deep,
                minutes,
                expected_end,
                over_minutes,
                items,
            }
        })
        .collect();
    let mut unassigned: Vec<AgendaItem> = by_session.into_values().flatten().collect();
    unassigned.sort_by_key(|i| (i.position, i.id));
    AgendaPlan { meeting_id, sessions: plans, unassigned, pulled_in: Vec::new() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::meeting::SecretariatDraft;
    use proptest::prelude::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }
    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn child(id: Id, hh: Option<Id>, age: i32) -> Case {
        let mut c = Case::blank(d(1, 5));
        c.id = id;
        c.number = format!("N{id:04}");
        c.name = "x".into();
        c.household_id = hh;
        c.birth_date = NaiveDate::from_ymd_opt(2026 - age, 6, 1);
        c.rank = "C".into();
        c
    }

    fn prop(id: Id, track: Track) -> Proposal {
        Proposal { case_id: id, track, reasons: vec![format!("理由{id}")], draft: SecretariatDraft::default() }
    }

    fn session(id: Id, section: Option<&str>, start: NaiveTime, end: NaiveTime) -> Session {
        Session {
            id,
            meeting_id: 1,
            label: format!("S{id}"),
            date: d(12, 8),
            start,
            end,
            section: section.map(str::to_string),
            position: id,
        }
    }

    fn sessions() -> Vec<Session> {
        vec![session(1, Some("infant"), t(9, 30), t(12, 0)), session(2, Some("school"), t(13, 30), t(17, 0))]
    }

    #[test]
    fn a_plan_that_does_not_fit_says_how_many_more_sessions_it_needs() {
        let cfg = Config::default();
        let ss = sessions();
        let items: Vec<AgendaItem> = (1..=60).map(|id| AgendaItem::pending(id, Track::Deep, 2, id)).collect();
        let plan = summarise(1, &ss, items, vec![], &cfg.budget);
        let short = shortfalls(&plan);
        // 60 deep items × 7 min + 10 min review = 430 min in a 210-minute session: 220 over, 2 more.
        assert_eq!(
            short,
            vec![Shortfall { section: Some("school".into()), sessions: 1, over_minutes: 220, more_sessions: 2 }]
        );
        assert!(short[0].message("児童生徒会").starts_with("児童生徒会の1日程で220分超過: 同じ長さの日程があと2回"));
        assert!(shortfalls(&summarise(1, &ss, vec![], vec![], &cfg.budget)).is_empty());
    }

    /// An action of a case not on the agenda is reviewed where its agency attends: a school's
    /// in the session schools attend, a nursery's with the little one's 部会.
    #[test]
    fn an_action_review_goes_to_the_session_its_agency_attends() {
        let cfg = Config::default();
        let infant = child(1, None, 3);
        let at = |c: &Case, k| review_session(Some(c), Some(k), d(12, 8), &sessions(), &cfg);
        assert_eq!(at(&infant, AgencyKind::PrimarySchool), Some(2), "a school attends the 児童生徒会");
        assert_eq!(at(&infant, AgencyKind::Nursery), Some(1));
        assert_eq!(at(&child(2, None, 9), AgencyKind::HealthCentre), Some(2), "with the case's 部会");
        let a = Action {
            id: 7,
            case_id: 1,
            meeting_id: Some(1),
            agency_id: Some(5),
            owner: String::new(),
            what: "登校確認".into(),
            due: None,
            status: crate::domain::ActionStatus::Open,
            review_note: String::new(),
            reviewed_in: None,
            done_on: None,
        };
        let plan = summarise(1, &sessions(), vec![], vec![(a, Some(2))], &cfg.budget);
        assert_eq!((plan.sessions[0].action_review.len(), plan.sessions[1].action_review.len()), (0, 1));
    }

    #[test]
    fn siblings_form_one_block_and_a_quick_sibling_of_a_deep_one_is_marked() {
        let cs = [child(1, Some(9), 3), child(2, Some(9), 8), child(3, None, 10)];
        let map: BTreeMap<Id, &Case> = cs.iter().map(|c| (c.id, c)).collect();
        let props = vec![prop(1, Track::Quick), prop(2, Track::Deep), prop(3, Track::Quick)];
        let items = plan(1, d(12, 8), &map, props, &sessions(), &Existing::default(), &Config::default());
        let by: BTreeMap<Id, &AgendaItem> = items.iter().map(|i| (i.case_id, i)).collect();
        assert_eq!(by[&1].block, 1);
        assert_eq!(by[&2].block, 1);
        assert_eq!(by[&1].track, Track::Deep);
        assert_eq!(by[&1].reasons, vec!["理由1".to_string(), WITH_SIBLINGS.to_string()]);
        assert_eq!(by[&2].reasons, vec!["理由2".to_string()]);
        // One child of school age: the block goes where schools attend.
        assert_eq!(by[&1].session_id, Some(2));
        assert_eq!(by[&2].session_id, Some(2));
        // Quick first, then deep.
        assert!(by[&3].position < by[&1].position);
    }

    #[test]
    fn infants_go_to_the_infant_sessions_spread_over_both() {
        let cs: Vec<Case> = (1..=30).map(|i| child(i, None, 2)).collect();
        let map: BTreeMap<Id, &Case> = cs.iter().map(|c| (c.id, c)).collect();
        let props = cs.iter().map(|c| prop(c.id, Track::Deep)).collect();
        let mut ss = sessions();
        ss.push(session(3, Some("infant"), t(13, 30), t(17, 0)));
        let items = plan(1, d(12, 8), &map, props, &ss, &Existing::default(), &Config::default());
        // 140 and 200 minutes after the action review: 7-minute items go where most time is left.
        assert_eq!(items.iter().filter(|i| i.session_id == Some(1)).count(), 11);
        assert_eq!(items.iter().filter(|i| i.session_id == Some(3)).count(), 19);
        assert_eq!(items.iter().filter(|i| i.session_id == Some(2)).count(), 0);
        let p = summarise(1, &ss, items, vec![], &Config::default().budget);
        assert_eq!(p.sessions[0].expected_end, t(10, 57));
        assert_eq!(p.sessions[0].over_minutes, 0);
        assert_eq!(p.sessions[2].expected_end, t(15, 53));
        assert_eq!(p.sessions[2].end_label(), "15:53");
        let late = SessionPlan { minutes: 900.0, expected_end: t(4, 30), ..p.sessions[2].clone() };
        assert_eq!(late.end_label(), "翌日 04:30");
    }

    #[test]
    fn locked_items_keep_their_session_and_place_and_edits_survive() {
        let cs: Vec<Case> = (1..=5).map(|i| child(i, None, 8)).collect();
        let map: BTreeMap<Id, &Case> = cs.iter().map(|c| (c.id, c)).collect();
        let props = || cs.iter().map(|c| prop(c.id, Track::Quick)).collect::<Vec<_>>();
        let first = plan(1, d(12, 8), &map, props(), &sessions(), &Existing::default(), &Config::default());
        let mut stored: Vec<AgendaItem> = first
            .into_iter()
            .enumerate()
            .map(|(n, mut i)| {
                i.id = 100 + n as i64;
                i
            })
            .collect();
        let five = stored.iter_mut().find(|i| i.case_id == 5).unwrap();
        five.locked = true;
        five.position = 0;
        five.session_id = Some(1);
        let four = stored.iter_mut().find(|i| i.case_id == 4).unwrap();
        four.track = Track::Deep;
        four.draft.policy = "事務局が書いた案".into();
        let existing = Existing {
            items: &stored,
            pinned_tracks: [4].into_iter().collect(),
            edited_drafts: [4].into_iter().collect(),
            open_actions: BTreeSet::new(),
        };
        let again = plan(1, d(12, 8), &map, props(), &sessions(), &existing, &Config::default());
        let by: BTreeMap<Id, &AgendaItem> = again.iter().map(|i| (i.case_id, i)).collect();
        assert_eq!((by[&5].session_id, by[&5].position), (Some(1), 0));
        assert_eq!(by[&4].track, Track::Deep);
        assert_eq!(by[&4].draft.policy, "事務局が書いた案");
        assert!(by[&4].reasons.contains(&"事務局の判断で重点協議へ".to_string()));
        assert!(again.iter().all(|i| i.id >= 100));
    }

    #[test]
    fn open_actions_come_first_within_a_track() {
        let cs: Vec<Case> = (1..=3).map(|i| child(i, None, 8)).collect();
        let map: BTreeMap<Id, &Case> = cs.iter().map(|c| (c.id, c)).collect();
        let props = cs.iter().map(|c| prop(c.id, Track::Quick)).collect();
        let existing = Existing { open_actions: [3].into_iter().collect(), ..Default::default() };
        let items = plan(1, d(12, 8), &map, props, &sessions(), &existing, &Config::default());
        assert_eq!(items[0].case_id, 3);
    }

    proptest! {
        #[test]
        fn every_due_case_lands_once_and_siblings_stay_together(
            kids in prop::collection::vec((0i64..15, 0i32..18, any::<bool>()), 1..80),
            n_sessions in 1usize..4,
        ) {
            let cs: Vec<Case> = kids.iter().enumerate()
                .map(|(i, (hh, age, _))| child(i as i64 + 1, (*hh > 4).then_some(*hh), *age))
                .collect();
            let map: BTreeMap<Id, &Case> = cs.iter().map(|c| (c.id, c)).collect();
            let props = cs.iter().zip(&kids)
                .map(|(c, (_, _, deep))| prop(c.id, if *deep { Track::Deep } else { Track::Quick }))
                .collect();
            let sections = [Some("infant"), Some("school"), None];
            let ss: Vec<Session> = (0..n_sessions)
                .map(|i| session(i as i64 + 1, sections[i % 3], t(9, 0), t(11, 0)))
                .collect();
            let items = plan(1, d(12, 8), &map, props, &ss, &Existing::default(), &Config::default());
            prop_assert_eq!(items.len(), cs.len());
            let ids: BTreeSet<Id> = items.iter().map(|i| i.case_id).collect();
            prop_assert_eq!(ids.len(), cs.len());
            prop_assert!(items.iter().all(|i| i.session_id.is_some()));
            for c in &cs {
                let Some(h) = c.household_id else { continue };
                let mine: Vec<&AgendaItem> = items.iter()
                    .filter(|i| map[&i.case_id].household_id == Some(h))
                    .collect();
                let sessions: BTreeSet<_> = mine.iter().map(|i| i.session_id).collect();
                prop_assert_eq!(sessions.len(), 1);
                let tracks: BTreeSet<_> = mine.iter().map(|i| i.track.code()).collect();
                prop_assert_eq!(tracks.len(), 1);
                let mut pos: Vec<i64> = mine.iter().map(|i| i.position).collect();
                pos.sort();
                prop_assert_eq!(pos.last().unwrap() - pos[0], pos.len() as i64 - 1, "siblings adjacent");
            }
        }
    }
}
