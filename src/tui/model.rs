//! The one [`Model`] the whole UI renders from.
//!
//! Adding a screen: add a variant to [`Screen`], its state as a field here, its key modes to
//! `keymap.rs`/`keymap.toml`, an arm in `update::update_screen` and in `view::render_screen`.

use chrono::NaiveDate;

use super::form::Form;
use super::keymap::{Keymap, Mode};
use super::ledger::{LedgerFocus, LedgerState};
use super::stats::StatsState;
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub error: bool,
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
    pub meeting: super::meeting::MeetingState,
    /// 年度統計
    pub stats: StatsState,
    /// A form open over the screen.
    pub form: Option<Form>,
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
            meeting: super::meeting::MeetingState::default(),
            stats: StatsState::default(),
            form: None,
            help: None,
            status: None,
            db_label,
            agencies: Vec::new(),
            quit: false,
        }
    }

    /// The key mode in effect: decides the bindings and the footer.
    pub fn mode(&self) -> Mode {
        if self.help.is_some() {
            return Mode::Help;
        }
        if let Some(f) = &self.form {
            return if f.focused_is_multiline() { Mode::FormText } else { Mode::Form };
        }
        match self.screen {
            Screen::Ledger => match self.ledger.focus {
                LedgerFocus::Table => Mode::Ledger,
                LedgerFocus::Search => Mode::Search,
                LedgerFocus::Filter => Mode::Filter,
                LedgerFocus::Detail => Mode::Detail,
            },
            Screen::Prep => Mode::Prep,
            Screen::Meeting => Mode::Meeting,
            Screen::Stats => Mode::Stats,
        }
    }

    pub fn agency_name(&self, id: Option<Id>) -> &str {
        id.and_then(|i| self.agencies.iter().find(|a| a.id == i)).map(|a| a.name.as_str()).unwrap_or("")
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.status = Some(Status { text: text.into(), error: false });
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.status = Some(Status { text: text.into(), error: true });
    }
}
