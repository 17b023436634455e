//! 会議進行: the live meeting screen's state, messages, effects and pure update. The meeting
//! is run in three parts (出欠 → 前回の役割分担 → ケース協議); every change goes out as an
//! effect and is stored at once, what is typed in a form is saved as a draft on every change,
//! and time only comes in through [`MeetingMsg::Tick`], so this stays testable without a clock.

pub mod forms;
pub mod io;
pub mod view;

use chrono::{NaiveDate, NaiveDateTime};
use ratatui::crossterm::event::KeyEvent;

use super::confirm::Confirmable;
use super::keymap::{Command, Mode};
use super::screen::{Ctx, Out};
use crate::domain::meeting::live::{self, ActionLine, DeepForm, DeepRecord, DraftKey, Move, Phase};
use crate::domain::sheet_merge::MergedSheets;
use crate::domain::{
    Action, ActionStatus, Agency, AgendaItem, Attendance, AttendanceStatus, Case, Config, Decision, Id, ItemState,
    Meeting, MeetingStatus, Session, Track,
};
pub use forms::{MeetingField, MeetingForm, MeetingFormKind};
pub use update::{QUIT_WHILE_RUNNING, enter, unlock_on_key, update};

/// What the meeting screen is told.
#[derive(Debug, Clone)]
pub enum MeetingMsg {
    Key(Option<Command>, KeyEvent),
    Paste(String),
    /// The clock, once a second from the runtime (timers, heartbeat, idle lock).
    Tick(NaiveDateTime),
    /// The screen's data, (re)loaded; None when there is no meeting to run.
    Loaded(Option<Box<MeetingData>>),
    /// A change was stored; the message goes to the status line. `reload` when the screen's
    /// copy cannot follow the change by itself (decisions recorded, items moved).
    Saved {
        message: String,
        reload: bool,
    },
    /// The store asks for a yes before going on (a typed agency is not registered).
    AskAgain(String),
    /// An effect failed; the message is Japanese and holds no personal data.
    Failed(String),
}

/// One agenda item with everything the screen shows for it.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemView {
    pub item: AgendaItem,
    pub case: Case,
    pub merged: MergedSheets,
    /// Decisions about the case in earlier meetings, newest last.
    pub history: Vec<Decision>,
    /// The decision recorded in this meeting, if any.
    pub decision: Option<Decision>,
    /// 役割分担 recorded for the case in this meeting.
    pub actions: Vec<ActionLine>,
    /// Name of the new lead when the decision changes it.
    pub new_lead: Option<String>,
    /// Institutions' replies to its 事務局案 (事前確認の結果).
    pub replies: Vec<crate::domain::reply::Reply>,
    /// 経過記録 since the previous meeting.
    pub contacts: crate::domain::contact::ContactSummary,
    /// 月次報告 since the previous meeting's month, oldest first.
    pub reports: Vec<crate::domain::attendance::MonthlyReport>,
}

/// An institution expected at (or recorded in) the meeting.
#[derive(Debug, Clone, PartialEq)]
pub struct AttendanceRow {
    pub agency: Agency,
    pub record: Option<Attendance>,
}

/// An action of an earlier meeting to review.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewRow {
    pub action: Action,
    pub case_number: String,
    pub case_name: String,
    pub case_kana: String,
}

/// What the meeting screen shows, loaded in one go.
#[derive(Debug, Clone, PartialEq)]
pub struct MeetingData {
    pub meeting: Meeting,
    pub sessions: Vec<Session>,
    pub items: Vec<ItemView>,
    pub attendance: Vec<AttendanceRow>,
    pub reviews: Vec<ReviewRow>,
    /// (key, body) of what was being typed.
    pub drafts: Vec<(DraftKey, String)>,
    /// Set when another shinko runs this meeting: the screen is read-only.
    pub read_only: Option<String>,
    pub agencies: Vec<Agency>,
}

