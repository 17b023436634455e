//! 会議進行: the rules of running the meeting live. The order of its parts, where the walk
//! goes next, what accepting a 事務局案 means, what a deep item's record must hold, what a
//! decision does to the ledger, the timers against the budget and the re-plan of the rest.
//! Pure: the time of day and `today` are parameters.

use chrono::{Duration, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::domain::config::Budget;
use crate::domain::{
    ActionStatus, AgendaItem, AttendanceStatus, Case, Config, Decision, DecisionKind, Id, ItemState, Session, Track,
    wareki,
};

/// The parts of a meeting in the order they are run (as MARAC minutes do: attendance, then
/// the open actions of the last meeting, then the cases).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Phase {
    /// 出欠
    #[default]
    Attendance,
    /// 前回の役割分担の確認
    ActionReview,
    /// 議題（ケースの協議）
    Agenda,
}

impl Phase {
    pub const ALL: [Phase; 3] = [Phase::Attendance, Phase::ActionReview, Phase::Agenda];

    pub fn label(self) -> &'static str {
        match self {
            Phase::Attendance => "出欠",
            Phase::ActionReview => "前回の役割分担",
            Phase::Agenda => "ケース協議",
        }
    }

    pub fn next(self) -> Phase {
        match self {
            Phase::Attendance => Phase::ActionReview,
            _ => Phase::Agenda,
        }
    }

    pub fn prev(self) -> Phase {
        match self {
            Phase::Agenda => Phase::ActionReview,
            _ => Phase::Attendance,
        }
    }
}

/// Left/Right on an attendance row: 未記録 → 出席 → 欠席 → 情報提供 → オブザーバー.
pub fn cycle_attendance(current: Option<AttendanceStatus>, forward: bool) -> AttendanceStatus {
    let all = AttendanceStatus::ALL;
    let n = all.len();
    match current.and_then(|c| all.iter().position(|s| *s == c)) {
        None if forward => all[0],
        None => all[n - 1],
        Some(i) if forward => all[(i + 1) % n],
        Some(i) => all[(i + n - 1) % n],
    }
}

/// Left/Right on a reviewed action: 実施済 → 実施不可（状況変化） → 未実施 → 未確認.
pub fn cycle_action_status(current: ActionStatus, forward: bool) -> ActionStatus {
    let order = [ActionStatus::Open, ActionStatus::Done, ActionStatus::NotPossible, ActionStatus::NotDone];
    let i = order.iter().position(|s| *s == current).unwrap_or(0);
    let n = order.len();
    order[if forward { (i + 1) % n } else { (i + n - 1) % n }]
}

/// The first item still to discuss after `from` in agenda order, else the first one before it.
pub fn next_pending(items: &[AgendaItem], from: Option<Id>) -> Option<Id> {
    let start = from.and_then(|f| items.iter().position(|i| i.id == f)).map(|p| p + 1).unwrap_or(0);
    items[start.min(items.len())..]
        .iter()
        .chain(items[..start.min(items.len())].iter())
        .find(|i| i.state == ItemState::Pending && Some(i.id) != from)
        .map(|i| i.id)
}

/// Where the walk goes after `from` is settled (accepted, recorded or deferred): the next item
/// still to discuss in the same session. At a session's end it stays on `from`: the next
/// session starts when the facilitator moves on, not by itself.
pub fn walk_on(items: &[AgendaItem], from: Id) -> Option<Id> {
    let session = items.iter().find(|i| i.id == from).map(|i| i.session_id);
    let same: Vec<AgendaItem> = items.iter().filter(|i| Some(i.session_id) == session).cloned().collect();
    next_pending(&same, Some(from)).or(Some(from))
}

