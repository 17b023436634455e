//! 年度統計: the yearly figures a 代表者会議 asks for, over the Japanese fiscal year
//! (1 April – 31 March). Pure: the store gathers the facts, [`compute`] counts them.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::stats_breakdown::{Breakdowns, breakdowns};
use super::{
    AbuseType, Action, ActionStatus, Case, Decision, DecisionKind, Id, Meeting, MeetingKind, MeetingStatus,
    Registration,
};

/// Age bands of the registered-cases table, as on the reference date.
pub const AGE_BANDS: [&str; 6] = ["0〜2歳", "3歳〜就学前", "小学生", "中学生", "高校生以上", "特定妊婦"];

pub use super::calendar::fiscal_year_of;

/// First and last day of fiscal year `fy`.
pub fn fiscal_year_bounds(fy: i32) -> (NaiveDate, NaiveDate) {
    let from = NaiveDate::from_ymd_opt(fy, 4, 1).unwrap_or(NaiveDate::MIN);
    let to = NaiveDate::from_ymd_opt(fy + 1, 3, 31).unwrap_or(NaiveDate::MAX);
    (from, to)
}

/// A meeting with its 開催日 (first session), as the store knows it.
#[derive(Debug, Clone)]
pub struct MeetingFacts {
    pub meeting: Meeting,
    pub date: Option<NaiveDate>,
}

/// An action with the day it was marked done (from the audit log), if it was.
#[derive(Debug, Clone)]
pub struct ActionFacts {
    pub action: Action,
    /// The day it was recorded done (from the audit log); its own 実施日 comes first
    /// ([`Action::done_day`]).
    pub recorded_done: Option<NaiveDate>,
}

/// Everything the yearly figures are counted from.
#[derive(Debug, Clone, Copy)]
pub struct StatsInput<'a> {
    pub cases: &'a [Case],
    pub meetings: &'a [MeetingFacts],
    pub decisions: &'a [Decision],
    pub actions: &'a [ActionFacts],
    /// 関係機関 names by id, for the breakdown by 主担当機関.
    pub agency_names: &'a BTreeMap<Id, String>,
    /// 経過記録.
    pub contacts: &'a [super::contact::Contact],
    /// The birth day of every newborn registered at a recorded birth (twins: twice).
    pub births: &'a [NaiveDate],
    /// 定期的な情報提供: the month of each monthly report received, and the day each alert
    /// was raised.
    pub reports: &'a [NaiveDate],
    pub alerts: &'a [NaiveDate],
    /// The configured order of 終結理由区分 and ranks.
    pub order: &'a Order,
}

/// What the configuration puts in order in the figures (anything else follows): the 終結理由区分
/// in report order, and the ranks most urgent first (expectant mothers' ranks after).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Order {
    pub closing_categories: Vec<String>,
    pub ranks: Vec<String>,
}

impl Order {
    pub fn of(cfg: &super::Config) -> Order {
        let mut ranks: Vec<String> = Vec::new();
        for r in cfg.ranks.iter().chain(&cfg.expectant_ranks) {
            if !ranks.contains(&r.code) {
                ranks.push(r.code.clone());
            }
        }
        Order { closing_categories: cfg.closing.categories.clone(), ranks }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    pub label: String,
    pub count: usize,
}

/// One registration type's row of the registered-cases table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TypeRow {
    pub registration: String,
    /// Counts per [`AGE_BANDS`].
    pub bands: Vec<usize>,
    pub total: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeetingRow {
    pub id: Id,
    pub title: String,
    pub kind: String,
    pub date: NaiveDate,
    /// Cases with a decision in the meeting.
    pub reviewed: usize,
    /// Confirmed as the 事務局案 proposed (一括確認).
    pub quick: usize,
    /// Discussed (重点協議).
    pub deep: usize,
}

/// Actions due within the year, by outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ActionOutcomes {
    pub due: usize,
    pub done_on_time: usize,
    pub done_late: usize,
    pub not_possible: usize,
    pub not_done: usize,
    /// Still open and past due on the reference date.
    pub open_overdue: usize,
    /// Still open, not yet due.
    pub open_not_due: usize,
}

