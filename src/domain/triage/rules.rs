//! The triage rules, one function each, in the order their reasons are written. A rule marked
//! `signal` brings an open case onto the next agenda whatever its review date: news since the
//! last meeting that should not wait for the case's turn (a sheet's drop, a raised rank, a
//! stronger 児相 measure, a request, a new registration).

use super::sheet_merge::{self, MergedSheets};
use super::*;

/// What one case's rules read.
pub(super) struct Inputs<'a> {
    pub case: &'a Case,
    pub frame: &'a MeetingFrame<'a>,
    pub facts: &'a CaseFacts<'a>,
    pub cfg: &'a Config,
    /// Every institution's sheets since the sheet the last meeting saw.
    pub merged: MergedSheets,
}

impl<'a> Inputs<'a> {
    pub fn new(case: &'a Case, frame: &'a MeetingFrame<'a>, facts: &'a CaseFacts<'a>, cfg: &'a Config) -> Self {
        let merged = sheet_merge::merge_since_of(case.id, &facts.sheets, &facts.requests, frame.since());
        Inputs { case, frame, facts, cfg, merged }
    }

    /// The institutions' columns with a sheet since the last meeting (only those are news).
    pub fn news(&self) -> impl Iterator<Item = &sheet_merge::AgencyColumn> {
        let since = self.frame.since();
        self.merged.columns.iter().filter(move |c| c.latest.period > since)
    }

    fn label(&self, key: &str) -> String {
        self.cfg
            .sheet_items
            .iter()
            .find(|i| i.key == key && i.kind == SheetItemKind::Check)
            .map(|i| i.label.clone())
            .unwrap_or_else(|| key.to_string())
    }
}

