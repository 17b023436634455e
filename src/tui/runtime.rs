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
use super::model::Model;
use super::msg::{AgendaEdit, CaseDetail, Effect, LedgerData, Msg, SaveCase};
use super::prep::{self, MeetingRef, PrepData};
use super::update::update;
use super::view;
use crate::domain::{CaseStatus, Config, Id, Track};
use crate::store::{Store, StoreError};

/// Opens the TUI on `store` until the user quits. The terminal is restored on every exit
/// path, panics included (ratatui's hook, chained to color-eyre's).
pub fn run(store: Store, config: Config, today: NaiveDate) -> Result<()> {
    crate::tui::glyphs::init_from_env();
    let keymap = load_keymap()?;
    let db_label = store
        .conn()
        .path()
        .and_then(|p| PathBuf::from(p).file_name().map(|n| n.to_string_lossy().into_owned()))
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
    super::meeting::io::spawn_ticker(tx.clone(), stop.clone());
    spawn_events(tx, stop.clone());
    let size = terminal.size()?;
    let mut queue: VecDeque<Msg> = VecDeque::new();
    queue.push_back(Msg::Resize(size.width, size.height));
    queue.extend(execute(&mut store, Effect::LoadLedger { select: None }));
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
            Ok(msg) => queue.push_back(msg),
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

/// Runs one effect against the store. Failures become [`Msg::Failed`] with a Japanese
/// message; the log gets ids only.
pub fn execute(store: &mut Store, effect: Effect) -> Option<Msg> {
    let name = effect_name(&effect);
    let reply = match effect {
        Effect::Quit => return None,
        Effect::LoadLedger { select } => load_ledger(store, select).map(|d| Msg::LedgerLoaded(Box::new(d))),
        Effect::LoadDetail(id) => load_detail(store, id).map(|d| Msg::DetailLoaded(Box::new(d))),
        Effect::SaveCase(s) => save_case(store, *s),
        Effect::CloseCase { id, status, on, reason } => close_case(store, id, status, on, &reason),
        Effect::Meeting(e) => match super::meeting::io::execute(store, *e) {
            Ok(None) => return None,
            Ok(Some(msg)) => Ok(msg),
            Err(e) => Err(e),
        },
        Effect::LoadStats { fiscal_year, today } => {
            store.year_stats(fiscal_year, today).map(|s| Msg::StatsLoaded(Box::new(s)))
        }
        Effect::LoadPrep { meeting, select, today, config } => {
            load_prep(store, meeting, select, today, &config).map(|d| Msg::PrepLoaded(Box::new(d)))
        }
        Effect::EditAgenda { edit, message, select } => edit_agenda(store, edit, message, select),
        Effect::RebuildAgenda { meeting, today, config } => rebuild_agenda(store, meeting, today, &config),
        Effect::ExportPackets { meeting, dir, config } => export_packets(store, meeting, &dir, &config),
    };
    Some(reply.unwrap_or_else(|e| {
        // The message may quote what the user typed: the log gets the effect's name only.
        tracing::warn!(effect = name, "tui effect failed");
        Msg::Failed(e.to_string())
    }))
}

fn effect_name(e: &Effect) -> &'static str {
    match e {
        Effect::LoadLedger { .. } => "load_ledger",
        Effect::LoadDetail(_) => "load_detail",
        Effect::SaveCase(_) => "save_case",
        Effect::CloseCase { .. } => "close_case",
        Effect::Meeting(e) => super::meeting::io::effect_name(e),
        Effect::LoadStats { .. } => "load_stats",
        Effect::Quit => "quit",
        Effect::LoadPrep { .. } => "load_prep",
        Effect::EditAgenda { .. } => "edit_agenda",
        Effect::RebuildAgenda { .. } => "rebuild_agenda",
        Effect::ExportPackets { .. } => "export_packets",
    }
}

fn load_ledger(store: &Store, select: Option<Id>) -> Result<LedgerData, StoreError> {
    Ok(LedgerData {
        rows: store.case_rows()?,
        agencies: store.agencies()?,
        municipality: store.setting("municipality")?,
        select,
    })
}

fn load_detail(store: &Store, id: Id) -> Result<CaseDetail, StoreError> {
    let case = store.case(id)?;
    let siblings = match case.household_id {
        Some(h) => store.cases_in_household(h)?.into_iter().filter(|c| c.id != id).collect(),
        None => Vec::new(),
    };
    let decisions = store.decisions_of_case(id)?;
    let dates = store.meeting_dates()?;
    let mut meeting_dates = Vec::new();
    for d in &decisions {
        if !meeting_dates.iter().any(|(m, _)| *m == d.meeting_id)
            && let Some(date) = dates.get(&d.meeting_id).copied()
        {
            meeting_dates.push((d.meeting_id, date));
        }
    }
    Ok(CaseDetail {
        siblings,
        agencies: store.case_agencies(id)?,
        decisions,
        meeting_dates,
        actions: store.actions_of_case(id)?,
        sheets: store.sheets_of_case(id)?,
        sheet_requests: store.sheet_requests_of_case(id)?,
        case,
    })
}

/// Saves a case from a form, creating the named agencies if they are new. Audited.
pub fn save_case(store: &mut Store, s: SaveCase) -> Result<Msg, StoreError> {
    let SaveCase { mut case, affiliation, lead_agency } = s;
    let new = case.id == 0;
    let id = store.write(|t| {
        case.affiliation = affiliation.as_deref().map(|n| t.agency_by_name_or_create(n)).transpose()?;
        case.lead_agency = lead_agency.as_deref().map(|n| t.agency_by_name_or_create(n)).transpose()?;
        t.save_case(&case)
    })?;
    tracing::info!(case_id = id, new, "case saved from the tui");
    let verb = if new { "登録" } else { "更新" };
    Ok(Msg::Saved { case_id: id, message: format!("ケース {} を{verb}しました", case.number) })
}