/// What the facilitator is told when the walk has stopped on a settled item: the session is
/// done (and which comes next), or the whole agenda is.
pub fn after_session(items: &[AgendaItem], sessions: &[Session], at: Id) -> Option<String> {
    let here = items.iter().find(|i| i.id == at)?;
    if here.state == ItemState::Pending {
        return None;
    }
    let pending = |i: &&AgendaItem| i.state == ItemState::Pending;
    if items.iter().filter(pending).any(|i| i.session_id == here.session_id) {
        return None;
    }
    let label =
        |id: Option<Id>| sessions.iter().find(|s| Some(s.id) == id).map(|s| s.label.clone()).unwrap_or_default();
    match items.iter().skip_while(|i| i.id != at).find(pending).or_else(|| items.iter().find(pending)) {
        Some(next) => Some(format!(
            "「{}」の議題はすべて終わりました。次は「{}」です（Down で進む）",
            label(here.session_id),
            label(next.session_id)
        )),
        None => Some("すべての議題が終わりました。F12 で会議を終了して台帳に反映します".into()),
    }
}

impl AgendaItem {
    /// Moved to 重点協議 during the meeting; the reason says so.
    pub fn move_to_deep(&mut self) {
        if self.track != Track::Deep {
            self.track = Track::Deep;
            self.reasons.push("会議中に重点協議へ変更".into());
        }
    }

    /// 次回へ延期.
    pub fn defer(&mut self) {
        self.state = ItemState::Deferred;
    }

    /// 再協議: back to the items still to discuss (its decision stays until recorded again).
    pub fn revisit(&mut self) {
        self.state = ItemState::Pending;
    }
}

/// Next review: the rank's interval from the meeting day, on a business day.
pub fn proposed_next_review(config: &Config, case: &Case, rank: &str, from: NaiveDate) -> NaiveDate {
    config.rank_scheme(case.registration).next_review(rank, from, &config.business_calendar())
}

/// 事務局案どおり: the decision a quick item gets in one keystroke.
pub fn accept_as_proposed(meeting_id: Id, item: &AgendaItem, case: &Case, config: &Config, on: NaiveDate) -> Decision {
    let d = &item.draft;
    let rank = d.rank.clone().filter(|r| !r.is_empty()).unwrap_or_else(|| case.rank.clone());
    let closing = d.close_reason.as_ref().filter(|r| !r.trim().is_empty());
    let policy = if d.policy.trim().is_empty() { case.support_policy.clone() } else { d.policy.clone() };
    Decision {
        id: 0,
        meeting_id,
        case_id: case.id,
        agenda_item_id: Some(item.id),
        as_proposed: true,
        status_summary: d.summary.clone(),
        rank_before: case.rank.clone(),
        kind: if closing.is_some() { DecisionKind::Close } else { DecisionKind::Continue },
        reason: closing.cloned().unwrap_or_default(),
        // Checked against the configuration when the item is accepted (`Store::accept_item`).
        category: if closing.is_some() { d.close_category.trim().to_string() } else { String::new() },
        support_policy: policy,
        next_review: if closing.is_some() {
            None
        } else {
            // A draft date on a closed day is moved like a decided one (`DeepForm::check`).
            Some(
                d.next_review
                    .map(|n| config.business_calendar().on_or_after(n))
                    .unwrap_or_else(|| proposed_next_review(config, case, &rank, on)),
            )
        },
        rank_after: rank,
        new_lead_agency: None,
        notes: String::new(),
    }
}

/// What accepting an item as proposed changes beyond "continue as before": the facilitator sees
/// it beside the item before pressing Enter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProposedChange {
    /// The draft proposes closing the case.
    Closes,
    /// The draft changes the rank (to this code).
    Rank(String),
    /// The draft sets a next review by hand instead of the rank's interval.
    Review(NaiveDate),
}

impl ProposedChange {
    /// One character for the agenda list.
    pub fn mark(&self) -> &'static str {
        match self {
            ProposedChange::Closes => "終",
            ProposedChange::Rank(_) => "変",
            ProposedChange::Review(_) => "日",
        }
    }

    pub fn describe(&self) -> String {
        match self {
            ProposedChange::Closes => "承認すると終結します".into(),
            ProposedChange::Rank(r) => format!("承認するとランクが {r} になります"),
            ProposedChange::Review(d) => format!("承認すると次回確認日は {d} です（ランクの間隔ではありません）"),
        }
    }
}

