//! The runtime: owns the terminal and the store, reads terminal events on a thread, runs
//! `update`, executes its effects against the store and feeds the results back as messages.

use std::collections::VecDeque;
use std::io::stdout;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;

use chrono::NaiveDate;
use color_eyre::eyre::{Result, eyre};
use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{self, Event};
use ratatui::crossterm::execute;

use super::keymap::Keymap;
use super::ledger::{self, LedgerEffect, LedgerMsg};
use super::meeting::{self, MeetingMsg};
use super::model::Model;
use super::msg::{Effect, Msg};
use super::prep::{self, PrepMsg};
use super::stats::{self, StatsMsg};
use super::update::update;
use super::view;
use crate::domain::Config;
use crate::store::{Store, StoreError};

/// Opens the TUI on `store` until the user quits. The terminal is restored on every exit
/// path, panics included (ratatui's hook, chained to color-eyre's).
pub fn run(store: Store, config: Config, today: NaiveDate) -> Result<()> {
    crate::tui::glyphs::init_from_env();
    let keymap = load_keymap()?;
    let db_label = store
        .db_path()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "メモリ上".into());
    let model = Model::new(config, today, keymap, db_label);

    let mut terminal = ratatui::init();
    install_extra_restore_hook();
    execute!(stdout(), event::EnableMouseCapture)?;
    #[cfg(unix)]
    execute!(stdout(), event::EnableBracketedPaste)?;
    let result = event_loop(&mut terminal, store, model);
    restore_extras();
    ratatui::restore();
    result
}

/// The keymap with the user's overrides: `SHINKO_KEYS`, else `keys.toml` in the config folder.
fn load_keymap() -> Result<Keymap> {
    let path = std::env::var_os("SHINKO_KEYS").map(PathBuf::from).or_else(|| {
        directories::ProjectDirs::from("jp", "shinko", "shinko")
            .map(|d| d.config_dir().join("keys.toml"))
            .filter(|p| p.exists())
    });
    match path {
        None => Ok(Keymap::defaults()),
        Some(p) => {
            let text = crate::exchange::settings_file::read(&p, "キー設定").map_err(|e| eyre!(e))?;
            Keymap::with_overrides(Some((&text, &p.display().to_string()))).map_err(|e| eyre!(e))
        }
    }
}

fn restore_extras() {
    #[cfg(unix)]
    let _ = execute!(stdout(), event::DisableBracketedPaste);
    let _ = execute!(stdout(), event::DisableMouseCapture);
}

/// ratatui's hook leaves raw mode and the alternate screen; mouse capture and bracketed paste
/// are ours to switch off before it runs.
fn install_extra_restore_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_extras();
        previous(info);
    }));
}

/// Terminal events on their own thread, so the loop only ever waits on one channel.
fn spawn_events(tx: Sender<Msg>, stop: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            match event::poll(Duration::from_millis(100)) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(_) => break,
            }
            let msg = match event::read() {
                Ok(Event::Key(k)) => Msg::Key(k),
                Ok(Event::Mouse(m)) => Msg::Mouse(m),
                Ok(Event::Paste(s)) => Msg::Paste(s),
                Ok(Event::Resize(w, h)) => Msg::Resize(w, h),
                Ok(_) => continue,
                Err(_) => break,
            };
            if tx.send(msg).is_err() {
                break;
            }
        }
    });
}

