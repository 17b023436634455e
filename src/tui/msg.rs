//! What flows into the app's `update` ([`Msg`]) and what comes out of it ([`Effect`]). Each
//! screen has its own message and effect types; these wrap them, so the runtime knows whose
//! effect it runs and whom to tell the answer (or the failure). Effects are the only way the
//! UI touches the store.

use ratatui::crossterm::event::{KeyEvent, MouseEvent};

use super::ledger::{LedgerEffect, LedgerMsg};
use super::meeting::{MeetingEffect, MeetingMsg};
use super::prep::{PrepEffect, PrepMsg};
use super::stats::{StatsEffect, StatsMsg};

#[derive(Debug, Clone)]
pub enum Msg {
    /// Terminal input: the app names it with the keymap and hands it to the screen in front.
    Key(KeyEvent),
    Mouse(MouseEvent),
    /// Bracketed paste (Unix terminals): inserted into the focused field as one piece.
    Paste(String),
    Resize(u16, u16),
    /// The clock, once a second from the runtime (timers, heartbeat, idle lock).
    Tick(chrono::NaiveDateTime),
    /// Another window or a command committed to the database: what is shown is read again.
    StoreChanged,
    /// Show this screen (at start: a meeting in progress opens on the meeting screen).
    Open(super::model::Screen),
    /// Answers to a screen's effects.
    Ledger(LedgerMsg),
    Prep(PrepMsg),
    Meeting(MeetingMsg),
    Stats(StatsMsg),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Quit,
    /// Remembers 投影モード in the database, so a restart (or a crash) opens projected.
    RememberPresent(bool),
    Ledger(LedgerEffect),
    Prep(PrepEffect),
    Meeting(MeetingEffect),
    Stats(StatsEffect),
}
