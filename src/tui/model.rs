//! The app's [`Model`]: the screens' states side by side, and what they share.
//!
//! Adding a screen: a folder `tui/<screen>/` with its state, messages, effects, pure `update`,
//! `io` and `view`; a variant in [`Screen`], its state here, its key modes in
//! `keymap.rs`/`keymap.toml`, and one arm each in `update`, `runtime::execute` and `view`.

use chrono::NaiveDate;

use super::keymap::{Keymap, Mode};
use super::ledger::LedgerState;
use super::meeting::MeetingState;
use super::prep::PrepState;
pub use super::screen::Status;
use super::stats::StatsState;
use crate::domain::mask::Masker;
use crate::domain::{Agency, Config, Id};

/// Which screen fills the body. Switched with the global screen keys (Alt+1…4, F9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// 進行管理台帳
    Ledger,
    /// 会議準備: triage, 事務局案, sessions
    Prep,
    /// 会議進行: the live meeting
    Meeting,
    /// 年度統計
    Stats,
}

impl Screen {
    pub const ALL: [Screen; 4] = [Screen::Ledger, Screen::Prep, Screen::Meeting, Screen::Stats];

    pub fn title(self) -> &'static str {
        match self {
            Screen::Ledger => "進行管理台帳",
            Screen::Prep => "会議準備",
            Screen::Meeting => "会議進行",
            Screen::Stats => "年度統計",
        }
    }

    /// The screen after this one, for the cycling key.
    pub fn next(self) -> Screen {
        let i = Screen::ALL.iter().position(|s| *s == self).unwrap_or(0);
        Screen::ALL[(i + 1) % Screen::ALL.len()]
    }
}

#[derive(Debug, Clone)]
pub struct Model {
    pub config: Config,
    pub today: NaiveDate,
    pub keymap: Keymap,
    /// Terminal size (columns, rows); layouts are computed from it.
    pub size: (u16, u16),
    pub screen: Screen,
    pub ledger: LedgerState,
    pub meeting: MeetingState,
    /// 年度統計
    pub stats: StatsState,
    pub prep: PrepState,
    /// Help open over everything: its scroll position.
    pub help: Option<u16>,
    pub status: Option<Status>,
    /// 自治体名 shown in the header.
    pub municipality: String,
    /// Database file name shown in the header (never the full path).
    pub db_label: String,
    /// 関係機関, loaded with the ledger.
    pub agencies: Vec<Agency>,
    pub quit: bool,
    /// A quit from another screen while this window runs a meeting waits for a second press.
    pub confirm: super::confirm::Confirm,
    /// Set while one key is handled: the key before armed the quit.
    pub quit_confirmed: bool,
    /// Another writer committed while the ledger was not in front: read it on coming back.
    pub ledger_stale: bool,
    /// 投影モード on every screen: names as initials, private fields hidden, free text
    /// masked, forms that show a person's details closed. Remembered in the database.
    pub present: bool,
    /// Every person in the ledger (children, 保護者・同居人), built when the ledger is read, so
    /// free text on every screen can name anyone and still be masked while projecting.
    pub masker: Masker,
}

impl Model {
    pub fn new(config: Config, today: NaiveDate, keymap: Keymap, db_label: String) -> Model {
        Model {
            municipality: config.municipality.name.clone(),
            config,
            today,
            keymap,
            size: (80, 24),
            screen: Screen::Ledger,
            ledger: LedgerState::default(),
            meeting: MeetingState::default(),
            stats: StatsState::default(),
            prep: PrepState::default(),
            help: None,
            status: None,
            db_label,
            agencies: Vec::new(),
            quit: false,
            confirm: Default::default(),
            quit_confirmed: false,
            ledger_stale: false,
            present: false,
            masker: Masker::default(),
        }
    }

    /// While projecting, the masker every screen scrubs free text with; None otherwise.
    pub fn masker(&self) -> Option<&Masker> {
        self.present.then_some(&self.masker)
    }

    /// The key mode in effect: decides the bindings and the footer.
    pub fn mode(&self) -> Mode {
        if self.help.is_some() {
            return Mode::Help;
        }
        match self.screen {
            Screen::Ledger => self.ledger.mode(),
            Screen::Prep => self.prep.mode(),
            Screen::Meeting => self.meeting.mode(),
            Screen::Stats => Mode::Stats,
        }
    }

    /// Whether the screen in front has a form open whose focused field takes text.
    pub fn typing_in_form(&self) -> bool {
        use super::form::FieldValue;
        let on_text = |v: &FieldValue| !matches!(v, FieldValue::Choice { .. });
        match self.screen {
            Screen::Ledger => {
                self.ledger.form.as_ref().is_some_and(|f| on_text(&f.form.focused().value))
                    || self.ledger.record.as_ref().is_some_and(|f| f.on_text())
            }
            Screen::Prep => self.prep.form.as_ref().is_some_and(|f| on_text(&f.form.focused().value)),
            Screen::Meeting => {
                self.meeting.form.as_ref().is_some_and(|f| on_text(&f.form.focused().value))
                    || self.meeting.record.as_ref().is_some_and(|f| f.on_text())
            }
            Screen::Stats => false,
        }
    }

    pub fn agency_name(&self, id: Option<Id>) -> &str {
        super::screen::agency_name(&self.agencies, id)
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.status = Some(Status { text: text.into(), error: false });
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.status = Some(Status { text: text.into(), error: true });
    }
}
