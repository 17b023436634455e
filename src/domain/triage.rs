//! 振り分け: which due cases need real discussion (重点協議) and which can be confirmed in one
//! go (一括確認), each with its reasons written out in Japanese, and the 事務局案 for the
//! quick ones. Pure: everything the rules look at is passed in, `today` included.

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::Id;
use super::action::{Action, ActionStatus};
use super::case::{Case, CgcInvolvement, Registration};
use super::config::{Config, SheetItemKind};
use super::meeting::{SecretariatDraft, Track};
use super::sheet::AssessmentSheet;
use super::sheet_merge;

/// An institution's request that a case be discussed (府中市: 事前に協議を依頼).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscussionRequest {
    pub id: Id,
    pub case_id: Id,
    pub agency_id: Option<Id>,
    /// The meeting it is meant for; None = the next one.
    pub meeting_id: Option<Id>,
    pub reason: String,
    pub requested_on: NaiveDate,
}

/// How the reason of the rank rule ends (「ランクA（重点協議の対象ランク）」): the capacity
/// proposal counts the 重点協議 that rank alone sends.
pub const DEEP_RANK: &str = "（重点協議の対象ランク）";

/// What the rules know about the meeting being prepared.
#[derive(Debug, Clone)]
pub struct MeetingFrame<'a> {
    pub meeting_id: Id,
    /// First and last day of the meeting (its sessions may span days).
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// 開催日 of the previous meeting, if any.
    pub previous: Option<(Id, NaiveDate)>,
    /// The expected day of the meeting after this one.
    pub next_meeting: NaiveDate,
    pub today: NaiveDate,
    /// Agency names by id, for the reason texts.
    pub agency_names: &'a BTreeMap<Id, String>,
}

impl MeetingFrame<'_> {
    /// The day "since the last meeting" counts from (news is what came after it).
    pub fn since(&self) -> NaiveDate {
        news_since(self.previous.map(|p| p.1), self.first_day)
    }

    fn agency(&self, id: Option<Id>) -> String {
        id.and_then(|i| self.agency_names.get(&i).cloned()).unwrap_or_else(|| "機関".into())
    }
}

/// The day news counts from for a meeting that starts on `first_day`: the previous meeting's
/// day, or three months back without one. News (a new registration, a sheet, a signal) is what
/// came after it. Triage and the minutes' 新規登録 both count from here.
pub fn news_since(previous: Option<NaiveDate>, first_day: NaiveDate) -> NaiveDate {
    previous.unwrap_or_else(|| first_day.checked_sub_months(Months::new(3)).unwrap_or(first_day))
}

/// The minutes' heading for the new registrations, from the first day the window counts:
/// 「新規登録（令和8年6月2日 以降の受理）」.
pub fn news_heading(since: NaiveDate, style: super::wareki::DateStyle) -> String {
    let first = since.succ_opt().unwrap_or(since);
    format!("新規登録（{} 以降の受理）", style.format(first))
}

/// A change of 児相 involvement: (date, from, to).
pub type CgcChange = (NaiveDate, CgcInvolvement, CgcInvolvement);

/// Everything known about one case that the rules read.
#[derive(Debug, Clone, Default)]
pub struct CaseFacts<'a> {
    /// This case's sheets (any order).
    pub sheets: Vec<&'a AssessmentSheet>,
    /// Sheets asked of institutions: (case_id, agency_id, period).
    pub requests: Vec<(Id, Id, NaiveDate)>,
    /// This case's actions.
    pub actions: Vec<&'a Action>,
    /// Rank agreed at the latest earlier meeting.
    pub rank_at_previous: Option<String>,
    /// 児相 involvement before its first change since the previous meeting (None = no change).
    pub cgc_before: Option<CgcInvolvement>,
    /// Every change of 児相 involvement, oldest first.
    pub cgc_history: Vec<CgcChange>,
    pub discussion: Vec<&'a DiscussionRequest>,
    /// A planned move (転居・転出予定).
    pub move_on: Option<NaiveDate>,
    /// Born at a birth recorded on a 特定妊婦 case: (birth day, the mother's case number).
    pub born: Option<(NaiveDate, String)>,
    /// The newest contact with 目視確認 (経過記録).
    pub seen_contact: Option<(NaiveDate, super::contact::ContactKind)>,
    /// Alerts raised by institutions' monthly reports (定期的な情報提供).
    pub report_alerts: Vec<&'a super::attendance::ReportAlert>,
    /// Put on the agenda by the secretariat by hand.
    pub added: bool,
    /// Institutions' replies to this meeting's 事務局案 (事前確認).
    pub replies: Vec<&'a crate::domain::reply::Reply>,
}

/// The proposal for one case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proposal {
    pub case_id: Id,
    pub track: Track,
    pub reasons: Vec<String>,
    pub draft: SecretariatDraft,
}

mod rules;

pub use rules::{RULES, Rule, is_active_measure};