impl ActionOutcomes {
    /// Share done on time of those whose outcome was reviewed (done, not possible or not done),
    /// in %. Open actions, overdue or not, have no outcome yet and are counted apart.
    pub fn on_time_percent(&self) -> Option<f64> {
        let reviewed = self.done_on_time + self.done_late + self.not_possible + self.not_done;
        (reviewed > 0).then(|| 100.0 * self.done_on_time as f64 / reviewed as f64)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearStats {
    pub fiscal_year: i32,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Ages and open actions are counted on this day: the year's end, or today if earlier.
    pub as_of: NaiveDate,
    /// Cases on the ledger at any time in the year, by type and age band.
    pub registered: Vec<TypeRow>,
    pub registered_total: usize,
    /// 要保護児童 by abuse type (a case may count under several).
    pub abuse_types: Vec<Count>,
    /// Accepted (受理) within the year.
    pub new_by_type: Vec<Count>,
    pub new_total: usize,
    /// Closed or transferred within the year (by category: `breakdown.closed_by_category`; the
    /// reasons as written stay in the ledger: these figures go to the 代表者会議).
    pub closed_total: usize,
    pub meetings_by_kind: Vec<Count>,
    pub meetings: Vec<MeetingRow>,
    pub quick_total: usize,
    pub deep_total: usize,
    /// 個別ケース検討会議 decided in the year's meetings.
    pub case_conferences: usize,
    pub actions: ActionOutcomes,
    /// 経過記録 dated within the year (to the reference day).
    pub contacts: super::contact::ContactCounts,
    /// Newborns registered from 特定妊婦 cases, born within the year.
    pub newborns: usize,
    /// Monthly reports received for the year's months (to the reference day), and the alerts
    /// they raised in the year.
    pub reports_received: usize,
    pub report_alerts: usize,
    pub breakdown: Breakdowns,
    /// The fiscal year before, for the side-by-side columns ([`compute_with_previous`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<Box<YearStats>>,
}

impl YearStats {
    /// Cases reviewed per progress meeting, on average.
    pub fn reviewed_per_meeting(&self) -> Option<f64> {
        let progress: Vec<&MeetingRow> =
            self.meetings.iter().filter(|m| m.kind == MeetingKind::Progress.label()).collect();
        (!progress.is_empty())
            .then(|| progress.iter().map(|m| m.reviewed).sum::<usize>() as f64 / progress.len() as f64)
    }

    /// Share of the year's reviews that were discussed (重点協議), in %.
    pub fn deep_percent(&self) -> Option<f64> {
        let reviewed = self.quick_total + self.deep_total;
        (reviewed > 0).then(|| 100.0 * self.deep_total as f64 / reviewed as f64)
    }
}

fn band(case: &Case, on: NaiveDate) -> usize {
    if case.registration == Registration::ExpectantMother {
        return 5;
    }
    use super::school_stage::SchoolStage as S;
    let age = case.age_on(on).unwrap_or(0);
    match S::of(case, on).unwrap_or(S::Preschool) {
        S::Preschool if age < 3 => 0,
        S::Preschool => 1,
        S::Primary => 2,
        S::LowerSecondary => 3,
        S::UpperSecondary | S::AfterUpperSecondary => 4,
    }
}

/// Counts fiscal year `fy` (e.g. 2025 = 令和7年度) on `today`.
pub fn compute(fy: i32, input: StatsInput<'_>, today: NaiveDate) -> YearStats {
    let (from, to) = fiscal_year_bounds(fy);
    let as_of = to.min(today).max(from);
    let in_year = |d: NaiveDate| from <= d && d <= to;
    // What happened by the reference day: a meeting closed ahead of its date dates its closings
    // on that date, and they count once the day has come.
    let happened = |d: NaiveDate| from <= d && d <= as_of;

    let mut registered: Vec<TypeRow> = Registration::ALL
        .iter()
        .map(|r| TypeRow { registration: r.label().into(), bands: vec![0; AGE_BANDS.len()], total: 0 })
        .collect();
    let mut abuse = [0usize; AbuseType::ALL.len()];
    let mut new_by_type = [0usize; Registration::ALL.len()];
    let mut closed = 0;
    let mut on_ledger: Vec<&Case> = Vec::new();
    let counted = |c: &Case| c.accepted_on <= as_of && c.closure.as_ref().is_none_or(|cl| cl.on >= from);
    // A child referred again is one child: counted under the later registration only.
    let re_referred: std::collections::BTreeSet<Id> =
        input.cases.iter().filter(|c| counted(c)).filter_map(|c| c.previous_case).collect();
    for c in input.cases {
        let ri = Registration::ALL.iter().position(|r| *r == c.registration).unwrap_or(0);
        if counted(c) && !re_referred.contains(&c.id) {
            on_ledger.push(c);
            let row = &mut registered[ri];
            row.bands[band(c, as_of)] += 1;
            row.total += 1;
            if c.registration == Registration::NeedsProtection {
                for a in &c.abuse_types {
                    abuse[AbuseType::ALL.iter().position(|x| x == a).unwrap_or(0)] += 1;
                }
            }
        }
        if happened(c.accepted_on) {
            new_by_type[ri] += 1;
        }
        if c.closure.as_ref().is_some_and(|cl| happened(cl.on)) {
            closed += 1;
        }
    }

    let mut meetings = Vec::new();
    let mut by_kind = [0usize; MeetingKind::ALL.len()];
    for mf in input.meetings {
        let Some(date) = mf.date.filter(|d| in_year(*d) && *d <= today) else { continue };
        let decisions: Vec<&Decision> = input.decisions.iter().filter(|d| d.meeting_id == mf.meeting.id).collect();
        if mf.meeting.status == MeetingStatus::Planned && decisions.is_empty() {
            continue;
        }
        by_kind[MeetingKind::ALL.iter().position(|k| *k == mf.meeting.kind).unwrap_or(0)] += 1;
        let quick = decisions.iter().filter(|d| d.as_proposed).count();
        meetings.push(MeetingRow {
            id: mf.meeting.id,
            title: mf.meeting.title.clone(),
            kind: mf.meeting.kind.label().into(),
            date,
            reviewed: decisions.len(),
            quick,
            deep: decisions.len() - quick,
        });
    }
    meetings.sort_by(|a, b| a.date.cmp(&b.date).then(a.id.cmp(&b.id)));
    let case_conferences = input
        .decisions
        .iter()
        .filter(|d| d.kind == DecisionKind::CaseConference && meetings.iter().any(|m| m.id == d.meeting_id))
        .count();

    let mut actions = ActionOutcomes::default();
    for af in input.actions {
        let Some(due) = af.action.due.filter(|d| in_year(*d)) else { continue };
        actions.due += 1;
        match af.action.status {
            ActionStatus::Done if af.action.done_on_time(af.recorded_done) => actions.done_on_time += 1,
            ActionStatus::Done => actions.done_late += 1,
            ActionStatus::NotPossible => actions.not_possible += 1,
            ActionStatus::NotDone => actions.not_done += 1,
            ActionStatus::Open if due < as_of => actions.open_overdue += 1,
            ActionStatus::Open => actions.open_not_due += 1,
        }
    }

    let quick_total = meetings.iter().map(|m| m.quick).sum();
    let deep_total = meetings.iter().map(|m| m.deep).sum();
    YearStats {
        fiscal_year: fy,
        from,
        to,
        as_of,
        registered_total: registered.iter().map(|r| r.total).sum(),
        registered,
        abuse_types: AbuseType::ALL
            .iter()
            .zip(abuse)
            .map(|(a, count)| Count { label: a.label().into(), count })
            .collect(),
        new_total: new_by_type.iter().sum(),
        new_by_type: Registration::ALL
            .iter()
            .zip(new_by_type)
            .map(|(r, count)| Count { label: r.label().into(), count })
            .collect(),
        closed_total: closed,
        meetings_by_kind: MeetingKind::ALL
            .iter()
            .zip(by_kind)
            .map(|(k, count)| Count { label: k.label().into(), count })
            .collect(),
        meetings,
        quick_total,
        deep_total,
        case_conferences,
        actions,
        contacts: super::contact::ContactCounts::of(input.contacts, from, as_of),
        newborns: input.births.iter().filter(|d| happened(**d)).count(),
        reports_received: input.reports.iter().filter(|d| happened(**d)).count(),
        report_alerts: input.alerts.iter().filter(|d| happened(**d)).count(),
        breakdown: breakdowns(input.cases, &on_ledger, input.agency_names, (from, to, as_of), input.order, |c| {
            band(c, as_of)
        }),
        previous: None,
    }
}

/// [`compute`] with the year before alongside, as the 代表者会議 compares them.
pub fn compute_with_previous(fy: i32, input: StatsInput<'_>, today: NaiveDate) -> YearStats {
    let mut s = compute(fy, input, today);
    s.previous = Some(Box::new(compute(fy - 1, input, today)));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Nothing to count but what a test sets.
    static EMPTY: Order = Order { closing_categories: Vec::new(), ranks: Vec::new() };

    fn empty(names: &BTreeMap<Id, String>) -> StatsInput<'_> {
        StatsInput {
            cases: &[],
            meetings: &[],
            decisions: &[],
            actions: &[],
            agency_names: names,
            contacts: &[],
            births: &[],
            reports: &[],
            alerts: &[],
            order: &EMPTY,
        }
    }
    use crate::domain::{CaseStatus, Closure, DecisionKind};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn case(id: Id, reg: Registration, birth: NaiveDate, accepted: NaiveDate) -> Case {
        let mut c = Case::blank(accepted);
        c.id = id;
        c.number = format!("R7-{id:05}");
        c.name = "架空 氏名".into();
        c.registration = reg;
        c.birth_date = Some(birth);
        c
    }

    fn meeting(id: Id, status: MeetingStatus) -> Meeting {
        Meeting {
            id,
            kind: MeetingKind::Progress,
            title: format!("第{id}回"),
            place: String::new(),
            chair: String::new(),
            recorder: String::new(),
            status,
            current_item: None,
        }
    }

    fn decision(meeting_id: Id, case_id: Id, as_proposed: bool) -> Decision {
        Decision {
            id: 0,
            meeting_id,
            case_id,
            agenda_item_id: None,
            as_proposed,
            status_summary: String::new(),
            rank_before: "B".into(),
            rank_after: "B".into(),
            kind: DecisionKind::Continue,
            reason: String::new(),
            support_policy: String::new(),
            next_review: None,
            new_lead_agency: None,
            notes: String::new(),
            category: String::new(),
        }
    }

    fn action(due: NaiveDate, status: ActionStatus, recorded_done: Option<NaiveDate>) -> ActionFacts {
        ActionFacts {
            action: Action {
                id: 0,
                case_id: 1,
                meeting_id: Some(1),
                agency_id: None,
                owner: String::new(),
                what: "訪問".into(),
                due: Some(due),
                status,
                review_note: String::new(),
                reviewed_in: None,
                done_on: None,
            },
            recorded_done,
        }
    }

    #[test]
    fn fiscal_year_runs_april_to_march() {
        assert_eq!(fiscal_year_of(d(2026, 3, 31)), 2025);
        assert_eq!(fiscal_year_of(d(2026, 4, 1)), 2026);
        assert_eq!(fiscal_year_bounds(2025), (d(2025, 4, 1), d(2026, 3, 31)));
    }

    #[test]
    fn a_closing_reason_never_carries_a_name_into_the_figures() {
        let mut c = case(6, Registration::NeedsProtection, d(2016, 6, 1), d(2024, 5, 1));
        c.name = "中島 律".into();
        c.kana = "なかじま りつ".into();
        c.status = CaseStatus::Closed;
        c.closure = Some(Closure {
            on: d(2025, 9, 1),
            reason: "律くんは祖母（ナカジマ トメ）宅へ転居".into(),
            meeting_id: None,
            category: String::new(),
        });
        // Categorised closings, one with a category the town has since removed from its file.
        let closed = |n: i64, category: &str| {
            let mut k = case(n, Registration::NeedsSupport, d(2018, 6, 1), d(2024, 5, 1));
            k.status = CaseStatus::Closed;
            k.closure = Some(Closure {
                on: d(2025, 10, 1),
                reason: "山田 美桜さんは母（山田 花子）と転居".into(),
                meeting_id: None,
                category: category.into(),
            });
            k
        };
        let cases = [c, closed(7, "転出"), closed(8, "転出"), closed(9, "状況改善")];
        let names = BTreeMap::new();
        let order = Order::of(&crate::domain::Config::default());
        let input = StatsInput { cases: &cases, order: &order, ..empty(&names) };
        let s = compute(2025, input, d(2026, 5, 1));
        let json = serde_json::to_string(&s).unwrap();
        for word in ["祖母", "律", "ナカジマ", "美桜", "花子", "転居"] {
            assert!(!json.contains(word), "no free text ({word}): {json}");
        }
        let got: Vec<(&str, usize)> =
            s.breakdown.closed_by_category.iter().map(|c| (c.label.as_str(), c.count)).collect();
        assert_eq!(
            got,
            [
                ("状態の安定", 0),
                ("転出", 2),
                ("年齢到達", 0),
                ("児相へ送致・措置", 0),
                ("その他", 0),
                ("状況改善", 1),
                ("（区分なし）", 1),
            ],
            "configured first in order, then removed ones under their own names, then the uncategorised"
        );
    }

    #[test]
    fn breakdowns_the_previous_year_and_closings_not_yet_happened() {
        let today = d(2025, 10, 15);
        let names: BTreeMap<Id, String> = [(7, "東小学校".to_string())].into();
        let mut a = case(1, Registration::NeedsProtection, d(2016, 6, 1), d(2024, 5, 10));
        a.lead_agency = Some(7);
        a.sex = crate::domain::Sex::Female;
        a.abuse_types = vec![AbuseType::Neglect];
        let mut moved = case(2, Registration::NeedsSupport, d(2020, 6, 1), d(2025, 5, 20));
        moved.status = CaseStatus::Transferred;
        moved.closure =
            Some(Closure { on: d(2025, 8, 1), reason: "県外へ".into(), meeting_id: None, category: String::new() });
        // Closed by a meeting held ahead of its date: counted once 2025-11-20 has come.
        let mut early = case(3, Registration::NeedsSupport, d(2019, 6, 1), d(2023, 5, 1));
        early.status = CaseStatus::Closed;
        early.closure = Some(Closure {
            on: d(2025, 11, 20),
            reason: "状況安定".into(),
            meeting_id: Some(1),
            category: String::new(),
        });
        let cases = vec![a, moved, early];
        let meetings = vec![MeetingFacts { meeting: meeting(1, MeetingStatus::Closed), date: Some(d(2025, 6, 10)) }];
        let mut conference = decision(1, 1, false);
        conference.kind = DecisionKind::CaseConference;
        let input = StatsInput { cases: &cases, meetings: &meetings, decisions: &[conference], ..empty(&names) };
        let s = compute_with_previous(2025, input, today);
        assert_eq!(s.closed_total, 1, "the closing dated after today is not counted yet");
        assert_eq!(s.case_conferences, 1);
        let b = &s.breakdown;
        assert_eq!(
            b.by_lead_agency.iter().map(|c| (c.label.as_str(), c.count)).collect::<Vec<_>>(),
            [("（未設定）", 2), ("東小学校", 1)]
        );
        assert_eq!(b.by_sex.iter().map(|c| c.count).collect::<Vec<_>>(), vec![0, 1, 2]);
        assert_eq!(b.closed_by_category.iter().find(|c| c.label == "（区分なし）").unwrap().count, 1);
        assert_eq!(b.open_at_end_total, 2);
        assert_eq!(b.abuse_by_age[1].bands, vec![0, 0, 1, 0, 0, 0], "ネグレクト, 小学生");
        assert_eq!(b.by_month.len(), 12);
        assert_eq!((b.by_month[1].month.as_str(), b.by_month[1].new), ("5月", 1));
        assert_eq!(b.by_month[4].closed, 1, "8月");
        let prev = s.previous.as_deref().unwrap();
        assert_eq!((prev.fiscal_year, prev.new_total, prev.registered_total), (2024, 1, 2));
        assert!(prev.previous.is_none());
    }

    #[test]
    fn counts_registered_new_closed_meetings_and_actions() {
        let today = d(2026, 5, 1);
        let mut closed_old = case(4, Registration::NeedsSupport, d(2015, 6, 1), d(2023, 5, 1));
        closed_old.status = CaseStatus::Closed;
        closed_old.closure =
            Some(Closure { on: d(2025, 3, 1), reason: "転出".into(), meeting_id: None, category: String::new() });
        let mut closed_now = case(5, Registration::NeedsSupport, d(2012, 6, 1), d(2024, 5, 1));
        closed_now.status = CaseStatus::Closed;
        closed_now.closure = Some(Closure {
            on: d(2025, 9, 1),
            reason: "状況安定".into(),
            meeting_id: Some(1),
            category: String::new(),
        });
        let mut abused = case(1, Registration::NeedsProtection, d(2024, 1, 10), d(2025, 4, 1));
        abused.abuse_types = vec![AbuseType::Neglect, AbuseType::Physical];
        let mut mother = case(3, Registration::ExpectantMother, d(2000, 1, 1), d(2026, 2, 1));
        mother.due_date = Some(d(2026, 6, 1));
        let cases = vec![
            abused,                                                               // 2 on 3/31: 0〜2歳
            case(2, Registration::NeedsProtection, d(2018, 5, 1), d(2024, 4, 1)), // 小1 on 2026-03-31
            mother,
            closed_old,
            closed_now,
            case(6, Registration::NeedsSupport, d(2010, 1, 1), d(2026, 4, 2)), // next year
        ];
        let meetings = vec![
            MeetingFacts { meeting: meeting(1, MeetingStatus::Closed), date: Some(d(2025, 6, 10)) },
            MeetingFacts { meeting: meeting(2, MeetingStatus::Planned), date: Some(d(2025, 9, 10)) },
            MeetingFacts { meeting: meeting(3, MeetingStatus::Closed), date: Some(d(2024, 9, 10)) },
        ];
        let decisions = vec![decision(1, 1, true), decision(1, 2, false), decision(1, 5, true), decision(3, 1, true)];
        let actions = vec![
            action(d(2025, 7, 1), ActionStatus::Done, Some(d(2025, 6, 30))),
            action(d(2025, 7, 1), ActionStatus::Done, Some(d(2025, 7, 2))),
            action(d(2025, 7, 1), ActionStatus::NotPossible, None),
            action(d(2026, 3, 1), ActionStatus::Open, None),
            action(d(2026, 7, 1), ActionStatus::Open, None),
        ];
        let s = compute(
            2025,
            StatsInput {
                cases: &cases,
                meetings: &meetings,
                decisions: &decisions,
                actions: &actions,
                ..empty(&BTreeMap::new())
            },
            today,
        );
        assert_eq!(s.as_of, d(2026, 3, 31));
        assert_eq!(s.registered_total, 4, "the one closed the year before and next year's do not count");
        assert_eq!(s.registered[0].bands, vec![1, 0, 1, 0, 0, 0]);
        assert_eq!(s.registered[1].bands, vec![0, 0, 0, 1, 0, 0]);
        assert_eq!(s.registered[2].bands, vec![0, 0, 0, 0, 0, 1]);
        assert_eq!(s.abuse_types.iter().map(|c| c.count).collect::<Vec<_>>(), vec![1, 1, 0, 0]);
        assert_eq!(s.new_total, 2);
        assert_eq!(s.closed_total, 1);
        assert_eq!(s.meetings.len(), 1, "planned without decisions and last year's are left out");
        assert_eq!((s.meetings[0].reviewed, s.quick_total, s.deep_total), (3, 2, 1));
        assert_eq!(s.reviewed_per_meeting(), Some(3.0));
        let a = &s.actions;
        assert_eq!((a.due, a.done_on_time, a.done_late, a.not_possible, a.open_overdue), (4, 1, 1, 1, 1));
        assert_eq!(a.on_time_percent(), Some(100.0 / 3.0), "of the three reviewed, one on time; the open one apart");
    }
    #[test]
    fn on_time_counts_on_the_done_date_the_review_gave() {
        let due = d(2025, 9, 30);
        let reviewed_later = d(2025, 10, 20);
        // Done on 9/25, reviewed at the October meeting: on time by its 実施日.
        let mut early = action(due, ActionStatus::Done, Some(reviewed_later));
        early.action.done_on = Some(d(2025, 9, 25));
        // Done on 10/3 as the review said, though recorded done before the due date: late.
        let mut late = action(due, ActionStatus::Done, Some(d(2025, 9, 29)));
        late.action.done_on = Some(d(2025, 10, 3));
        // No 実施日: the recorded day decides, as before.
        let recorded_late = action(due, ActionStatus::Done, Some(reviewed_later));
        // Due on the 実施日 itself is on time.
        let mut same_day = action(due, ActionStatus::Done, Some(reviewed_later));
        same_day.action.done_on = Some(due);
        let actions = [early, late, recorded_late, same_day];
        let s = compute(2025, StatsInput { actions: &actions, ..empty(&BTreeMap::new()) }, d(2026, 4, 10));
        assert_eq!((s.actions.due, s.actions.done_on_time, s.actions.done_late), (4, 2, 2));
        assert_eq!(s.actions.on_time_percent(), Some(50.0));
    }

    #[test]
    fn a_child_referred_again_in_the_year_is_registered_once() {
        let mut first = case(1, Registration::NeedsSupport, d(2016, 6, 1), d(2024, 5, 1));
        first.status = CaseStatus::Closed;
        first.closure =
            Some(Closure { on: d(2025, 6, 1), reason: "安定".into(), meeting_id: None, category: String::new() });
        let mut again = case(2, Registration::NeedsSupport, d(2016, 6, 1), d(2025, 11, 1));
        again.previous_case = Some(1);
        let names = BTreeMap::new();
        let input = StatsInput {
            cases: &[first, again],
            meetings: &[],
            decisions: &[],
            actions: &[],
            agency_names: &names,
            contacts: &[],
            births: &[],
            reports: &[],
            alerts: &[],
            order: &Order::default(),
        };
        let s = compute(2025, input, d(2026, 3, 31));
        assert_eq!(s.registered_total, 1, "one child on the ledger");
        assert_eq!((s.new_total, s.closed_total), (1, 1), "the year still saw a closing and a new referral");
    }
    #[test]
    fn monthly_reports_and_their_alerts_count_in_the_year_they_belong_to() {
        let names = BTreeMap::new();
        let reports = [d(2025, 3, 1), d(2025, 4, 1), d(2025, 10, 1), d(2026, 3, 1)];
        let alerts = [d(2025, 11, 5), d(2026, 4, 8)];
        let input = StatsInput { reports: &reports, alerts: &alerts, ..empty(&names) };
        let s = compute(2025, input, d(2026, 1, 15));
        assert_eq!((s.reports_received, s.report_alerts), (2, 1), "April and October; March is not reported yet");
    }
}