/// Store work the meeting screen asks for (run by `meeting::io`).
#[derive(Debug, Clone, PartialEq)]
pub enum MeetingEffect {
    /// 経過記録 on the case being discussed, checked by the store against `today`.
    AddContact {
        contact: Box<crate::store::contacts::NewContact>,
        number: String,
        today: NaiveDate,
    },
    /// Finds the meeting to run (or `id`), takes its lease when it is running.
    Load {
        id: Option<Id>,
        today: NaiveDate,
        take_lease: bool,
    },
    Start {
        id: Id,
    },
    Attend(Attendance),
    Review {
        meeting_id: Id,
        action_id: Id,
        status: ActionStatus,
        note: String,
        /// 実施日 (only with 実施済), checked by the store against `today`.
        done_on: Option<NaiveDate>,
        today: NaiveDate,
    },
    /// 事務局案どおり: the store decides with [`crate::store::Store::accept_item`], the one rule the CLI uses
    /// too; `preview` is what the same rule gives on the screen's copy, shown until then.
    Accept {
        item_id: Id,
        preview: Box<Decision>,
        next: Option<Id>,
        config: Box<Config>,
    },
    Record {
        item_id: Id,
        record: Box<DeepRecord>,
        next: Option<Id>,
        /// The configured 終結理由区分, which the store checks a closing's category against.
        categories: Vec<String>,
    },
    UpdateItem {
        item: Box<AgendaItem>,
        current: Option<Id>,
        message: String,
    },
    SetCurrent {
        meeting_id: Id,
        item: Option<Id>,
    },
    Elapsed {
        item_id: Id,
        secs: i64,
    },
    Draft {
        meeting_id: Id,
        key: DraftKey,
        body: String,
    },
    Heartbeat {
        meeting_id: Id,
        elapsed: Option<(Id, i64)>,
    },
    Replan {
        meeting_id: Id,
        moves: Vec<Move>,
        /// Puts back an earlier re-plan.
        undo: bool,
    },
    Close {
        meeting_id: Id,
    },
    Release {
        meeting_id: Id,
    },
}

/// Seconds between heartbeats (the lease) and timer saves.
pub const BEAT_SECS: i64 = 10;

#[derive(Debug, Clone, Default)]
pub struct MeetingState {
    pub data: Option<MeetingData>,
    /// A load was asked for and has not answered.
    pub loading: bool,
    pub phase: Phase,
    /// Selected row in the attendance and review lists.
    pub row: usize,
    /// Idle lock: the screen is blank until a key.
    pub locked: bool,
    pub idle_secs: i64,
    pub last_tick: Option<NaiveDateTime>,
    /// The last tick (the timers' "now").
    pub now: Option<NaiveDateTime>,
    pub since_beat: i64,
    /// F12 pressed once waits for the second.
    pub confirm: super::confirm::Confirm,
    /// Loaded at least once (the first load decides the part and may reopen a draft).
    pub opened: bool,
    /// A form open over the screen.
    pub form: Option<MeetingForm>,
    /// The contact form on the item being discussed.
    pub record: Option<crate::tui::ledger::RecordForm>,
    /// What puts the last re-plan's items back (Ctrl+Z).
    pub undo: Option<Vec<Move>>,
}

impl MeetingState {
    pub fn current(&self) -> Option<&ItemView> {
        let d = self.data.as_ref()?;
        let id = d.meeting.current_item?;
        d.items.iter().find(|i| i.item.id == id)
    }

    fn current_index(&self) -> Option<usize> {
        let d = self.data.as_ref()?;
        let id = d.meeting.current_item?;
        d.items.iter().position(|i| i.item.id == id)
    }

    fn items(&self) -> Vec<AgendaItem> {
        self.data.as_ref().map(|d| d.items.iter().map(|i| i.item.clone()).collect()).unwrap_or_default()
    }

    /// The session of the current item (else the first with items still to discuss).
    pub fn session(&self) -> Option<&Session> {
        let d = self.data.as_ref()?;
        let sid = self
            .current()
            .and_then(|i| i.item.session_id)
            .or_else(|| d.items.iter().find(|i| i.item.state == ItemState::Pending).and_then(|i| i.item.session_id))?;
        d.sessions.iter().find(|s| s.id == sid)
    }

    fn running(&self) -> bool {
        self.data.as_ref().is_some_and(|d| d.meeting.status == MeetingStatus::InProgress && d.read_only.is_none())
    }
}

/// The day an item is decided on (its session's date): one rule with the CLI.
fn item_date(d: &MeetingData, item: &AgendaItem, today: NaiveDate) -> NaiveDate {
    crate::domain::meeting::item_date(item, &d.sessions, today)
}

pub use crate::tui::screen::shown_name;

/// The reply to a stored change whose result the screen reloads.
pub fn saved(message: impl Into<String>) -> MeetingMsg {
    MeetingMsg::Saved { message: message.into(), reload: true }
}

/// The reply to a stored change the screen's copy already shows (applied at the key).
pub fn noted(message: impl Into<String>) -> MeetingMsg {
    MeetingMsg::Saved { message: message.into(), reload: false }
}

#[cfg(test)]
mod tests;

mod update;
#[cfg(test)]
mod update_tests;
