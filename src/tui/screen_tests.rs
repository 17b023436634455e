//! What the per-screen update tests share: the demo town loaded once into plain data, and a
//! way to run one message through a screen's pure update with no store, model or terminal.

use chrono::NaiveDate;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;

use super::screen::{Ctx, Out};
use crate::demo::{self, Scale};
use crate::domain::{Agency, Config};
use crate::store::Store;

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

/// The demo town in memory (its next meeting's agenda built) and its agencies.
pub fn town() -> (Store, demo::DemoSummary, Vec<Agency>) {
    let mut store = Store::open_in_memory().unwrap();
    let sum = demo::generate(&mut store, Scale::Takahama, 2024, today()).unwrap();
    let agencies = store.agencies().unwrap();
    (store, sum, agencies)
}

pub fn ctx<'a>(config: &'a Config, agencies: &'a [Agency]) -> Ctx<'a> {
    Ctx { config, today: today(), agencies, body: Rect::new(0, 1, 160, 42), present: false }
}

/// A key event for a typed character (what the keymap leaves to the focused field).
pub fn typed(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

/// A key event whose meaning comes from the command passed alongside it.
pub fn any_key() -> KeyEvent {
    KeyEvent::new(KeyCode::Null, KeyModifiers::NONE)
}

/// Runs `update` once: (effects, what it asked of the app).
pub fn run<S, M, E>(
    s: &mut S,
    cx: &Ctx<'_>,
    msg: M,
    update: fn(&mut S, &Ctx<'_>, &mut Out, M) -> Vec<E>,
) -> (Vec<E>, Out) {
    let mut out = Out::default();
    let effects = update(s, cx, &mut out, msg);
    (effects, out)
}
