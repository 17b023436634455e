//! 役割分担: an action agreed in a meeting, owned by an agency and a person, due on a date.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Id;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum ActionStatus {
    /// 未確認 (open)
    #[default]
    Open,
    /// 実施済
    Done,
    /// 実施不可（状況の変化）
    NotPossible,
    /// 未実施
    NotDone,
}

impl ActionStatus {
    pub const ALL: [ActionStatus; 4] =
        [ActionStatus::Open, ActionStatus::Done, ActionStatus::NotPossible, ActionStatus::NotDone];

    pub fn label(self) -> &'static str {
        match self {
            ActionStatus::Open => "未確認",
            ActionStatus::Done => "実施済",
            ActionStatus::NotPossible => "実施不可（状況変化）",
            ActionStatus::NotDone => "未実施",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            ActionStatus::Open => "open",
            ActionStatus::Done => "done",
            ActionStatus::NotPossible => "not_possible",
            ActionStatus::NotDone => "not_done",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    pub id: Id,
    pub case_id: Id,
    /// The meeting that agreed it.
    pub meeting_id: Option<Id>,
    pub agency_id: Option<Id>,
    /// 担当者
    pub owner: String,
    /// 内容
    pub what: String,
    pub due: Option<NaiveDate>,
    pub status: ActionStatus,
    /// Note from the review (why not possible, what happened).
    pub review_note: String,
    /// The meeting where it was reviewed.
    pub reviewed_in: Option<Id>,
}

impl Action {
    /// Its review in meeting `meeting_id`: the status found and why; set back to open, it
    /// counts as not reviewed.
    pub fn review(&mut self, status: ActionStatus, note: &str, meeting_id: Id) {
        self.status = status;
        self.review_note = note.trim().to_string();
        self.reviewed_in = if status == ActionStatus::Open { None } else { Some(meeting_id) };
    }

    pub fn is_open(&self) -> bool {
        self.status == ActionStatus::Open
    }

    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.is_open() && self.due.is_some_and(|d| d < today)
    }
}