/// The most telling change accepting `item` as proposed on `on` makes to `case` (closing
/// first); a review date is only a change when it is not what the rank's interval gives.
pub fn proposed_change(item: &AgendaItem, case: &Case, config: &Config, on: NaiveDate) -> Option<ProposedChange> {
    let d = &item.draft;
    if d.close_reason.as_ref().is_some_and(|r| !r.trim().is_empty()) {
        return Some(ProposedChange::Closes);
    }
    if let Some(r) = d.rank.as_ref().filter(|r| !r.is_empty() && **r != case.rank) {
        return Some(ProposedChange::Rank(r.clone()));
    }
    d.next_review.filter(|n| *n != proposed_next_review(config, case, &case.rank, on)).map(ProposedChange::Review)
}

/// What closing the meeting will write into the ledger, told before the second F12.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClosePreview {
    /// Cases closed or transferred.
    pub ending: usize,
    pub rank_changes: usize,
    /// Cases getting a next review date.
    pub reviews: usize,
    /// 役割分担 recorded in this meeting.
    pub actions: usize,
    /// Items not discussed (deferred to the next meeting).
    pub deferred: usize,
}

impl ClosePreview {
    pub fn of(decisions: &[&Decision], actions: usize, pending: usize) -> ClosePreview {
        let ends = |d: &&&Decision| matches!(d.kind, DecisionKind::Close | DecisionKind::Transfer);
        ClosePreview {
            ending: decisions.iter().filter(ends).count(),
            rank_changes: decisions.iter().filter(|d| d.rank_after != d.rank_before).count(),
            reviews: decisions.iter().filter(|d| d.next_review.is_some()).count(),
            actions,
            deferred: pending,
        }
    }

    pub fn describe(&self) -> String {
        format!(
            "終結・移管 {}件、ランク変更 {}件、次回確認日 {}件、役割分担 {}件、次回へ延期 {}件",
            self.ending, self.rank_changes, self.reviews, self.actions, self.deferred
        )
    }
}

/// What a saved draft (typing not yet recorded, kept through a crash) belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DraftKey {
    /// The attendance form of an agency.
    Attendance(Id),
    /// The review note of an earlier meeting's action.
    ActionReview(Id),
    /// The deep record of an agenda item.
    Item(Id),
}

impl DraftKey {
    /// As stored: `attend:ID`, `action:ID`, `item:ID`.
    pub fn code(self) -> String {
        match self {
            DraftKey::Attendance(id) => format!("attend:{id}"),
            DraftKey::ActionReview(id) => format!("action:{id}"),
            DraftKey::Item(id) => format!("item:{id}"),
        }
    }

    pub fn from_code(code: &str) -> Option<DraftKey> {
        let (kind, id) = code.split_once(':')?;
        let id: Id = id.parse().ok()?;
        match kind {
            "attend" => Some(DraftKey::Attendance(id)),
            "action" => Some(DraftKey::ActionReview(id)),
            "item" => Some(DraftKey::Item(id)),
            _ => None,
        }
    }
}

/// The deep item's record as typed (raw text per field), saved on every change so nothing
/// typed is lost, and checked only when the item is recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct DeepForm {
    /// 状況
    pub summary: String,
    /// 評価（ランク）
    pub rank: String,
    /// 決定（label or code of a DecisionKind）
    pub kind: String,
    /// 終結・送致などの理由
    pub reason: String,
    /// 終結理由区分（終結・移管のとき）
    pub category: String,
    /// 新しい主担当機関
    pub new_lead: String,
    /// 援助方針
    pub policy: String,
    /// 役割分担: one per line, 「機関／担当者／内容／期限」
    pub actions: String,
    /// 次回確認日
    pub next_review: String,
    /// メモ
    pub notes: String,
}

/// One 役割分担 line of a deep item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionLine {
    pub agency: String,
    pub owner: String,
    pub what: String,
    pub due: Option<NaiveDate>,
}

/// A deep item's record, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeepRecord {
    pub summary: String,
    pub rank: String,
    pub kind: DecisionKind,
    pub reason: String,
    /// 終結理由区分 of a 終結/移管 (checked against the configuration); else empty.
    #[serde(default)]
    pub category: String,
    /// Agency name of the new lead (主担当機関変更).
    pub new_lead: Option<String>,
    pub policy: String,
    pub actions: Vec<ActionLine>,
    pub next_review: Option<NaiveDate>,
    /// Said to the user when the next review asked for fell on a closed day and was moved.
    #[serde(default)]
    pub review_moved: Option<String>,
    pub notes: String,
    /// Agency names that fit no registered agency are registered as new ones (asked first);
    /// otherwise they are refused.
    pub new_agencies: bool,
}

