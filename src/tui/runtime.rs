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
use zeroize::Zeroizing;

/// Opens the TUI on `store` until the user quits. The terminal is restored on every exit
/// path, panics included (ratatui's hook, chained to color-eyre's).
pub fn run(store: Store, config: Config, today: NaiveDate, passphrase: Option<Zeroizing<String>>) -> Result<()> {
    crate::tui::glyphs::init_from_env();
    let keymap = load_keymap()?;
    let db_label = store
        .db_path()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "メモリ上".into());
    let model = Model::new(config, today, keymap, db_label);
    // The passphrase goes with the reader's opening and is wiped once it is keyed.
    let reader = store.db_path().map(|path| -> OpenReader {
        Box::new(move || Store::open_reader(&path, passphrase.as_ref().map(|p| p.as_str())))
    });

    let mut terminal = ratatui::init();
    install_extra_restore_hook();
    execute!(stdout(), event::EnableMouseCapture)?;
    #[cfg(unix)]
    execute!(stdout(), event::EnableBracketedPaste)?;
    let (tx, rx): (Sender<Msg>, Receiver<Msg>) = mpsc::channel();
    let stop = Arc::new(AtomicBool::new(false));
    meeting::io::spawn_ticker(tx.clone(), stop.clone());
    spawn_events(tx.clone(), stop.clone());
    let result = terminal.size().map_err(Into::into).and_then(|size| {
        let mut session = Session::start(store, model, (size.width, size.height), reader, tx);
        event_loop(&mut terminal, &mut session, rx)
    });
    stop.store(true, Ordering::Relaxed);
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

fn event_loop(terminal: &mut DefaultTerminal, session: &mut Session, rx: Receiver<Msg>) -> Result<()> {
    loop {
        session.settle();
        if session.model.quit {
            return Ok(());
        }
        session.draw(terminal)?;
        match rx.recv() {
            Ok(msg) => {
                // Once a second: did another window or a command write? Then read again.
                let tick = matches!(msg, Msg::Tick(_));
                session.push(msg);
                if tick && session.store.changed_elsewhere().unwrap_or(false) {
                    session.push(Msg::StoreChanged);
                }
            }
            Err(_) => return Err(eyre!("端末からの入力が途切れました")),
        }
        // Take everything already waiting before drawing again (fast typing, key repeat).
        while let Ok(msg) = rx.try_recv() {
            session.push(msg);
        }
    }
}

/// Opens the second, read-only connection the ledger's index is read on.
pub type OpenReader = Box<dyn FnOnce() -> Result<Store, StoreError> + Send>;

/// Rows of the ledger's first page: more than any terminal shows, so the first PageDown
/// still moves while the index is read.
const FIRST_PAGE: usize = 200;

/// The runtime without the terminal: the store, the model, the messages waiting and the
/// thread that reads the ledger's index. The event loop and the benchmarks drive it alike.
pub struct Session {
    pub store: Store,
    pub model: Model,
    queue: VecDeque<Msg>,
    /// Asks the index thread to read the ledger (the case to select after); None when there is
    /// no second connection (in memory) or it failed: then the ledger is read here.
    index: Option<(Sender<Option<crate::domain::Id>>, std::thread::JoinHandle<()>)>,
}

impl Session {
    /// Everything before the first frame: the first page of the ledger in its default view,
    /// and the index of every case read on another thread (over `reader`) whose answers arrive
    /// through `tx`, so the first frame does not wait for 100,000 rows.
    pub fn start(
        store: Store,
        mut model: Model,
        size: (u16, u16),
        reader: Option<OpenReader>,
        tx: Sender<Msg>,
    ) -> Self {
        // The mark other writers' commits are noticed against, taken before the first read.
        let _ = store.changed_elsewhere();
        // Projected when it was left projected (closed, or a crash), or when the town asks for it.
        model.present = starts_presenting(&store, &model.config);
        let mut session = Session { store, model, queue: VecDeque::new(), index: reader.map(|r| spawn_index(r, tx)) };
        session.push(Msg::Resize(size.0, size.1));
        let first = match &session.index {
            Some(_) => ledger::io::first_page(&session.store, FIRST_PAGE).map(|d| LedgerMsg::Loaded(Box::new(d))),
            None => ledger::io::execute(&mut session.store, LedgerEffect::Load { select: None }),
        };
        session.push(Msg::Ledger(first.unwrap_or_else(|e| LedgerMsg::Failed(e.to_string()))));
        if session.index.is_some() {
            session.run(Effect::Ledger(LedgerEffect::Load { select: None }));
        }
        // A meeting left in progress (closed by mistake, a crash) comes back where it was.
        if meeting_in_progress(&session.store, session.model.today) {
            session.push(Msg::Open(super::model::Screen::Meeting));
        }
        session
    }

