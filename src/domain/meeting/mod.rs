//! 会議: progress-management meetings, their sessions, agenda, attendance and decisions.

pub mod live;

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use super::Id;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MeetingKind {
    /// 進行管理会議・実務者会議
    Progress,
    /// 代表者会議
    Representatives,
    /// 個別ケース検討会議
    CaseConference,
}

impl MeetingKind {
    pub const ALL: [MeetingKind; 3] =
        [MeetingKind::Progress, MeetingKind::Representatives, MeetingKind::CaseConference];

    pub fn label(self) -> &'static str {
        match self {
            MeetingKind::Progress => "進行管理会議",
            MeetingKind::Representatives => "代表者会議",
            MeetingKind::CaseConference => "個別ケース検討会議",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            MeetingKind::Progress => "progress",
            MeetingKind::Representatives => "representatives",
            MeetingKind::CaseConference => "case_conference",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum MeetingStatus {
    /// 準備中
    #[default]
    Planned,
    /// 開催中
    InProgress,
    /// 終了 (decisions written into the ledger)
    Closed,
}

impl MeetingStatus {
    pub fn label(self) -> &'static str {
        match self {
            MeetingStatus::Planned => "準備中",
            MeetingStatus::InProgress => "開催中",
            MeetingStatus::Closed => "終了",
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            MeetingStatus::Planned => "planned",
            MeetingStatus::InProgress => "in_progress",
            MeetingStatus::Closed => "closed",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        [MeetingStatus::Planned, MeetingStatus::InProgress, MeetingStatus::Closed].into_iter().find(|k| k.code() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meeting {
    pub id: Id,
    pub kind: MeetingKind,
    pub title: String,
    pub place: String,
    /// 司会
    pub chair: String,
    /// 記録者
    pub recorder: String,
    pub status: MeetingStatus,
    /// The agenda item the meeting screen is on (resume after a crash).
    pub current_item: Option<Id>,
}

/// One sitting (日程・部会) of a meeting with its time budget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub id: Id,
    pub meeting_id: Id,
    pub label: String,
    pub date: NaiveDate,
    pub start: NaiveTime,
    pub end: NaiveTime,
    /// 部会 code from the configuration, if the session is one.
    pub section: Option<String>,
    pub position: i64,
}

/// The day an agenda item is discussed: its session's date, else the meeting's first day (its
/// earliest session), else `fallback` (a meeting not yet scheduled). Decisions, next-review
/// dates and closings are dated by it, from the screen and the commands alike.
pub fn item_date(item: &AgendaItem, sessions: &[Session], fallback: NaiveDate) -> NaiveDate {
    item.session_id
        .and_then(|id| sessions.iter().find(|s| s.id == id))
        .map(|s| s.date)
        .or_else(|| sessions.iter().map(|s| s.date).min())
        .unwrap_or(fallback)
}

/// Said when a meeting is closed before its first day: its closings are dated on the meeting
/// days (see [`item_date`]), so the ledger and the statistics count them from then.
pub fn closed_ahead_note(sessions: &[Session], today: NaiveDate) -> Option<String> {
    let first = sessions.iter().map(|s| s.date).min().filter(|d| *d > today)?;
    Some(format!(
        "注意: 開催日 {first} より前に閉会しました。決定と終結・移管は開催日の日付で台帳に記録され、年度統計には開催日から数えます"
    ))
}

impl Session {
    pub fn budget_minutes(&self) -> i64 {
        (self.end - self.start).num_minutes()
    }

    /// The time projections count from at `now`: the clock on the session's own day, its start
    /// on any other (rehearsing the agenda days before must not show an overrun).
    pub fn clock_time(&self, now: Option<chrono::NaiveDateTime>) -> NaiveTime {
        match now {
            Some(t) if t.date() == self.date => t.time(),
            _ => self.start,
        }
    }
}

/// 一括確認 (quick) or 重点協議 (deep).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Track {
    Quick,
    Deep,
}

impl Track {
    pub fn label(self) -> &'static str {
        match self {
            Track::Quick => "一括確認",
            Track::Deep => "重点協議",
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Track::Quick => "quick",
            Track::Deep => "deep",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "quick" => Some(Track::Quick),
            "deep" => Some(Track::Deep),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum ItemState {
    /// 未協議
    #[default]
    Pending,
    /// 協議済
    Done,
    /// 次回へ延期
    Deferred,
}

impl ItemState {
    pub fn label(self) -> &'static str {
        match self {
            ItemState::Pending => "未",
            ItemState::Done => "済",
            ItemState::Deferred => "延期",
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            ItemState::Pending => "pending",
            ItemState::Done => "done",
            ItemState::Deferred => "deferred",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        [ItemState::Pending, ItemState::Done, ItemState::Deferred].into_iter().find(|k| k.code() == s)
    }
}

/// 事務局案: the secretariat's proposed policy for a case, sent ahead for confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SecretariatDraft {
    /// 状況 as the secretariat summarises it.
    pub summary: String,
    /// Proposed 援助方針.
    pub policy: String,
    /// Proposed rank (None = unchanged).
    pub rank: Option<String>,
    pub next_review: Option<NaiveDate>,
    /// Proposed closing, with reason.
    pub close_reason: Option<String>,
    /// 終結理由区分 of the proposed closing (one of `closing.categories`), so a closing accepted
    /// as proposed is counted like one decided in discussion. Empty when none is proposed.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub close_category: String,
}

impl SecretariatDraft {
    /// Whether the draft proposes closing the case.
    pub fn closes(&self) -> bool {
        self.close_reason.as_ref().is_some_and(|r| !r.trim().is_empty())
    }

    /// A closing proposal needs one of the configured 終結理由区分 (`categories`); the Japanese
    /// refusal otherwise. One rule for the prep form, `agenda draft` and accepting the item.
    pub fn check_closing(&self, categories: &[String]) -> Result<(), String> {
        if self.closes() {
            crate::domain::config::check_closing_category(categories, &self.close_category)
                .map_err(|e| format!("終結案の{e}"))?;
        }
        Ok(())
    }
}

/// A question the secretariat addresses to an institution ahead of the meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub agency_id: Id,
    pub text: String,
}

/// One case (or a household block of siblings) on the agenda.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgendaItem {
    pub id: Id,
    pub meeting_id: Id,
    pub session_id: Option<Id>,
    pub case_id: Id,
    /// Items with the same block are kept together (siblings, household).
    pub block: i64,
    pub position: i64,
    pub track: Track,
    /// Why the item is on this track (Japanese sentences).
    pub reasons: Vec<String>,
    pub draft: SecretariatDraft,
    pub questions: Vec<Question>,
    /// Locked by the secretariat: re-planning does not move it.
    pub locked: bool,
    pub state: ItemState,
    /// Seconds spent on the item so far (timers survive a restart).
    pub elapsed_secs: i64,
}

#[cfg(test)]
impl AgendaItem {
    /// A pending item of case `id` (its own block) in `session`, for tests.
    pub fn pending(id: Id, track: Track, session: Id, block: i64) -> AgendaItem {
        AgendaItem {
            id,
            meeting_id: 1,
            session_id: Some(session),
            case_id: id,
            block,
            position: id,
            track,
            reasons: vec![],
            draft: SecretariatDraft::default(),
            questions: vec![],
            locked: false,
            state: ItemState::Pending,
            elapsed_secs: 0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DecisionKind {
    /// 継続
    Continue,
    /// 終結
    Close,
    /// 個別ケース検討会議を開催
    CaseConference,
    /// 児相へ送致・協議
    ReferToCgc,
    /// 主担当機関変更
    ChangeLead,
    /// 移管・転出
    Transfer,
    /// その他
    Other,
}

impl DecisionKind {
    pub const ALL: [DecisionKind; 7] = [
        DecisionKind::Continue,
        DecisionKind::Close,
        DecisionKind::CaseConference,
        DecisionKind::ReferToCgc,
        DecisionKind::ChangeLead,
        DecisionKind::Transfer,
        DecisionKind::Other,
    ];

    pub fn label(self) -> &'static str {
        match self {
            DecisionKind::Continue => "継続",
            DecisionKind::Close => "終結",
            DecisionKind::CaseConference => "個別ケース検討会議を開催",
            DecisionKind::ReferToCgc => "児相へ送致・協議",
            DecisionKind::ChangeLead => "主担当機関変更",
            DecisionKind::Transfer => "移管・転出",
            DecisionKind::Other => "その他",
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            DecisionKind::Continue => "continue",
            DecisionKind::Close => "close",
            DecisionKind::CaseConference => "case_conference",
            DecisionKind::ReferToCgc => "refer_cgc",
            DecisionKind::ChangeLead => "change_lead",
            DecisionKind::Transfer => "transfer",
            DecisionKind::Other => "other",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    /// 終結 and 移管: the case leaves the council, so it has no next review and no policy ahead.
    pub fn ends_support(self) -> bool {
        matches!(self, DecisionKind::Close | DecisionKind::Transfer)
    }
}

/// What the meeting decided for one case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub id: Id,
    pub meeting_id: Id,
    pub case_id: Id,
    pub agenda_item_id: Option<Id>,
    /// Confirmed as the 事務局案 proposed, in one keystroke.
    pub as_proposed: bool,
    /// 状況
    pub status_summary: String,
    pub rank_before: String,
    /// 評価 (rank after)
    pub rank_after: String,
    pub kind: DecisionKind,
    /// Reason when closing / transferring / other.
    pub reason: String,
    /// 終結理由区分 of a 終結/移管 (one of the configured `[closing] categories`); empty for
    /// other decisions and for a closing accepted as the 事務局案 proposed.
    #[serde(default)]
    pub category: String,
    /// 援助方針
    pub support_policy: String,
    pub next_review: Option<NaiveDate>,
    /// New lead agency when `kind` is ChangeLead.
    pub new_lead_agency: Option<Id>,
    pub notes: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AttendanceStatus {
    /// 出席
    Present,
    /// 欠席
    Apology,
    /// 欠席（情報提供あり）
    InfoSent,
    /// オブザーバー
    Observer,
}

impl AttendanceStatus {
    pub const ALL: [AttendanceStatus; 4] =
        [AttendanceStatus::Present, AttendanceStatus::Apology, AttendanceStatus::InfoSent, AttendanceStatus::Observer];
    pub fn label(self) -> &'static str {
        match self {
            AttendanceStatus::Present => "出席",
            AttendanceStatus::Apology => "欠席",
            AttendanceStatus::InfoSent => "欠席（情報提供あり）",
            AttendanceStatus::Observer => "オブザーバー",
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            AttendanceStatus::Present => "present",
            AttendanceStatus::Apology => "apology",
            AttendanceStatus::InfoSent => "info_sent",
            AttendanceStatus::Observer => "observer",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendance {
    pub meeting_id: Id,
    pub agency_id: Id,
    pub status: AttendanceStatus,
    /// 出席者名
    pub person: String,
    /// When information sent ahead was received.
    pub info_received_on: Option<NaiveDate>,
}