fn event_loop(terminal: &mut DefaultTerminal, mut store: Store, mut model: Model) -> Result<()> {
    let (tx, rx): (Sender<Msg>, Receiver<Msg>) = mpsc::channel();
    let stop = Arc::new(AtomicBool::new(false));
    meeting::io::spawn_ticker(tx.clone(), stop.clone());
    spawn_events(tx, stop.clone());
    let size = terminal.size()?;
    let mut queue: VecDeque<Msg> = VecDeque::new();
    queue.push_back(Msg::Resize(size.width, size.height));
    // The mark other writers' commits are noticed against, taken before the first read.
    let _ = store.changed_elsewhere();
    // Projected when it was left projected (closed, or a crash), or when the town asks for it.
    model.present = starts_presenting(&store, &model.config);
    queue.extend(execute(&mut store, Effect::Ledger(LedgerEffect::Load { select: None })));
    // A meeting left in progress (closed by mistake, a crash) comes back where it was.
    if meeting_in_progress(&store, model.today) {
        queue.push_back(Msg::Open(super::model::Screen::Meeting));
    }
    let result = loop {
        while let Some(msg) = queue.pop_front() {
            for effect in update(&mut model, msg) {
                if let Some(reply) = execute(&mut store, effect) {
                    queue.push_back(reply);
                }
            }
        }
        if model.quit {
            break Ok(());
        }
        if let Err(e) = terminal.draw(|f| view::render(&model, f)) {
            break Err(e.into());
        }
        match rx.recv() {
            Ok(msg) => {
                // Once a second: did another window or a command write? Then read again.
                let tick = matches!(msg, Msg::Tick(_));
                queue.push_back(msg);
                if tick && store.changed_elsewhere().unwrap_or(false) {
                    queue.push_back(Msg::StoreChanged);
                }
            }
            Err(_) => break Err(eyre!("端末からの入力が途切れました")),
        }
        // Take everything already waiting before drawing again (fast typing, key repeat).
        while let Ok(msg) = rx.try_recv() {
            queue.push_back(msg);
        }
    };
    stop.store(true, Ordering::Relaxed);
    result
}

/// The setting that remembers 投影モード across restarts.
const PRESENTING: &str = "presentation_mode";

/// Whether the app opens projected: as it was left, else the town's default.
pub fn starts_presenting(store: &Store, config: &crate::domain::Config) -> bool {
    match store.setting(PRESENTING).ok().flatten().as_deref() {
        Some(v) => v == "1",
        None => config.confidentiality.present_by_default,
    }
}

fn meeting_in_progress(store: &Store, today: NaiveDate) -> bool {
    let running = |id| store.meeting(id).is_ok_and(|m| m.status == crate::domain::MeetingStatus::InProgress);
    store.meeting_to_run(today).ok().flatten().is_some_and(running)
}

/// Runs one effect against the store and answers the screen that asked. A failure goes back
/// to that screen as its `Failed` message (Japanese); the log gets the effect's name only, as
/// the message may quote what the user typed.
pub fn execute(store: &mut Store, effect: Effect) -> Option<Msg> {
    fn failed<M>(name: &'static str, e: StoreError, wrap: fn(String) -> M) -> M {
        tracing::warn!(effect = name, "tui effect failed");
        wrap(e.to_string())
    }
    match effect {
        Effect::Quit => None,
        Effect::RememberPresent(on) => {
            if let Err(e) = store.write(|t| t.set_setting(PRESENTING, if on { "1" } else { "0" })) {
                tracing::warn!(error = %e, "presentation mode not remembered");
            }
            None
        }
        Effect::Ledger(e) => {
            let name = ledger::io::effect_name(&e);
            let msg = ledger::io::execute(store, e).unwrap_or_else(|e| failed(name, e, LedgerMsg::Failed));
            Some(Msg::Ledger(msg))
        }
        Effect::Prep(e) => {
            let name = prep::io::effect_name(&e);
            let msg = prep::io::execute(store, e).unwrap_or_else(|e| failed(name, e, PrepMsg::Failed));
            Some(Msg::Prep(msg))
        }
        Effect::Meeting(e) => {
            let name = meeting::io::effect_name(&e);
            match meeting::io::execute(store, e) {
                Ok(reply) => reply.map(Msg::Meeting),
                Err(e) => Some(Msg::Meeting(failed(name, e, MeetingMsg::Failed))),
            }
        }
        Effect::Stats(e) => {
            let msg = stats::execute(store, e).unwrap_or_else(|e| failed("load_stats", e, StatsMsg::Failed));
            Some(Msg::Stats(msg))
        }
    }
}