/// One rule: what it looks at (as `agenda explain` prints it), whether it is a signal, and
/// the reasons it finds.
pub struct Rule {
    pub name: &'static str,
    pub signal: bool,
    pub(super) find: fn(&Inputs<'_>) -> Vec<String>,
}

pub const RULES: [Rule; 21] = [
    Rule { name: "ランクが設定にない", signal: false, find: unknown_rank },
    Rule { name: "前回会議以降の新規登録", signal: true, find: new_registration },
    Rule { name: "新生児（特定妊婦のケースからの出生）", signal: true, find: newborn },
    Rule { name: "ランクの上昇", signal: true, find: rank_raised },
    Rule { name: "重点協議の対象ランク", signal: false, find: deep_rank },
    Rule {
        name: "シートの新たなチェック（前回会議が見たシートと比べて）", signal: true, find: new_ticks
    },
    Rule {
        name: "セーフティスケールの低下（前回会議が見たシートと比べて）", signal: true, find: scale_drop
    },
    Rule { name: "セーフティスケールが低い", signal: false, find: scale_low },
    Rule { name: "シートの未提出", signal: false, find: missing_sheets },
    Rule { name: "月次報告の要確認（前回会議以降）", signal: true, find: report_alerts },
    Rule { name: "所属機関がなく、目視確認が途絶えている", signal: false, find: unseen },
    Rule { name: "役割分担の未実施・期限超過", signal: false, find: actions },
    Rule { name: "児相の関与が措置・指導に強まった", signal: true, find: cgc_stronger },
    Rule { name: "児相の関与のその他の変化", signal: false, find: cgc_other_change },
    Rule { name: "児相の措置中（一括確認にしない）", signal: false, find: cgc_measure },
    Rule { name: "次回確認日の超過", signal: false, find: overdue_review },
    Rule { name: "特定妊婦の再評価時期・出産予定", signal: false, find: pregnancy },
    Rule { name: "進学・入学の節目", signal: false, find: transition },
    Rule { name: "転居・転出予定", signal: false, find: planned_move },
    Rule { name: "機関からの協議の依頼", signal: true, find: discussion },
    Rule { name: "事前確認で要協議の回答", signal: true, find: discuss_reply },
];

fn one(r: Option<String>) -> Vec<String> {
    r.into_iter().collect()
}

/// A rank the configuration no longer has (renamed or removed): its interval and deep ranks
/// cannot be known, so a person looks at it.
fn unknown_rank(i: &Inputs<'_>) -> Vec<String> {
    let known = i.cfg.rank_scheme(i.case.registration).get(&i.case.rank).is_some();
    one((!known)
        .then(|| format!("ランク「{}」は設定にありません（shinko config check で確認してください）", i.case.rank)))
}

fn new_registration(i: &Inputs<'_>) -> Vec<String> {
    one((i.case.accepted_on > i.frame.since())
        .then(|| format!("前回会議以降の新規登録（受理日 {}）", i.case.accepted_on)))
}

/// 新生児: born since the last meeting at a birth recorded on a 特定妊婦 case. The meeting
/// checks the newborn visit (府中市: the C rank's 新生児訪問) and the support that follows.
fn newborn(i: &Inputs<'_>) -> Vec<String> {
    let born = i.facts.born.as_ref().filter(|(on, _)| *on > i.frame.since());
    one(born.map(|(on, mother)| crate::domain::birth::newborn_reason(*on, mother)))
}

fn rank_raised(i: &Inputs<'_>) -> Vec<String> {
    let scheme = i.cfg.rank_scheme(i.case.registration);
    let before = i.facts.rank_at_previous.as_ref().filter(|b| scheme.is_raise(b, &i.case.rank));
    one(before.map(|b| format!("ランクが{}から{}に上がった", b, i.case.rank)))
}

fn deep_rank(i: &Inputs<'_>) -> Vec<String> {
    one(i.cfg.triage.deep_ranks.contains(&i.case.rank).then(|| format!("ランク{}{DEEP_RANK}", i.case.rank)))
}

fn new_ticks(i: &Inputs<'_>) -> Vec<String> {
    i.news()
        .filter(|c| !c.newly_ticked.is_empty())
        .map(|c| {
            let items: Vec<String> = c.newly_ticked.iter().map(|k| i.label(k)).collect();
            format!("{}のシートに新たなチェック: {}", i.frame.agency(Some(c.agency_id)), items.join("、"))
        })
        .collect()
}

/// A fall of at least the configured drop from the sheet the last meeting saw to the lowest
/// sheet since.
fn dropped(i: &Inputs<'_>, c: &sheet_merge::AgencyColumn) -> Option<(u8, u8)> {
    c.drop_since().filter(|(before, low)| before - low >= i.cfg.triage.safety_scale_drop)
}

fn scale_drop(i: &Inputs<'_>) -> Vec<String> {
    i.news()
        .filter_map(|c| {
            let (before, low) = dropped(i, c)?;
            let who = i.frame.agency(Some(c.agency_id));
            let latest =
                c.latest.safety_scale.filter(|l| *l != low).map(|l| format!("（最新は{l}）")).unwrap_or_default();
            Some(format!("{who}のセーフティスケールが{before}から{low}に低下{latest}"))
        })
        .collect()
}

fn scale_low(i: &Inputs<'_>) -> Vec<String> {
    let low = i.cfg.triage.safety_scale_low;
    i.news()
        .filter(|c| dropped(i, c).is_none())
        .filter_map(|c| {
            let now = c.latest.safety_scale.filter(|n| *n <= low)?;
            Some(format!("{}のセーフティスケールが{now}（{low}以下）", i.frame.agency(Some(c.agency_id))))
        })
        .collect()
}

fn missing_sheets(i: &Inputs<'_>) -> Vec<String> {
    let day = i.frame.first_day;
    i.merged
        .missing
        .iter()
        .filter(|m| m.period <= day)
        .map(|m| format!("{}のシート（{}分）が未提出", i.frame.agency(Some(m.agency_id)), m.period))
        .collect()
}

/// What an institution's monthly report raised since the last meeting (a long unexplained
/// absence, absence without contact, a move, a written concern): it should not wait.
fn report_alerts(i: &Inputs<'_>) -> Vec<String> {
    let since = i.frame.since();
    i.facts
        .report_alerts
        .iter()
        .filter(|a| a.raised_on > since)
        .map(|a| format!("{}の月次報告（{}）", i.frame.agency(Some(a.agency_id)), a.text()))
        .collect()
}

/// A child who attends no institution and whom nobody outside the family has seen (no
/// contact with 目視確認, no sheet) for more than `triage.unseen_days` days before the meeting:
/// typically 未就園. A child at a school or nursery is seen there every day; its silence is the
/// missing sheet's rule. An expectant mother's case is about the mother.
fn unseen(i: &Inputs<'_>) -> Vec<String> {
    use crate::domain::contact;
    let c = i.case;
    if !i.cfg.triage.unseen_is_deep || !contact::has_child(c.registration) || c.affiliation.is_some() {
        return Vec::new();
    }
    let day = i.frame.first_day;
    let last = contact::last_sighting(i.facts.seen_contact, contact::newest_sheet(i.facts.sheets.iter().copied()));
    if !contact::unseen(last.map(|s| s.on), day, i.cfg.triage.unseen_days) {
        return Vec::new();
    }
    vec![contact::sighting_fact(last.as_ref(), day, |id| i.frame.agency(Some(id)))]
}

fn actions(i: &Inputs<'_>) -> Vec<String> {
    let day = i.frame.first_day;
    let mut out = Vec::new();
    for a in &i.facts.actions {
        let reviewed_earlier = a.reviewed_in.is_some() && a.reviewed_in != i.frame.previous.map(|p| p.0);
        if a.status == ActionStatus::NotDone && !reviewed_earlier {
            out.push(undone_action_reason(&a.what, &i.frame.agency(a.agency_id)));
        } else if a.status == ActionStatus::Open
            && let Some(due) = a.due
            && due < day
        {
            out.push(overdue_action_reason(&a.what, due, &i.frame.agency(a.agency_id)));
        }
    }
    out
}

/// 一時保護, 措置 and 児童福祉司指導: the 児相 measures that make a case a concern at once.
pub fn is_active_measure(c: CgcInvolvement) -> bool {
    matches!(c, CgcInvolvement::TemporaryCustody | CgcInvolvement::Placement | CgcInvolvement::Guidance)
}

/// The change of 児相 involvement since the last meeting, written out.
fn cgc_change(i: &Inputs<'_>) -> Option<String> {
    let before = i.facts.cgc_before.filter(|b| *b != i.case.cgc)?;
    let now = i.case.cgc;
    let what = match (before, now) {
        (_, CgcInvolvement::TemporaryCustody) => "一時保護",
        (_, CgcInvolvement::ReturnedHome) => "措置解除・家庭復帰",
        (CgcInvolvement::TemporaryCustody, _) => "一時保護解除",
        (_, CgcInvolvement::Placement) => "施設入所・里親委託",
        _ => "関与の変化",
    };
    Some(format!("児相の関与が「{}」から「{}」に変わった（{what}）", before.label(), now.label()))
}

fn cgc_stronger(i: &Inputs<'_>) -> Vec<String> {
    one(cgc_change(i).filter(|_| is_active_measure(i.case.cgc)))
}

fn cgc_other_change(i: &Inputs<'_>) -> Vec<String> {
    one(cgc_change(i).filter(|_| !is_active_measure(i.case.cgc)))
}

/// Under a measure since before the last meeting (a change to it is said by the rules above).
fn cgc_measure(i: &Inputs<'_>) -> Vec<String> {
    let c = i.case.cgc;
    let listed = i.cfg.triage.never_quick_cgc.iter().any(|code| code == c.code()) && cgc_change(i).is_none();
    one(listed.then(|| format!("児相の{}のため一括確認にしない", c.label())))
}

fn overdue_review(i: &Inputs<'_>) -> Vec<String> {
    let next = i.case.next_review.filter(|n| *n < i.frame.today);
    one(next.map(|n| format!("次回確認日（{n}）を過ぎている")))
}

fn pregnancy(i: &Inputs<'_>) -> Vec<String> {
    let (c, t, day) = (i.case, &i.cfg.triage, i.frame.first_day);
    let mut out = Vec::new();
    if c.registration != Registration::ExpectantMother {
        return out;
    }
    let weeks_then = i.frame.previous.and_then(|p| c.pregnancy_weeks_on(p.1));
    if let Some(w) = c.pregnancy_weeks_on(day)
        && (t.pregnancy_review_week..42).contains(&w)
        && weeks_then.is_none_or(|p| p < t.pregnancy_review_week)
    {
        out.push(format!("妊娠{w}週（{}週以降の再評価時期）", t.pregnancy_review_week));
    }
    if let Some(due) = c.due_date
        && due < i.frame.next_meeting
    {
        out.push(format!("出産予定日（{due}）が次回会議より前"));
    }
    out
}

fn transition(i: &Inputs<'_>) -> Vec<String> {
    one(school_transition(i.case, i.frame.first_day, i.cfg.triage.transition_days))
}

fn planned_move(i: &Inputs<'_>) -> Vec<String> {
    let on = i
        .facts
        .move_on
        .filter(|on| *on >= i.frame.today && (*on - i.frame.first_day).num_days() <= i.cfg.triage.transition_days);
    one(on.map(|on| format!("転居・転出予定（{on}）")))
}

fn discussion(i: &Inputs<'_>) -> Vec<String> {
    i.facts.discussion.iter().map(|r| format!("{}から協議の依頼: {}", i.frame.agency(r.agency_id), r.reason)).collect()
}

/// An institution answered 要協議 to the 事務局案 it was sent: it goes to 重点協議, saying who
/// asked and why.
fn discuss_reply(i: &Inputs<'_>) -> Vec<String> {
    i.facts.replies.iter().filter_map(|r| r.deep_reason(&i.frame.agency(Some(r.agency_id)))).collect()
}