fn close_case(store: &mut Store, id: Id, status: CaseStatus, on: NaiveDate, reason: &str) -> Result<Msg, StoreError> {
    store.write(|t| t.close_case(id, status, on, reason, None))?;
    let number = store.case(id)?.number;
    tracing::info!(case_id = id, "case closed from the tui");
    Ok(Msg::Saved { case_id: id, message: format!("ケース {number} を{}しました", status.label()) })
}

/// The preparation screen's data for `meeting` (None: the next planned meeting after today).
fn load_prep(
    store: &Store,
    meeting: Option<Id>,
    select: Option<Id>,
    today: NaiveDate,
    config: &Config,
) -> Result<PrepData, StoreError> {
    let dates = store.meeting_dates()?;
    let meetings: Vec<MeetingRef> = store
        .meetings()?
        .into_iter()
        .map(|m| MeetingRef { id: m.id, date: dates.get(&m.id).copied(), title: m.title, status: m.status })
        .collect();
    let Some(id) = meeting.or_else(|| prep::default_meeting(&meetings, today)) else {
        return Ok(PrepData { meetings, ..Default::default() });
    };
    let plan = store.agenda_plan(id, config)?;
    let items: Vec<_> = plan.items().cloned().collect();
    // One statement per kind of fact for the whole agenda, not one per item.
    let ids: Vec<Id> = items.iter().map(|i| i.case_id).collect();
    let by_id = store.cases_by_id(&ids)?;
    let sheets_of = store.sheets_of_cases(&ids)?;
    let requests_of = store.sheet_requests_of_cases(&ids)?;
    let links_of = store.case_agencies_of_cases(&ids)?;
    let mut cases = Vec::with_capacity(items.len());
    let mut sheets = Vec::new();
    let mut requests = Vec::new();
    let mut links = Vec::new();
    for &id in &ids {
        links.extend(links_of.get(&id).cloned().unwrap_or_default().into_iter().map(|(a, _)| (id, a)));
        cases.push(by_id.get(&id).cloned().ok_or(StoreError::NotFound { entity: "ケース", id })?);
        sheets.extend(sheets_of.get(&id).cloned().unwrap_or_default());
        requests.extend(requests_of.get(&id).cloned().unwrap_or_default());
    }
    let date = meetings.iter().find(|m| m.id == id).and_then(|m| m.date);
    let folder = format!("事前送付資料_{}", date.map(|d| d.to_string()).unwrap_or_else(|| id.to_string()));
    let out_dir = std::env::current_dir().map(|d| d.join(&folder)).unwrap_or_else(|_| PathBuf::from(&folder));
    Ok(PrepData {
        meetings,
        meeting: Some(store.meeting(id)?),
        sessions: store.sessions(id)?,
        plan,
        items,
        cases,
        sheets,
        requests,
        links,
        out_dir: out_dir.display().to_string(),
        select,
    })
}

/// One hand edit through the store's agenda edits (audited; rebuilding keeps it).
fn edit_agenda(store: &mut Store, edit: AgendaEdit, message: String, select: Id) -> Result<Msg, StoreError> {
    store.write(|t| match &edit {
        AgendaEdit::Track(id, track) => t.set_item_track(*id, *track),
        AgendaEdit::Session(id, session) => t.set_item_session(*id, *session),
        AgendaEdit::Position(id, position) => t.reorder_item(*id, *position),
        AgendaEdit::Lock(id, locked) => t.set_item_locked(*id, *locked),
        AgendaEdit::Draft(id, draft) => t.set_item_draft(*id, draft),
        AgendaEdit::Ask(id, q) => t.add_question(*id, q),
    })?;
    tracing::info!(item = select, "agenda edited from the tui");
    Ok(Msg::PrepSaved { select: Some(select), message })
}

/// Re-plans the agenda; locked blocks and hand edits stay.
fn rebuild_agenda(store: &mut Store, meeting: Id, today: NaiveDate, config: &Config) -> Result<Msg, StoreError> {
    let plan = store.build_agenda(meeting, today, config)?;
    let (q, d) = (plan.count(Track::Quick), plan.count(Track::Deep));
    tracing::info!(meeting, items = q + d, "agenda rebuilt from the tui");
    Ok(Msg::PrepSaved {
        select: None, message: format!("議事次第を作り直しました（一括確認 {q}件・重点協議 {d}件）")
    })
}

/// Writes the packets; an existing file is never replaced from the TUI (choose another folder).
fn export_packets(store: &Store, meeting: Id, dir: &std::path::Path, config: &Config) -> Result<Msg, StoreError> {
    use crate::exchange::output::OutputError;
    use crate::exchange::packets::{self, PacketError};
    let err = |e: PacketError| match e {
        PacketError::Store(e) => e,
        PacketError::Output(OutputError::Exists { path }) => {
            StoreError::invalid("出力先", format!("{path} は既に存在します。別のフォルダを指定してください"))
        }
        other => StoreError::invalid("事前送付資料", other.to_string()),
    };
    let files = packets::write_packets(store, meeting, dir, false, config).map_err(err)?;
    let unsent = packets::unsent_questions(store, meeting).map_err(err)?.len();
    tracing::info!(meeting, files = files.len(), "packets written from the tui");
    let note = if unsent > 0 {
        format!("（関わりのない機関への質問 {unsent} 件は送付されません）")
    } else {
        String::new()
    };
    Ok(Msg::PrepSaved {
        select: None,
        message: format!("事前送付資料 {} 件を {} に出力しました{note}", files.len(), dir.display()),
    })
}