/// Every rule evaluated for a case, with what each found (empty: it did not apply), in the
/// order the reasons are written. What `agenda explain` prints.
pub fn evaluate(
    case: &Case,
    frame: &MeetingFrame<'_>,
    facts: &CaseFacts<'_>,
    cfg: &Config,
) -> Vec<(&'static Rule, Vec<String>)> {
    let inputs = rules::Inputs::new(case, frame, facts, cfg);
    run_rules(&inputs)
}

fn run_rules(inputs: &rules::Inputs<'_>) -> Vec<(&'static Rule, Vec<String>)> {
    RULES.iter().map(|r| (r, (r.find)(inputs))).collect()
}

/// What an agenda build needs of one case, from one evaluation of the rules: None when it
/// does not belong on the agenda, else its proposal and the signals (empty when its review is
/// due anyway or it was added by hand, i.e. it was not brought in by them).
pub fn triage_case(
    case: &Case,
    frame: &MeetingFrame<'_>,
    facts: &CaseFacts<'_>,
    cfg: &Config,
    keep: bool,
) -> Option<(Proposal, Vec<String>)> {
    if !case.is_open() && !keep {
        return None;
    }
    let inputs = rules::Inputs::new(case, frame, facts, cfg);
    let found = run_rules(&inputs);
    let signals: Vec<String> = found.iter().filter(|(r, _)| r.signal).flat_map(|(_, f)| f.clone()).collect();
    let by_review = keep || facts.added || case.next_review.is_none_or(|d| d <= frame.last_day);
    if !(by_review || (case.is_open() && !signals.is_empty())) {
        return None;
    }
    let deep: Vec<String> = found.into_iter().flat_map(|(_, f)| f).collect();
    let proposal = propose_from(&inputs, deep);
    Some((proposal, if by_review { Vec::new() } else { signals }))
}

/// The news since the last meeting that brings a case onto the agenda whatever its review
/// date (the reasons of the rules marked `signal`).
pub fn signals(case: &Case, frame: &MeetingFrame<'_>, facts: &CaseFacts<'_>, cfg: &Config) -> Vec<String> {
    evaluate(case, frame, facts, cfg).into_iter().filter(|(r, _)| r.signal).flat_map(|(_, found)| found).collect()
}

/// Whether the case belongs on this meeting's agenda: its review falls on or before the
/// meeting's last day, the secretariat added it, or a signal since the last meeting calls
/// for it.
pub fn is_due(case: &Case, frame: &MeetingFrame<'_>, facts: &CaseFacts<'_>, cfg: &Config) -> bool {
    case.is_open()
        && (facts.added
            || case.next_review.is_none_or(|d| d <= frame.last_day)
            || !signals(case, frame, facts, cfg).is_empty())
}

/// The 重点協議 reasons for a case; empty when nothing calls for discussion.
pub fn deep_reasons(case: &Case, frame: &MeetingFrame<'_>, facts: &CaseFacts<'_>, cfg: &Config) -> Vec<String> {
    evaluate(case, frame, facts, cfg).into_iter().flat_map(|(_, found)| found).collect()
}

/// A school transition (小学校入学, 中学校進学, 中学校卒業) on the next 1 April, if it is within
/// `days` of `day`.
fn school_transition(case: &Case, day: NaiveDate, days: i64) -> Option<String> {
    if case.registration == Registration::ExpectantMother {
        return None;
    }
    let y = if (day.month(), day.day()) < (4, 1) { day.year() } else { day.year() + 1 };
    let april = NaiveDate::from_ymd_opt(y, 4, 1)?;
    if (april - day).num_days() > days {
        return None;
    }
    let what = match case.school_year_on(april)? {
        1 => "小学校入学",
        7 => "中学校進学",
        10 => "中学校卒業・進路",
        _ => return None,
    };
    Some(format!("{april}に{what}を控えている"))
}

/// How many whole months every institution has reported the case stable (scale at or above
/// the stable mark, no ticks), counted from the oldest sheet of the unbroken recent run.
pub fn stable_months(sheets: &[&AssessmentSheet], day: NaiveDate, cfg: &Config) -> u32 {
    let mut sorted: Vec<&AssessmentSheet> = sheets.iter().copied().filter(|s| s.period <= day).collect();
    sorted.sort_by_key(|s| std::cmp::Reverse(s.period));
    let stable = |s: &AssessmentSheet| {
        s.checks.is_empty() && s.safety_scale.is_some_and(|v| v >= cfg.triage.safety_scale_stable)
    };
    let mut since = None;
    for s in sorted {
        if !stable(s) {
            break;
        }
        since = Some(s.period);
    }
    since.map(|s| months_between(s, day)).unwrap_or(0)
}

fn months_between(from: NaiveDate, to: NaiveDate) -> u32 {
    let mut m = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32;
    if to.day() < from.day() {
        m -= 1;
    }
    m.max(0) as u32
}

