//! The app's pure update: `update(&mut Model, Msg) -> Vec<Effect>`. It owns what no screen
//! owns (help, the screen keys, quitting, the idle lock, the status line) and hands everything
//! else to the screen it belongs to, wrapping that screen's effects. No IO, no store, no clock.

use ratatui::crossterm::event::{KeyEvent, KeyEventKind};

use super::confirm::Confirmable;
use super::keymap::Command;
use super::ledger::{self, LedgerEffect, LedgerMsg};
use super::meeting::{self, MeetingMsg};
use super::model::{Model, Screen};
use super::msg::{Effect, Msg};
use super::prep::{self, PrepMsg};
use super::screen::Out;
use super::stats::{self, StatsMsg};
use crate::domain::MeetingStatus;
use crate::domain::mask::Masker;

/// The shared context, borrowing only the fields the screens read, so a screen's own state
/// stays free to change.
macro_rules! cx {
    ($m:expr) => {
        super::screen::Ctx {
            config: &$m.config,
            today: $m.today,
            agencies: &$m.agencies,
            body: super::layout::frame($m.size).body,
            present: $m.present,
        }
    };
}

pub fn update(m: &mut Model, msg: Msg) -> Vec<Effect> {
    match msg {
        // Windows reports releases too; only presses act.
        Msg::Key(k) if k.kind != KeyEventKind::Press => vec![],
        Msg::Key(k) => on_key(m, k),
        Msg::Mouse(_) if m.help.is_some() => vec![],
        Msg::Mouse(me) => match m.screen {
            Screen::Ledger => to_ledger(m, LedgerMsg::Mouse(me)),
            Screen::Prep => to_prep(m, PrepMsg::Mouse(me)),
            Screen::Meeting | Screen::Stats => vec![],
        },
        Msg::Paste(text) => match m.screen {
            Screen::Ledger => to_ledger(m, LedgerMsg::Paste(text)),
            Screen::Prep => to_prep(m, PrepMsg::Paste(text)),
            Screen::Meeting => to_meeting(m, MeetingMsg::Paste(text)),
            Screen::Stats => vec![],
        },
        Msg::Resize(w, h) => {
            m.size = (w, h);
            to_ledger(m, LedgerMsg::Resized)
        }
        Msg::Tick(now) => to_meeting(m, MeetingMsg::Tick(now)),
        Msg::StoreChanged => refresh(m),
        Msg::Open(to) => switch_screen(m, to),
        Msg::Ledger(LedgerMsg::Loaded(mut data)) => {
            // The reference data every screen reads comes with the ledger.
            if let Some(name) = data.municipality.take().filter(|n| !n.is_empty()) {
                m.municipality = name;
            }
            m.agencies = std::mem::take(&mut data.agencies);
            m.masker = Masker::for_ledger(&std::mem::take(&mut data.people), &m.config.confidentiality.unmasked_words);
            to_ledger(m, LedgerMsg::Loaded(data))
        }
        Msg::Ledger(msg) => to_ledger(m, msg),
        Msg::Prep(msg) => to_prep(m, msg),
        Msg::Meeting(msg) => to_meeting(m, msg),
        Msg::Stats(msg) => to_stats(m, msg),
    }
}

/// Runs a screen's update with the shared context, then does what it asked of the app.
fn finish<E>(m: &mut Model, out: Out, effects: Vec<E>, wrap: fn(E) -> Effect) -> Vec<Effect> {
    if let Some(s) = out.status {
        m.status = Some(s);
    }
    let mut all: Vec<Effect> = effects.into_iter().map(wrap).collect();
    // Leaving from another screen while this window runs the meeting asks first; the meeting
    // screen asks by itself (and releases its lease when it goes).
    if out.quit && m.screen != Screen::Meeting && m.meeting.is_running() && !m.quit_confirmed {
        m.confirm.arm(Confirmable::Quit);
        m.status = Some(super::screen::Status { text: meeting::QUIT_WHILE_RUNNING.into(), error: true });
    } else if out.quit {
        m.quit = true;
        all.push(Effect::Quit);
    }
    all
}

fn to_ledger(m: &mut Model, msg: LedgerMsg) -> Vec<Effect> {
    let mut out = Out::default();
    let cx = cx!(m);
    let effects = ledger::update(&mut m.ledger, &cx, &mut out, msg);
    finish(m, out, effects, Effect::Ledger)
}

fn to_prep(m: &mut Model, msg: PrepMsg) -> Vec<Effect> {
    let mut out = Out::default();
    let cx = cx!(m);
    let effects = prep::update(&mut m.prep, &cx, &mut out, msg);
    finish(m, out, effects, Effect::Prep)
}

fn to_meeting(m: &mut Model, msg: MeetingMsg) -> Vec<Effect> {
    let mut out = Out::default();
    let cx = cx!(m);
    let was_running = m.meeting.data.as_ref().is_some_and(|d| d.meeting.status == MeetingStatus::InProgress);
    let effects = meeting::update(&mut m.meeting, &cx, &mut out, msg);
    let mut all = finish(m, out, effects, Effect::Meeting);
    // Closing the meeting changed the ledger: the ledger screen reloads.
    let closed = m.meeting.data.as_ref().is_some_and(|d| d.meeting.status == MeetingStatus::Closed);
    if was_running && closed {
        all.push(Effect::Ledger(LedgerEffect::Load { select: None }));
    }
    all
}