fn date_text(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y/%m/%d").to_string()).unwrap_or_default()
}

/// Separators accepted between the parts of a 役割分担 line.
const ACTION_SEPARATORS: [char; 3] = ['／', '/', '|'];

impl DeepForm {
    /// Starts from the 事務局案: what accepting it as proposed would record (one rule with
    /// [`accept_as_proposed`]), so a closing draft opens as 終結 with its reason.
    pub fn from_item(item: &AgendaItem, case: &Case, config: &Config, on: NaiveDate) -> DeepForm {
        let proposed = accept_as_proposed(item.meeting_id, item, case, config, on);
        DeepForm::from_decision(&proposed, &[], None)
    }

    /// A decision that continues support needs a next review: when none is set (the form
    /// started from a closing draft), the rank's proposal is put in.
    pub fn propose_review_when_continuing(&mut self, config: &Config, case: &Case, on: NaiveDate) {
        let ends = [DecisionKind::Close, DecisionKind::Transfer].iter().any(|k| k.label() == self.kind.trim());
        if !ends && self.next_review.trim().is_empty() {
            self.next_review = date_text(Some(proposed_next_review(config, case, &self.rank, on)));
        }
    }

    /// Re-opens a recorded decision with its actions.
    pub fn from_decision(d: &Decision, actions: &[ActionLine], new_lead: Option<String>) -> DeepForm {
        DeepForm {
            summary: d.status_summary.clone(),
            rank: d.rank_after.clone(),
            kind: d.kind.label().into(),
            reason: d.reason.clone(),
            category: d.category.clone(),
            new_lead: new_lead.unwrap_or_default(),
            policy: d.support_policy.clone(),
            actions: actions
                .iter()
                .map(|a| format!("{}／{}／{}／{}", a.agency, a.owner, a.what, date_text(a.due)))
                .collect::<Vec<_>>()
                .join("\n"),
            next_review: date_text(d.next_review),
            notes: d.notes.clone(),
        }
    }

    /// Checks the form. Messages are Japanese and name the field (and the line of 役割分担).
    /// Dates without a year are the ones nearest to `near` (the meeting day).
    pub fn check(&self, config: &Config, case: &Case, near: NaiveDate) -> Result<DeepRecord, String> {
        let kind = DecisionKind::ALL
            .into_iter()
            .find(|k| k.label() == self.kind.trim() || k.code() == self.kind.trim())
            .ok_or_else(|| format!("決定: 「{}」は選べる決定にありません", self.kind))?;
        let rank = self.rank.trim().to_string();
        if config.rank_scheme(case.registration).get(&rank).is_none() {
            return Err(format!("評価（ランク）: 「{rank}」は{}のランクにありません", case.registration.label()));
        }
        let reason = self.reason.trim().to_string();
        if matches!(kind, DecisionKind::Close | DecisionKind::Transfer) && reason.is_empty() {
            return Err(format!("理由: {}には理由が必要です", kind.label()));
        }
        let category = if kind.ends_support() {
            crate::domain::config::check_closing_category(&config.closing.categories, &self.category)?.to_string()
        } else {
            String::new()
        };
        let new_lead = Some(self.new_lead.trim().to_string()).filter(|s| !s.is_empty());
        if kind == DecisionKind::ChangeLead && new_lead.is_none() {
            return Err("新しい主担当機関: 主担当機関変更には新しい機関名が必要です".into());
        }
        let next_review = match self.next_review.trim() {
            "" => None,
            t => Some(wareki::parse_date_near(t, near).map_err(|e| format!("次回確認日: {e}"))?),
        };
        if next_review.is_none() && !matches!(kind, DecisionKind::Close | DecisionKind::Transfer) {
            return Err("次回確認日: 継続するケースには次回確認日が必要です".into());
        }
        let review = next_review.map(|d| config.business_calendar().review_day(d));
        Ok(DeepRecord {
            summary: self.summary.trim_end().to_string(),
            rank,
            kind,
            reason,
            category,
            new_lead,
            policy: self.policy.trim_end().to_string(),
            actions: parse_action_lines(&self.actions, near)?,
            next_review: review.as_ref().map(|r| r.date),
            review_moved: review.and_then(|r| r.note()),
            notes: self.notes.trim_end().to_string(),
            new_agencies: false,
        })
    }
}