/// Marked on a case the secretariat put on the agenda by hand.
pub const ADDED: &str = "事務局が議題に追加";

/// The proposal for one due case: deep with its reasons, or quick with a 事務局案.
pub fn propose(case: &Case, frame: &MeetingFrame<'_>, facts: &CaseFacts<'_>, cfg: &Config) -> Proposal {
    let inputs = rules::Inputs::new(case, frame, facts, cfg);
    let deep = run_rules(&inputs).into_iter().flat_map(|(_, f)| f).collect();
    propose_from(&inputs, deep)
}

/// The proposal from the rules' findings `deep` (empty: quick).
fn propose_from(inputs: &rules::Inputs<'_>, mut deep: Vec<String>) -> Proposal {
    let (case, frame, facts, cfg) = (inputs.case, inputs.frame, inputs.facts, inputs.cfg);
    if !deep.is_empty() {
        if facts.added {
            deep.push(ADDED.into());
        }
        return Proposal { case_id: case.id, track: Track::Deep, reasons: deep, draft: SecretariatDraft::default() };
    }
    let cal = cfg.business_calendar();
    let scheme = cfg.rank_scheme(case.registration);
    let next = scheme.next_review(&case.rank, frame.first_day, &cal);
    let months = stable_months(&facts.sheets, frame.first_day, cfg);
    let stable = months >= cfg.triage.stable_months_to_close && !facts.actions.iter().any(|a| a.is_open());
    let blocks = |c: &CgcInvolvement| cfg.triage.no_close_cgc.iter().any(|code| code == c.code());
    let cgc_blocks = blocks(&case.cgc);
    let watched = cfg.triage.no_close_months_after_cgc;
    // The last time an involvement that blocks closing gave way to one that does not.
    let ended_lately = facts
        .cgc_history
        .iter()
        .rev()
        .find(|(_, from, to)| blocks(from) && !blocks(to))
        .map(|(on, from, _)| (*on, *from))
        .filter(|(on, _)| {
            on.checked_add_months(chrono::Months::new(watched)).is_some_and(|until| until > frame.first_day)
        });
    let closing = stable && !cgc_blocks && ended_lately.is_none();
    let mut reasons = vec![quick_reason(inputs)];
    if facts.added {
        reasons.push(ADDED.into());
    }
    if stable && cgc_blocks {
        reasons.push(format!("{months}か月安定だが、児相の関与（{}）があるため終結案にしない", case.cgc.label()));
    } else if let Some((on, what)) = ended_lately.filter(|_| stable) {
        reasons.push(format!(
            "{months}か月安定だが、児相の関与（{}）が{on}に終わってから{watched}か月たっていないため終結案にしない",
            what.label()
        ));
    }
    let draft = if closing {
        reasons.push(format!(
            "{months}か月安定（セーフティスケール{}以上・チェックなし）のため終結案",
            cfg.triage.safety_scale_stable
        ));
        SecretariatDraft {
            summary: format!("{months}か月にわたり各機関の報告で安定している"),
            policy: "終結とし、所属機関での通常の見守りに移行する".into(),
            rank: None,
            next_review: None,
            close_reason: Some(format!("{months}か月問題なく安定")),
            close_category: cfg.closing.stable_category().unwrap_or_default().to_string(),
        }
    } else {
        SecretariatDraft {
            summary: "前回から大きな変化なし".into(),
            policy: format!("現状維持・見守り継続（主担当機関は変更なし）。{}", case.support_policy),
            rank: None,
            next_review: Some(next),
            close_reason: None,
            close_category: String::new(),
        }
    };
    Proposal { case_id: case.id, track: Track::Quick, reasons, draft }
}

/// Why a case can be confirmed in one go, with the facts it rests on: which institutions
/// reported since the last meeting and what (scale, ticks), and the actions carried out.
fn quick_reason(inputs: &rules::Inputs<'_>) -> String {
    let (frame, facts) = (inputs.frame, inputs.facts);
    let mut seen: Vec<String> = inputs
        .news()
        .map(|c| {
            let scale =
                c.latest.safety_scale.map(|v| format!("スケール{v}")).unwrap_or_else(|| "スケール未記入".into());
            let ticks = if c.latest.checks.is_empty() {
                "チェックなし".to_string()
            } else {
                format!("チェック{}件", c.latest.checks.len())
            };
            format!("{} {}分 {scale}・{ticks}", frame.agency(Some(c.agency_id)), c.latest.period.format("%-m/%-d"))
        })
        .collect();
    if seen.is_empty() {
        seen.push("前回会議以降のシートなし".into());
    }
    let done = facts
        .actions
        .iter()
        .filter(|a| a.status == ActionStatus::Done && frame.previous.is_some_and(|p| a.meeting_id == Some(p.0)))
        .count();
    if done > 0 {
        seen.push(format!("前回の役割分担{done}件実施済"));
    }
    format!("前回から大きな変化の報告なし・次の支援が明確（{}）", seen.join("、"))
}