fn to_stats(m: &mut Model, msg: StatsMsg) -> Vec<Effect> {
    let mut out = Out::default();
    let cx = cx!(m);
    let effects = stats::update(&mut m.stats, &cx, &mut out, msg);
    finish(m, out, effects, Effect::Stats)
}

fn on_key(m: &mut Model, k: KeyEvent) -> Vec<Effect> {
    // The idle lock: the first key only brings the screen back.
    if meeting::unlock_on_key(&mut m.meeting) {
        return vec![];
    }
    // A message stays until the next key; an error in a form stays in the form.
    m.status = None;
    m.quit_confirmed = m.confirm.take() == Some(Confirmable::Quit);
    let mode = m.mode();
    let action = m.keymap.action(mode, &k);
    match action {
        Some(Command::ForceQuit) => {
            m.quit = true;
            return vec![Effect::Quit];
        }
        Some(Command::Present | Command::MeetingPresent) if m.help.is_none() => return toggle_present(m),
        Some(Command::Help) if m.help.is_none() => {
            // Help opens at the keys of what is in front (its form, or the screen).
            let page = super::view::help_area(super::layout::frame(m.size).body).height.saturating_sub(2);
            let max = super::view::help_max_scroll(&m.keymap, page.max(1));
            m.help = Some(super::view::help_section(&m.keymap, mode).min(max));
            return vec![];
        }
        _ => {}
    }
    if let Some(scroll) = &mut m.help {
        // The box less its border: one page.
        let page = super::view::help_area(super::layout::frame(m.size).body).height.saturating_sub(2).max(1);
        let max = super::view::help_max_scroll(&m.keymap, page);
        match action {
            Some(Command::Up) => *scroll = scroll.saturating_sub(1),
            Some(Command::Down) => *scroll = (*scroll + 1).min(max),
            Some(Command::PageUp) => *scroll = scroll.saturating_sub(page),
            Some(Command::PageDown) => *scroll = (*scroll + page).min(max),
            Some(Command::First) => *scroll = 0,
            Some(Command::Last) => *scroll = max,
            Some(Command::Back | Command::Help) => m.help = None,
            _ => {}
        }
        return vec![];
    }
    if let Some(to) = screen_for(m.screen, action).filter(|_| mode.switches_screens()) {
        return switch_screen(m, to);
    }
    match m.screen {
        Screen::Ledger => to_ledger(m, LedgerMsg::Key(action, k)),
        Screen::Prep => to_prep(m, PrepMsg::Key(action, k)),
        Screen::Meeting => to_meeting(m, MeetingMsg::Key(action, k)),
        Screen::Stats => to_stats(m, StatsMsg::Key(action)),
    }
}

/// 投影モード on or off, for every screen, remembered in the database.
fn toggle_present(m: &mut Model) -> Vec<Effect> {
    m.present = !m.present;
    let text = if m.present {
        "投影モード: 氏名を伏せ、非公開の項目と編集画面を隠しています（Alt+P で解除）"
    } else {
        "投影モードを解除しました"
    };
    m.status = Some(super::screen::Status { text: text.into(), error: false });
    vec![Effect::RememberPresent(m.present)]
}

/// Reads again what is shown after another writer's commit: the screen in front. The ledger's
/// rows (all cases) are read when the ledger is in front, else once on coming back to it, so a
/// meeting's heartbeat elsewhere does not reload the whole ledger behind the meeting screen.
/// Open forms stay as they are.
fn refresh(m: &mut Model) -> Vec<Effect> {
    let cx = cx!(m);
    match m.screen {
        Screen::Ledger => return m.ledger.refresh().into_iter().map(Effect::Ledger).collect(),
        _ => m.ledger_stale = true,
    }
    match m.screen {
        Screen::Ledger => vec![],
        Screen::Prep => m.prep.refresh(&cx).into_iter().map(Effect::Prep).collect(),
        Screen::Meeting => m.meeting.refresh(&cx).into_iter().map(Effect::Meeting).collect(),
        Screen::Stats => m.stats.refresh(m.today).into_iter().map(Effect::Stats).collect(),
    }
}

/// The screen a global screen key leads to, if `action` is one.
fn screen_for(current: Screen, action: Option<Command>) -> Option<Screen> {
    match action? {
        Command::NextScreen => Some(current.next()),
        Command::ScreenLedger => Some(Screen::Ledger),
        Command::ScreenPrep => Some(Screen::Prep),
        Command::ScreenMeeting => Some(Screen::Meeting),
        Command::ScreenStats => Some(Screen::Stats),
        _ => None,
    }
}

/// Shows another screen and asks for the data it needs.
pub fn switch_screen(m: &mut Model, to: Screen) -> Vec<Effect> {
    m.screen = to;
    let cx = cx!(m);
    match to {
        Screen::Ledger if std::mem::take(&mut m.ledger_stale) => {
            m.ledger.refresh().into_iter().map(Effect::Ledger).collect()
        }
        Screen::Ledger => vec![],
        Screen::Prep => m.prep.enter(&cx).into_iter().map(Effect::Prep).collect(),
        Screen::Meeting => meeting::enter(&mut m.meeting, &cx).into_iter().map(Effect::Meeting).collect(),
        Screen::Stats => {
            m.stats.enter(m.today, &crate::domain::stats::Order::of(&m.config)).into_iter().map(Effect::Stats).collect()
        }
    }
}