/// 役割分担: one action per line, 「機関／担当者／内容／期限」 (期限 optional). Empty lines are
/// skipped; a bad line is named by its number.
pub fn parse_action_lines(text: &str, near: NaiveDate) -> Result<Vec<ActionLine>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        // The fourth part is the date, which may itself hold slashes (2027/1/15).
        let parts: Vec<&str> = line.splitn(4, ACTION_SEPARATORS).map(str::trim).collect();
        let at = |msg: &str| format!("役割分担 {}行目: {msg}", n + 1);
        if parts.len() < 3 {
            return Err(at("「機関／担当者／内容／期限」の形で書いてください"));
        }
        if parts[0].is_empty() {
            return Err(at("機関が空です"));
        }
        if parts[2].is_empty() {
            return Err(at("内容が空です"));
        }
        let due = match parts.get(3).copied().unwrap_or("") {
            "" => None,
            t => Some(wareki::parse_date_near(t, near).map_err(|e| at(&format!("期限: {e}")))?),
        };
        out.push(ActionLine { agency: parts[0].into(), owner: parts[1].into(), what: parts[2].into(), due });
    }
    Ok(out)
}

/// The decision a checked deep record makes (the new lead's id is resolved by the store).
pub fn decision_from_record(
    meeting_id: Id,
    item: &AgendaItem,
    case: &Case,
    rec: &DeepRecord,
    new_lead_agency: Option<Id>,
) -> Decision {
    Decision {
        id: 0,
        meeting_id,
        case_id: case.id,
        agenda_item_id: Some(item.id),
        as_proposed: false,
        status_summary: rec.summary.clone(),
        rank_before: case.rank.clone(),
        rank_after: rec.rank.clone(),
        kind: rec.kind,
        reason: rec.reason.clone(),
        category: if rec.kind.ends_support() { rec.category.trim().to_string() } else { String::new() },
        support_policy: rec.policy.clone(),
        next_review: rec.next_review,
        new_lead_agency: if rec.kind == DecisionKind::ChangeLead { new_lead_agency } else { None },
        notes: rec.notes.clone(),
    }
}

/// What closing the meeting does to one case: the case with rank, 援助方針, review dates and
/// lead updated, and the closing (終結/移管 with reason) if the meeting decided one.
pub fn apply_decision(case: &Case, d: &Decision, on: NaiveDate) -> (Case, Option<(crate::domain::CaseStatus, String)>) {
    let mut c = case.clone();
    if !d.rank_after.is_empty() {
        c.rank = d.rank_after.clone();
    }
    if !d.support_policy.trim().is_empty() {
        c.support_policy = d.support_policy.clone();
    }
    c.last_review = Some(on);
    if d.next_review.is_some() {
        c.next_review = d.next_review;
    }
    if d.kind == DecisionKind::ChangeLead && d.new_lead_agency.is_some() {
        c.lead_agency = d.new_lead_agency;
    }
    let closing = match d.kind {
        DecisionKind::Close => Some((crate::domain::CaseStatus::Closed, d.reason.clone())),
        DecisionKind::Transfer => Some((crate::domain::CaseStatus::Transferred, d.reason.clone())),
        _ => None,
    };
    (c, closing)
}

/// The fields a meeting decides (rank, 援助方針, next review, lead), as a case had them.
/// Stored with each decision as what it saw, so closing the meeting applies only what the
/// meeting changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecidedFields {
    pub rank: String,
    pub support_policy: String,
    pub next_review: Option<NaiveDate>,
    pub lead_agency: Option<Id>,
}