    pub fn push(&mut self, msg: Msg) {
        self.queue.push_back(msg);
    }

    /// Runs every waiting message through `update` and its effects through the store. A
    /// case's detail is read once the queue is empty, for the case selected then: holding ↓
    /// reads one detail, not thirty.
    pub fn settle(&mut self) {
        let mut detail: Option<Effect> = None;
        loop {
            if self.index.as_ref().is_some_and(|(_, t)| t.is_finished()) {
                self.index_lost();
            }
            while let Some(msg) = self.queue.pop_front() {
                for effect in update(&mut self.model, msg) {
                    match effect {
                        Effect::Ledger(LedgerEffect::LoadDetail(_)) => detail = Some(effect),
                        e => self.run(e),
                    }
                }
            }
            match detail.take() {
                Some(e) => self.run(e),
                None => return,
            }
        }
    }

    /// Draws one frame of the model.
    pub fn draw<B: ratatui::backend::Backend>(&self, terminal: &mut ratatui::Terminal<B>) -> Result<()>
    where
        B::Error: Send + Sync + 'static,
    {
        terminal.draw(|f| view::render(&self.model, f))?;
        Ok(())
    }

    /// Whether the ledger's index is complete (the benchmarks wait for it).
    pub fn index_complete(&self) -> bool {
        self.model.ledger.loaded && self.model.ledger.building.is_none()
    }

    fn run(&mut self, effect: Effect) {
        if let Effect::Ledger(LedgerEffect::Load { select }) = effect
            && let Some((ask, _)) = &self.index
        {
            if ask.send(select).is_ok() {
                return;
            }
            self.index = None;
        }
        if let Some(reply) = execute(&mut self.store, effect) {
            self.push(reply);
        }
    }

    /// The index thread ended (its connection could not be opened): the ledger is read here.
    /// Noticed at the next message (the ticker sends one every second).
    fn index_lost(&mut self) {
        self.index = None;
        if self.model.ledger.building.is_some() {
            self.run(Effect::Ledger(LedgerEffect::Load { select: self.model.ledger.selected_id() }));
        }
    }
}

/// The thread that reads the ledger's index on its own connection: once at the start, and
/// again whenever the ledger asks (after a save, or another writer's commit). Rows are counted
/// to the header as they come.
fn spawn_index(open: OpenReader, tx: Sender<Msg>) -> (Sender<Option<crate::domain::Id>>, std::thread::JoinHandle<()>) {
    let (ask, asked) = mpsc::channel::<Option<crate::domain::Id>>();
    let thread = std::thread::spawn(move || {
        let reader = match open() {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(error = %e, "ledger index reader not opened; reading on the main connection");
                return;
            }
        };
        while let Ok(select) = asked.recv() {
            let progress = |n| {
                let _ = tx.send(Msg::Ledger(LedgerMsg::IndexProgress(n)));
            };
            let msg = match ledger::io::load_telling(&reader, select, progress) {
                Ok(d) => LedgerMsg::Loaded(Box::new(d)),
                Err(e) => {
                    tracing::warn!(effect = "load_ledger", "tui effect failed");
                    LedgerMsg::Failed(e.to_string())
                }
            };
            if tx.send(Msg::Ledger(msg)).is_err() {
                return;
            }
        }
    });
    (ask, thread)
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
