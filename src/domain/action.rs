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
    /// 実施日: the day it was actually done, as the review said (only with [`ActionStatus::Done`]).
    #[serde(default)]
    pub done_on: Option<NaiveDate>,
}

impl Action {
    /// Its review in meeting `meeting_id`: the status found and why; set back to open, it
    /// counts as not reviewed.
    pub fn review(&mut self, status: ActionStatus, note: &str, done_on: Option<NaiveDate>, meeting_id: Id) {
        self.status = status;
        self.review_note = note.trim().to_string();
        self.reviewed_in = if status == ActionStatus::Open { None } else { Some(meeting_id) };
        self.done_on = if status == ActionStatus::Done { done_on } else { None };
    }

    /// Whether `done_on` may be the 実施日 of a review with outcome `status`: only 実施済 has
    /// one, not after `today`, not before `agreed_on` (the first day of the meeting that agreed
    /// the action). The reason when not, in Japanese.
    pub fn check_done_on(
        status: ActionStatus,
        done_on: Option<NaiveDate>,
        agreed_on: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<(), String> {
        let Some(day) = done_on else { return Ok(()) };
        if status != ActionStatus::Done {
            return Err(format!(
                "実施日は結果が「{}」のときだけ記入します（今は「{}」）",
                ActionStatus::Done.label(),
                status.label()
            ));
        }
        if day > today {
            return Err(format!("実施日 {day} は今日（{today}）より後です"));
        }
        if let Some(agreed) = agreed_on.filter(|a| day < *a) {
            return Err(format!("実施日 {day} はこの役割分担を決めた会議（{agreed}）より前です"));
        }
        Ok(())
    }

    /// The day it counts as done: its 実施日 when the review gave one, else `recorded` (the day
    /// it was recorded done). `None` unless it is done.
    pub fn done_day(&self, recorded: Option<NaiveDate>) -> Option<NaiveDate> {
        (self.status == ActionStatus::Done).then(|| self.done_on.or(recorded)).flatten()
    }

    /// Whether it was done by its due date (on the day of [`Action::done_day`]); done with no day
    /// known or no due date counts as on time.
    pub fn done_on_time(&self, recorded: Option<NaiveDate>) -> bool {
        self.status == ActionStatus::Done
            && match (self.done_day(recorded), self.due) {
                (Some(day), Some(due)) => day <= due,
                _ => true,
            }
    }

    pub fn is_open(&self) -> bool {
        self.status == ActionStatus::Open
    }

    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.is_open() && self.due.is_some_and(|d| d < today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_done_date_is_checked_against_outcome_today_and_the_meeting() {
        let today = d(2026, 11, 24);
        let agreed = Some(d(2026, 10, 20));
        let ok = |s, on| Action::check_done_on(s, on, agreed, today);
        assert!(ok(ActionStatus::Done, Some(d(2026, 11, 2))).is_ok());
        assert!(ok(ActionStatus::Done, Some(today)).is_ok());
        assert!(ok(ActionStatus::Done, agreed).is_ok(), "done on the meeting day itself");
        assert!(ok(ActionStatus::NotDone, None).is_ok());
        let future = ok(ActionStatus::Done, Some(d(2026, 11, 25))).unwrap_err();
        assert!(future.contains("今日"), "{future}");
        let before = ok(ActionStatus::Done, Some(d(2026, 10, 19))).unwrap_err();
        assert!(before.contains("会議"), "{before}");
        let not_done = ok(ActionStatus::NotPossible, Some(d(2026, 11, 2))).unwrap_err();
        assert!(not_done.contains("実施済"), "{not_done}");
        assert!(ok(ActionStatus::Open, Some(d(2026, 11, 2))).is_err());
    }

    #[test]
    fn the_done_day_prefers_the_done_date_and_only_for_done() {
        let mut a = Action {
            id: 1,
            case_id: 1,
            meeting_id: Some(1),
            agency_id: None,
            owner: String::new(),
            what: "家庭訪問".into(),
            due: Some(d(2026, 10, 31)),
            status: ActionStatus::Done,
            review_note: String::new(),
            reviewed_in: Some(2),
            done_on: Some(d(2026, 10, 28)),
        };
        let recorded = Some(d(2026, 11, 24));
        assert_eq!(a.done_day(recorded), Some(d(2026, 10, 28)));
        assert!(a.done_on_time(recorded));
        a.done_on = None;
        assert_eq!(a.done_day(recorded), recorded);
        assert!(!a.done_on_time(recorded), "reviewed after the due date with no 実施日: late");
        a.review(ActionStatus::NotDone, "", Some(d(2026, 10, 28)), 2);
        assert_eq!((a.done_on, a.done_day(recorded)), (None, None));
        assert!(!a.done_on_time(recorded));
    }
}