impl DecidedFields {
    pub fn of(c: &Case) -> Self {
        DecidedFields {
            rank: c.rank.clone(),
            support_policy: c.support_policy.clone(),
            next_review: c.next_review,
            lead_agency: c.lead_agency,
        }
    }
}

/// Labels of the decided fields, as conflicts name them.
pub const RANK: &str = "ランク";
pub const POLICY: &str = "援助方針";
pub const NEXT_REVIEW: &str = "次回確認日";
pub const LEAD: &str = "主担当機関";

/// [`apply_decision`] relative to what the decision saw: a field the decision changed is set
/// on the case as it is now, unless the ledger changed that field meanwhile to another value;
/// then the ledger's value stays and the field is returned as a conflict. A field the meeting
/// left as it saw it is not touched, so an edit made meanwhile stays.
pub fn apply_decision_since(
    case: &Case,
    seen: &DecidedFields,
    d: &Decision,
    on: NaiveDate,
) -> (Case, Option<(crate::domain::CaseStatus, String)>, Vec<&'static str>) {
    let mut before = case.clone();
    before.rank = seen.rank.clone();
    before.support_policy = seen.support_policy.clone();
    before.next_review = seen.next_review;
    before.lead_agency = seen.lead_agency;
    let (decided, closing) = apply_decision(&before, d, on);
    let mut c = case.clone();
    c.last_review = decided.last_review;
    let mut conflicts = Vec::new();
    fn merge<T: PartialEq + Clone>(
        now: &mut T,
        seen: &T,
        decided: &T,
        label: &'static str,
        out: &mut Vec<&'static str>,
    ) {
        if decided == seen || now == decided {
            return;
        }
        if now == seen {
            *now = decided.clone();
        } else {
            out.push(label);
        }
    }
    merge(&mut c.rank, &seen.rank, &decided.rank, RANK, &mut conflicts);
    merge(&mut c.support_policy, &seen.support_policy, &decided.support_policy, POLICY, &mut conflicts);
    merge(&mut c.next_review, &seen.next_review, &decided.next_review, NEXT_REVIEW, &mut conflicts);
    merge(&mut c.lead_agency, &seen.lead_agency, &decided.lead_agency, LEAD, &mut conflicts);
    (c, closing, conflicts)
}

/// Seconds budgeted for one item of `track`.
pub fn item_budget_secs(track: Track, budget: &Budget) -> i64 {
    let minutes = match track {
        Track::Quick => budget.quick_minutes,
        Track::Deep => budget.deep_minutes,
    };
    (minutes * 60.0).round() as i64
}

/// A session's time against its budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionClock {
    /// Seconds spent on the session's items so far.
    pub spent_secs: i64,
    /// Seconds the items still to discuss are expected to take.
    pub remaining_secs: i64,
    /// When the session is expected to end at this pace.
    pub projected_end: NaiveTime,
    /// When it is planned to end.
    pub end: NaiveTime,
}

impl SessionClock {
    /// Seconds the session is expected to run over (0 when on time).
    pub fn overrun_secs(&self) -> i64 {
        (self.projected_end - self.end).num_seconds().max(0)
    }
}

/// The clock of `session` at `now`: every item still pending counts its budget, less what the
/// current one has already used.
pub fn session_clock(session: &Session, items: &[AgendaItem], budget: &Budget, now: NaiveTime) -> SessionClock {
    let mine = items.iter().filter(|i| i.session_id == Some(session.id));
    let (mut spent, mut remaining) = (0, 0);
    for i in mine {
        spent += i.elapsed_secs;
        if i.state == ItemState::Pending {
            remaining += (item_budget_secs(i.track, budget) - i.elapsed_secs).max(0);
        }
    }
    let base = now.max(session.start);
    let (projected_end, _) = base.overflowing_add_signed(Duration::seconds(remaining));
    // Past midnight the clock would wrap; a session never runs that long.
    let projected_end =
        if projected_end < base { NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(base) } else { projected_end };
    SessionClock { spent_secs: spent, remaining_secs: remaining, projected_end, end: session.end }
}

/// One item moved by the re-plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Move {
    pub item_id: Id,
    pub to_session: Id,
    /// Where in the session; None: after its last item.
    pub position: Option<i64>,
}