/// The reason an earlier meeting's action not carried out puts its case on the agenda.
pub fn undone_action_reason(what: &str, agency: &str) -> String {
    format!("前回の役割分担「{what}」が未実施（{agency}）")
}

/// The reason an action past its due date and not yet confirmed puts its case on the agenda.
pub fn overdue_action_reason(what: &str, due: NaiveDate, agency: &str) -> String {
    format!("役割分担「{what}」が期限（{due}）を過ぎて未確認（{agency}）")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn names() -> BTreeMap<Id, String> {
        [(10, "東小学校".to_string()), (20, "保健センター".to_string())].into_iter().collect()
    }

    fn frame(names: &BTreeMap<Id, String>) -> MeetingFrame<'_> {
        MeetingFrame {
            meeting_id: 2,
            first_day: d(2026, 12, 8),
            last_day: d(2026, 12, 9),
            previous: Some((1, d(2026, 9, 1))),
            next_meeting: d(2027, 3, 8),
            today: d(2026, 11, 24),
            agency_names: names,
        }
    }

    fn case() -> Case {
        let mut c = Case::blank(d(2024, 4, 1));
        c.id = 5;
        c.number = "R6-005".into();
        c.name = "テスト".into();
        c.birth_date = Some(d(2016, 6, 1));
        c.rank = "C".into();
        c.next_review = Some(d(2026, 12, 8));
        c.last_review = Some(d(2026, 9, 1));
        c.support_policy = "学校で見守る".into();
        c.affiliation = Some(10);
        c
    }

    fn sheet(period: NaiveDate, checks: &[&str], scale: u8) -> AssessmentSheet {
        AssessmentSheet {
            id: 0,
            case_id: 5,
            agency_id: 10,
            period,
            written_on: None,
            checks: checks.iter().map(|s| s.to_string()).collect(),
            notes: BTreeMap::new(),
            safety_scale: Some(scale),
            writer: String::new(),
            source: String::new(),
        }
    }

    fn action(status: ActionStatus, due: NaiveDate) -> Action {
        Action {
            id: 1,
            case_id: 5,
            meeting_id: Some(1),
            agency_id: Some(10),
            owner: "担任".into(),
            what: "家庭訪問".into(),
            due: Some(due),
            status,
            review_note: String::new(),
            reviewed_in: None,
            done_on: None,
        }
    }

    fn reasons(c: &Case, facts: &CaseFacts<'_>) -> Vec<String> {
        let n = names();
        deep_reasons(c, &frame(&n), facts, &Config::default())
    }

    #[test]
    fn a_monthly_report_alert_brings_the_case_to_the_next_meeting() {
        use crate::domain::attendance::{AlertKind, ReportAlert};
        let n = names();
        let mut c = case();
        c.next_review = Some(d(2027, 6, 1));
        let a = ReportAlert {
            id: 1,
            case_id: 5,
            agency_id: 10,
            report_id: 1,
            month: d(2026, 10, 1),
            kind: AlertKind::LongAbsence,
            detail: "理由の確かでない連続欠席 7 日（基準 7 日）".into(),
            raised_on: d(2026, 11, 5),
        };
        let cfg = Config::default();
        assert!(!is_due(&c, &frame(&n), &CaseFacts::default(), &cfg), "not due by its review date");
        let f = CaseFacts { report_alerts: vec![&a], ..Default::default() };
        assert!(is_due(&c, &frame(&n), &f, &cfg));
        assert_eq!(
            deep_reasons(&c, &frame(&n), &f, &cfg),
            ["東小学校の月次報告（2026年10月・理由の確かでない連続欠席 7 日（基準 7 日））"]
        );
        let seen = ReportAlert { raised_on: d(2026, 8, 20), ..a.clone() };
        let f = CaseFacts { report_alerts: vec![&seen], ..Default::default() };
        assert!(!is_due(&c, &frame(&n), &f, &cfg), "the last meeting saw it");
    }

    #[test]
    fn a_stable_case_has_no_deep_reason() {
        assert!(reasons(&case(), &CaseFacts::default()).is_empty());
    }

    /// Triage and the minutes count new registrations from one day: the previous meeting's,
    /// or three months before the meeting without one; the heading names the first day counted.
    #[test]
    fn news_counts_from_the_previous_meeting_or_three_months_back() {
        use crate::domain::wareki::DateStyle;
        assert_eq!(news_since(Some(d(2026, 8, 31)), d(2026, 12, 8)), d(2026, 8, 31));
        assert_eq!(news_since(None, d(2026, 9, 1)), d(2026, 6, 1));
        assert_eq!(news_heading(d(2026, 5, 31), DateStyle::Wareki), "新規登録（令和8年6月1日 以降の受理）");
        assert_eq!(news_heading(d(2026, 5, 31), DateStyle::Seireki), "新規登録（2026年6月1日 以降の受理）");
    }

    #[test]
    fn new_registration_since_the_last_meeting() {
        let mut c = case();
        c.accepted_on = d(2026, 10, 2);
        assert_eq!(reasons(&c, &CaseFacts::default()), vec!["前回会議以降の新規登録（受理日 2026-10-02）"]);
    }

    /// 新生児: a named signal that brings the newborn to the next meeting, once.
    #[test]
    fn a_newborn_since_the_last_meeting_is_a_signal() {
        let n = names();
        let mut c = case();
        c.birth_date = Some(d(2026, 11, 20));
        c.accepted_on = d(2026, 11, 20);
        c.next_review = Some(d(2027, 2, 22));
        let f = CaseFacts { born: Some((d(2026, 11, 20), "R8-010".into())), ..Default::default() };
        let found = signals(&c, &frame(&n), &f, &Config::default());
        assert!(found.contains(&"新生児（R8.11.20 出生、特定妊婦 R8-010 から）".to_string()), "{found:?}");
        assert!(is_due(&c, &frame(&n), &f, &Config::default()), "brought to the meeting before its review");
        let older = CaseFacts { born: Some((d(2026, 8, 1), "R8-010".into())), ..Default::default() };
        c.accepted_on = d(2026, 8, 1);
        assert!(signals(&c, &frame(&n), &older, &Config::default()).is_empty(), "born before the last meeting");
    }

    #[test]
    fn rank_raised_and_top_rank() {
        let mut c = case();
        c.rank = "B".into();
        let f = CaseFacts { rank_at_previous: Some("C".into()), ..Default::default() };
        assert_eq!(reasons(&c, &f), vec!["ランクがCからBに上がった"]);
        c.rank = "A".into();
        assert_eq!(reasons(&c, &CaseFacts::default()), vec!["ランクA（重点協議の対象ランク）"]);
    }

    #[test]
    fn newly_ticked_items_on_a_sheet() {
        let (a, b) = (sheet(d(2026, 8, 31), &[], 7), sheet(d(2026, 11, 30), &["injury"], 7));
        let f = CaseFacts { sheets: vec![&a, &b], ..Default::default() };
        assert_eq!(reasons(&case(), &f), vec!["東小学校のシートに新たなチェック: 不自然なけが・あざ・やけどがある"]);
    }

    #[test]
    fn safety_scale_drop_and_low_scale() {
        let (a, b) = (sheet(d(2026, 8, 31), &[], 7), sheet(d(2026, 11, 30), &[], 5));
        let f = CaseFacts { sheets: vec![&a, &b], ..Default::default() };
        assert_eq!(reasons(&case(), &f), vec!["東小学校のセーフティスケールが7から5に低下"]);
        let (a, b) = (sheet(d(2026, 8, 31), &[], 3), sheet(d(2026, 11, 30), &[], 3));
        let f = CaseFacts { sheets: vec![&a, &b], ..Default::default() };
        assert_eq!(reasons(&case(), &f), vec!["東小学校のセーフティスケールが3（3以下）"]);
    }

    #[test]
    fn old_sheets_are_not_news() {
        let a = sheet(d(2026, 5, 31), &["injury"], 2);
        let f = CaseFacts { sheets: vec![&a], ..Default::default() };
        assert!(reasons(&case(), &f).is_empty());
    }

    #[test]
    fn missing_sheet() {
        let f = CaseFacts { requests: vec![(5, 20, d(2026, 11, 30))], ..Default::default() };
        assert_eq!(reasons(&case(), &f), vec!["保健センターのシート（2026-11-30分）が未提出"]);
    }

    #[test]
    fn action_not_done_or_open_past_due() {
        let a = action(ActionStatus::NotDone, d(2026, 10, 1));
        let f = CaseFacts { actions: vec![&a], ..Default::default() };
        assert_eq!(reasons(&case(), &f), vec!["前回の役割分担「家庭訪問」が未実施（東小学校）"]);
        let a = action(ActionStatus::Open, d(2026, 10, 1));
        let f = CaseFacts { actions: vec![&a], ..Default::default() };
        assert_eq!(reasons(&case(), &f), vec!["役割分担「家庭訪問」が期限（2026-10-01）を過ぎて未確認（東小学校）"]);
        // Due after the meeting: not yet a concern.
        let a = action(ActionStatus::Open, d(2027, 1, 10));
        let f = CaseFacts { actions: vec![&a], ..Default::default() };
        assert!(reasons(&case(), &f).is_empty());
    }

    #[test]
    fn cgc_involvement_changed() {
        let mut c = case();
        c.cgc = CgcInvolvement::TemporaryCustody;
        let f = CaseFacts { cgc_before: Some(CgcInvolvement::Consultation), ..Default::default() };
        assert_eq!(reasons(&c, &f), vec!["児相の関与が「情報共有」から「一時保護」に変わった（一時保護）"]);
        c.cgc = CgcInvolvement::ReturnedHome;
        let f = CaseFacts { cgc_before: Some(CgcInvolvement::Placement), ..Default::default() };
        assert_eq!(reasons(&c, &f), vec!["児相の関与が「措置中」から「家庭復帰」に変わった（措置解除・家庭復帰）"]);
    }

    #[test]
    fn overdue_review() {
        let mut c = case();
        c.next_review = Some(d(2026, 11, 1));
        assert_eq!(reasons(&c, &CaseFacts::default()), vec!["次回確認日（2026-11-01）を過ぎている"]);
    }

    #[test]
    fn expectant_mother_at_seven_months_or_due_before_the_next_meeting() {
        let mut c = case();
        c.registration = Registration::ExpectantMother;
        c.birth_date = Some(d(1998, 1, 1));
        c.rank = "B".into();
        // Week 28 on 8 Dec 2026 (12 weeks before the due date), delivering before March.
        c.due_date = Some(d(2027, 3, 2));
        assert_eq!(
            reasons(&c, &CaseFacts::default()),
            vec!["妊娠28週（28週以降の再評価時期）", "出産予定日（2027-03-02）が次回会議より前"]
        );
        // Past week 28 already at the previous meeting: only the delivery counts.
        let n = names();
        let mut fr = frame(&n);
        fr.previous = Some((1, d(2026, 11, 10)));
        c.due_date = Some(d(2026, 12, 20));
        let r = deep_reasons(&c, &fr, &CaseFacts::default(), &Config::default());
        assert_eq!(r, vec!["出産予定日（2026-12-20）が次回会議より前"]);
        // Week 20, due in spring after the next meeting: nothing yet.
        c.due_date = Some(d(2027, 4, 27));
        assert!(reasons(&c, &CaseFacts::default()).is_empty());
    }

    #[test]
    fn school_transition_within_the_window() {
        let mut c = case();
        c.birth_date = Some(d(2020, 6, 1)); // 年長 now, 小1 from April 2027
        let mut cfg = Config::default();
        let n = names();
        assert!(deep_reasons(&c, &frame(&n), &CaseFacts::default(), &cfg).is_empty(), "April is 114 days away");
        cfg.triage.transition_days = 120;
        assert_eq!(
            deep_reasons(&c, &frame(&n), &CaseFacts::default(), &cfg),
            vec!["2027-04-01に小学校入学を控えている"]
        );
        c.birth_date = Some(d(2014, 6, 1));
        assert_eq!(
            deep_reasons(&c, &frame(&n), &CaseFacts::default(), &cfg),
            vec!["2027-04-01に中学校進学を控えている"]
        );
        c.birth_date = Some(d(2011, 6, 1)); // 15: leaves junior high school
        let r = deep_reasons(&c, &frame(&n), &CaseFacts::default(), &cfg);
        assert_eq!(r, vec!["2027-04-01に中学校卒業・進路を控えている"]);
        c.birth_date = Some(d(2013, 6, 1)); // 中2 → 中3: no transition
        assert!(deep_reasons(&c, &frame(&n), &CaseFacts::default(), &cfg).is_empty());
    }

    #[test]
    fn planned_move() {
        let f = CaseFacts { move_on: Some(d(2027, 1, 20)), ..Default::default() };
        assert_eq!(reasons(&case(), &f), vec!["転居・転出予定（2027-01-20）"]);
    }

    #[test]
    fn discussion_request_from_an_institution() {
        let r = DiscussionRequest {
            id: 1,
            case_id: 5,
            agency_id: Some(10),
            meeting_id: None,
            reason: "欠席が増えている".into(),
            requested_on: d(2026, 11, 20),
        };
        let f = CaseFacts { discussion: vec![&r], ..Default::default() };
        assert_eq!(reasons(&case(), &f), vec!["東小学校から協議の依頼: 欠席が増えている"]);
    }

    #[test]
    fn quick_draft_keeps_the_lead_and_reviews_on_a_business_day() {
        let n = names();
        let p = propose(&case(), &frame(&n), &CaseFacts::default(), &Config::default());
        assert_eq!(p.track, Track::Quick);
        assert_eq!(p.reasons, vec!["前回から大きな変化の報告なし・次の支援が明確（前回会議以降のシートなし）"]);
        assert!(p.draft.policy.starts_with("現状維持・見守り継続（主担当機関は変更なし）"));
        // C = 3 months: 8 Mar 2027 (Mon).
        assert_eq!(p.draft.next_review, Some(d(2027, 3, 8)));
        assert_eq!(p.draft.close_reason, None);
    }

    #[test]
    fn stable_for_three_months_proposes_closing() {
        let n = names();
        let (a, b) = (sheet(d(2026, 8, 31), &[], 9), sheet(d(2026, 11, 30), &[], 9));
        let f = CaseFacts { sheets: vec![&a, &b], ..Default::default() };
        let p = propose(&case(), &frame(&n), &f, &Config::default());
        assert_eq!(p.track, Track::Quick);
        assert_eq!(p.reasons[1], "3か月安定（セーフティスケール8以上・チェックなし）のため終結案");
        assert_eq!(p.draft.close_reason.as_deref(), Some("3か月問題なく安定"));
        assert_eq!(p.draft.close_category, "状態の安定", "counted under stability when accepted");
        // One unstable sheet in the run breaks it.
        let c2 = sheet(d(2026, 11, 30), &[], 6);
        let f = CaseFacts { sheets: vec![&a, &c2], ..Default::default() };
        assert_eq!(stable_months(&f.sheets, d(2026, 12, 8), &Config::default()), 0);
    }

    #[test]
    fn no_closing_within_the_watch_after_a_measure_ended() {
        use CgcInvolvement::*;
        let n = names();
        let (a, b) = (sheet(d(2026, 8, 31), &[], 9), sheet(d(2026, 11, 30), &[], 9));
        let back_home = vec![(d(2026, 9, 15), TemporaryCustody, None)];
        let f = CaseFacts { sheets: vec![&a, &b], cgc_history: back_home, ..Default::default() };
        let p = propose(&case(), &frame(&n), &f, &Config::default());
        assert!(p.draft.close_reason.is_none());
        assert!(
            p.reasons[1].contains("が2026-09-15に終わってから6か月たっていないため終結案にしない"),
            "{:?}",
            p.reasons
        );
        // The watch runs from the end of the last blocking involvement (家庭復帰 after 一時保護).
        let stepped = vec![(d(2026, 3, 1), TemporaryCustody, ReturnedHome), (d(2026, 10, 1), ReturnedHome, None)];
        let f = CaseFacts { sheets: vec![&a, &b], cgc_history: stepped, ..Default::default() };
        let p = propose(&case(), &frame(&n), &f, &Config::default());
        assert!(p.reasons[1].contains("2026-10-01に終わってから"), "{:?}", p.reasons);
        // Long enough ago: closing is proposed.
        let f = CaseFacts {
            sheets: vec![&a, &b],
            cgc_history: vec![(d(2025, 12, 1), TemporaryCustody, None)],
            ..Default::default()
        };
        assert!(propose(&case(), &frame(&n), &f, &Config::default()).draft.close_reason.is_some());
    }

    #[test]
    fn due_means_review_by_the_last_day_or_asked_for() {
        let n = names();
        let fr = frame(&n);
        let mut c = case();
        c.next_review = Some(d(2026, 12, 9));
        let cfg = Config::default();
        assert!(is_due(&c, &fr, &CaseFacts::default(), &cfg));
        c.next_review = Some(d(2026, 12, 10));
        assert!(!is_due(&c, &fr, &CaseFacts::default(), &cfg));
        assert!(is_due(&c, &fr, &CaseFacts { added: true, ..Default::default() }, &cfg));
    }

    /// Each signal brings a case whose review is months away onto the agenda, as deep.
    #[test]
    fn signals_bring_a_case_not_due_onto_the_agenda() {
        let n = names();
        let fr = frame(&n);
        let cfg = Config::default();
        let mut c = case();
        c.next_review = Some(d(2027, 3, 1));
        assert!(!is_due(&c, &fr, &CaseFacts::default(), &cfg), "nothing new: it waits for its turn");
        // A fall on the sheet since the one the last meeting saw, and a new tick.
        let (a, b) = (sheet(d(2026, 8, 31), &[], 7), sheet(d(2026, 11, 30), &["fear"], 2));
        let f = CaseFacts { sheets: vec![&a, &b], ..Default::default() };
        assert!(is_due(&c, &fr, &f, &cfg));
        let found = signals(&c, &fr, &f, &cfg);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[1].contains("7から2に低下"), "{found:?}");
        // A raised rank.
        let f = CaseFacts { rank_at_previous: Some("D".into()), ..Default::default() };
        assert!(is_due(&c, &fr, &f, &cfg));
        // 児相 now 一時保護: a signal; 家庭復帰 is a change but not a signal.
        c.cgc = CgcInvolvement::TemporaryCustody;
        let f = CaseFacts { cgc_before: Some(CgcInvolvement::None), ..Default::default() };
        assert!(is_due(&c, &fr, &f, &cfg));
        c.cgc = CgcInvolvement::ReturnedHome;
        let f = CaseFacts { cgc_before: Some(CgcInvolvement::Placement), ..Default::default() };
        assert!(!is_due(&c, &fr, &f, &cfg));
        // A new registration.
        c.cgc = CgcInvolvement::None;
        c.accepted_on = d(2026, 11, 1);
        assert!(is_due(&c, &fr, &CaseFacts::default(), &cfg));
    }

    /// 10 seen by the last meeting, 7 after it, 8 now: the fall is still news.
    #[test]
    fn a_drop_after_the_last_meeting_is_not_forgotten_when_a_later_sheet_recovers() {
        let (a, b, c2) =
            (sheet(d(2026, 8, 31), &[], 10), sheet(d(2026, 10, 31), &[], 7), sheet(d(2026, 11, 30), &[], 8));
        let f = CaseFacts { sheets: vec![&a, &b, &c2], ..Default::default() };
        assert_eq!(reasons(&case(), &f), vec!["東小学校のセーフティスケールが10から7に低下（最新は8）"]);
    }

    #[test]
    fn drafts_a_supervisor_would_sign() {
        let n = names();
        let cfg = Config::default();
        // Stable for months, but 児相 is still involved: no 終結案, and it says why.
        let (a, b) = (sheet(d(2026, 8, 31), &[], 9), sheet(d(2026, 11, 30), &[], 9));
        let f = CaseFacts { sheets: vec![&a, &b], ..Default::default() };
        let mut c = case();
        c.cgc = CgcInvolvement::Guidance;
        let p = propose(&c, &frame(&n), &f, &cfg);
        assert_eq!((p.track, p.draft.close_reason.clone()), (Track::Quick, None));
        assert!(
            p.reasons.iter().any(|r| r.contains("児相の関与（児童福祉司指導）があるため終結案にしない")),
            "{:?}",
            p.reasons
        );
        assert!(p.reasons[0].contains("東小学校 11/30分 スケール9・チェックなし"), "{:?}", p.reasons);
        // Under 一時保護: never quick.
        c.cgc = CgcInvolvement::TemporaryCustody;
        let p = propose(&c, &frame(&n), &f, &cfg);
        assert_eq!(p.track, Track::Deep);
        assert_eq!(p.reasons, vec!["児相の一時保護のため一括確認にしない"]);
        // A child attending nothing, with no sheet and no contact: nobody has seen them.
        let mut c = case();
        c.affiliation = None;
        let p = propose(&c, &frame(&n), &CaseFacts::default(), &cfg);
        assert_eq!((p.track, p.reasons.clone()), (Track::Deep, vec!["目視確認の記録なし".to_string()]));
    }

    /// 「nobody has seen this child」 reads the 経過記録's 目視確認 as well as the sheets.
    #[test]
    fn the_unseen_rule_reads_the_contacts_and_states_the_last_sighting() {
        use crate::domain::contact::ContactKind;
        let n = names();
        let cfg = Config::default();
        let mut c = case();
        c.affiliation = None;
        let unseen = |f: &CaseFacts<'_>| -> Vec<String> {
            evaluate(&c, &frame(&n), f, &cfg).into_iter().find(|(r, _)| r.name.contains("目視確認")).unwrap().1
        };
        // 98 days before the meeting's first day (2026-12-08).
        let old = CaseFacts { seen_contact: Some((d(2026, 9, 1), ContactKind::HomeVisit)), ..Default::default() };
        assert_eq!(unseen(&old), vec!["最終目視確認 R8.9.1（家庭訪問）から98日"]);
        let recent = CaseFacts { seen_contact: Some((d(2026, 11, 20), ContactKind::Interview)), ..Default::default() };
        assert!(unseen(&recent).is_empty(), "seen 18 days before the meeting");
        // A sheet newer than the contact is the last sighting.
        let s = sheet(d(2026, 9, 30), &[], 8);
        let with_sheet = CaseFacts { sheets: vec![&s], ..old.clone() };
        assert!(unseen(&with_sheet).is_empty(), "a sheet 69 days before the meeting");
        let strict =
            Config { triage: crate::domain::config::Triage { unseen_days: 60, ..cfg.triage.clone() }, ..cfg.clone() };
        let found = evaluate(&c, &frame(&n), &with_sheet, &strict).into_iter().flat_map(|(_, f)| f).collect::<Vec<_>>();
        assert!(found.contains(&"最終目視確認 R8.9.30（東小学校のシート）から69日".to_string()), "{found:?}");
        // A child at school is seen there: the rule is the missing sheet's business.
        let at_school = case();
        let found = evaluate(&at_school, &frame(&n), &old, &cfg).into_iter().flat_map(|(_, f)| f).collect::<Vec<_>>();
        assert!(!found.iter().any(|r| r.contains("目視確認")), "{found:?}");
    }

    #[test]
    fn every_rule_is_evaluated_and_named() {
        let n = names();
        let all = evaluate(&case(), &frame(&n), &CaseFacts::default(), &Config::default());
        assert_eq!(all.len(), RULES.len());
        assert!(all.iter().all(|(_, found)| found.is_empty()));
    }

    /// A rank the configuration no longer has is not quietly treated as some other rank.
    #[test]
    fn a_rank_no_longer_configured_goes_deep_with_the_reason() {
        let n = names();
        let mut c = case();
        c.rank = "低".into();
        let p = propose(&c, &frame(&n), &CaseFacts::default(), &Config::default());
        assert_eq!(p.track, Track::Deep);
        assert_eq!(p.reasons, vec!["ランク「低」は設定にありません（shinko config check で確認してください）"]);
    }
}