/// The moves that put `moves`' items back where they are in `items` (undoing a re-plan).
pub fn moves_back(items: &[AgendaItem], moves: &[Move]) -> Vec<Move> {
    moves
        .iter()
        .filter_map(|m| items.iter().find(|i| i.id == m.item_id))
        .filter_map(|i| Some(Move { item_id: i.id, to_session: i.session_id?, position: Some(i.position) }))
        .collect()
}

/// Re-plans an overrunning session: moves its least urgent deep items still to discuss to the
/// next session of the same 部会, whole household blocks at a time, until the session fits.
/// Locked items, the current item and blocks holding either stay. `urgency` ranks items
/// (higher = more urgent; e.g. from the rank and the reasons).
pub fn replan(
    items: &[AgendaItem],
    sessions: &[Session],
    session_id: Id,
    current: Option<Id>,
    budget: &Budget,
    now: NaiveTime,
    urgency: impl Fn(&AgendaItem) -> i64,
) -> Vec<Move> {
    let Some(pos) = sessions.iter().position(|s| s.id == session_id) else { return vec![] };
    let session = &sessions[pos];
    let Some(target) = sessions[pos + 1..].iter().find(|s| session.section.is_none() || s.section == session.section)
    else {
        return vec![];
    };
    let here: Vec<&AgendaItem> = items.iter().filter(|i| i.session_id == Some(session_id)).collect();
    // Blocks in the order first met, each found by its number rather than searched for.
    let mut blocks: Vec<(i64, Vec<&AgendaItem>)> = Vec::new();
    let mut block_at: std::collections::HashMap<i64, usize> = std::collections::HashMap::new();
    for i in &here {
        let at = *block_at.entry(i.block).or_insert_with(|| {
            blocks.push((i.block, Vec::new()));
            blocks.len() - 1
        });
        blocks[at].1.push(i);
    }
    let movable = |v: &[&AgendaItem]| {
        v.iter().all(|i| i.state != ItemState::Done && !i.locked && Some(i.id) != current)
            && v.iter().any(|i| i.state == ItemState::Pending && i.track == Track::Deep)
    };
    let mut candidates: Vec<&Vec<&AgendaItem>> = blocks.iter().map(|(_, v)| v).filter(|v| movable(v)).collect();
    // Least urgent first; among equals the one latest on the agenda.
    candidates.sort_by_key(|v| {
        let u = v.iter().map(|i| urgency(i)).max().unwrap_or(0);
        let last = v.iter().map(|i| i.position).max().unwrap_or(0);
        (u, std::cmp::Reverse(last))
    });
    let mut left: Vec<AgendaItem> = here.iter().map(|i| (*i).clone()).collect();
    let mut moves = Vec::new();
    for block in candidates {
        if session_clock(session, &left, budget, now).overrun_secs() == 0 {
            break;
        }
        for i in block {
            left.retain(|x| x.id != i.id);
            moves.push(Move { item_id: i.id, to_session: target.id, position: None });
        }
    }
    moves
}

/// `mm:ss`, or `h:mm:ss` from an hour.
pub fn clock_text(secs: i64) -> String {
    let s = secs.max(0);
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{:02}:{:02}", s / 60, s % 60)
    }
}

#[cfg(test)]
mod tests;

/// An item's reasons as they stand during the meeting: a reason about an earlier action that
/// this meeting has since reviewed says what the review found (the agenda was built before).
pub fn reasons_now(
    reasons: &[String],
    reviewed: &[crate::domain::Action],
    meeting_id: Id,
    agency: impl Fn(Option<Id>) -> String,
) -> Vec<String> {
    use crate::domain::triage::{overdue_action_reason, undone_action_reason};
    reasons
        .iter()
        .map(|r| {
            let found = reviewed.iter().filter(|a| a.reviewed_in == Some(meeting_id)).find(|a| {
                let name = agency(a.agency_id);
                *r == undone_action_reason(&a.what, &name)
                    || a.due.is_some_and(|due| *r == overdue_action_reason(&a.what, due, &name))
            });
            match found {
                Some(a) => format!("{r} → この会議で確認: {}", a.status.label()),
                None => r.clone(),
            }
        })
        .collect()
}
