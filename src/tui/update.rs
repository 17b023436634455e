//! The pure heart of the UI: `update(&mut Model, Msg) -> Vec<Effect>`. No IO, no store, no
//! clock; everything it needs is in the model or the message.

use ratatui::crossterm::event::{Event, KeyEvent, KeyEventKind};
use tui_input::backend::crossterm::EventHandler;

use super::confirm::Confirmable;
use super::form::{Form, FormKind};
use super::keymap::{Command, Mode};
use super::layout;
use super::ledger::{self, Ctx, LedgerFocus};
use super::model::{Model, Screen};
use super::msg::{Effect, Msg};
use super::prep;
use crate::domain::{Case, CaseStatus};

/// Borrows only the fields the ledger needs, so `m.ledger` stays free to change.
macro_rules! cx {
    ($m:expr) => {{
        let rows = table_rows($m);
        Ctx { config: &$m.config, today: $m.today, table_rows: rows }
    }};
}

pub fn update(m: &mut Model, msg: Msg) -> Vec<Effect> {
    match msg {
        // Windows reports releases too; only presses act.
        Msg::Key(k) if k.kind != KeyEventKind::Press => vec![],
        Msg::Key(k) => on_key(m, k),
        Msg::Mouse(me) => {
            if m.form.is_some() || m.help.is_some() {
                return vec![];
            }
            match m.screen {
                Screen::Ledger => {
                    let areas = ledger_areas(m);
                    let cx = cx!(m);
                    ledger::on_mouse(&mut m.ledger, &me, &areas, &cx)
                }
                Screen::Prep => {
                    let sessions = m.prep.data.as_ref().map(|d| d.sessions.len()).unwrap_or(0);
                    prep::on_mouse(&mut m.prep, &me, prep::areas(layout::frame(m.size).body, sessions));
                    vec![]
                }
                Screen::Meeting | Screen::Stats => vec![],
            }
        }
        Msg::Paste(text) => on_paste(m, &text),
        Msg::Resize(w, h) => {
            m.size = (w, h);
            let rows = table_rows(m);
            m.ledger.scroll_to_selection(rows);
            vec![]
        }
        Msg::LedgerLoaded(data) => {
            if let Some(name) = data.municipality.filter(|n| !n.is_empty()) {
                m.municipality = name;
            }
            m.agencies = data.agencies;
            m.ledger.rows = data.rows;
            m.ledger.loaded = true;
            m.ledger.refilter(&m.config, m.today);
            if let Some(id) = data.select {
                m.ledger.show_case(id, &m.config, m.today);
            }
            let rows = table_rows(m);
            m.ledger.select(m.ledger.selected, rows);
            m.ledger.selected_id().map(Effect::LoadDetail).into_iter().collect()
        }
        Msg::DetailLoaded(d) => {
            // A late answer for a case no longer selected is dropped.
            if m.ledger.selected_id() == Some(d.case.id) {
                m.ledger.detail = Some(*d);
            }
            vec![]
        }
        Msg::Saved { case_id, message } => {
            m.form = None;
            m.info(message);
            m.ledger.detail = None;
            vec![Effect::LoadLedger { select: Some(case_id) }]
        }
        Msg::MeetingLoaded(d) => super::meeting::on_loaded(m, d.map(|d| *d)),
        Msg::MeetingSaved { message, reload } => super::meeting::on_saved(m, message, reload),
        Msg::Tick(now) => super::meeting::on_tick(m, now),
        Msg::StatsLoaded(data) => {
            m.stats.loaded(*data);
            vec![]
        }
        Msg::PrepLoaded(data) => {
            m.prep.loaded(*data);
            vec![]
        }
        Msg::PrepSaved { select, message } => {
            m.form = None;
            m.info(message);
            let meeting = m.prep.data.as_ref().and_then(|d| d.meeting.as_ref()).map(|x| x.id);
            vec![Effect::LoadPrep { meeting, select, today: m.today, config: Box::new(m.config.clone()) }]
        }
        Msg::Failed(text) => {
            match &mut m.form {
                Some(f) => f.error = Some(text),
                None => m.error(text),
            }
            // The meeting screen shows a change before the store confirms it (fast typing acts
            // on the new state); when the store refused, it reads back what is really stored.
            if m.screen == Screen::Meeting && m.meeting.data.is_some() {
                return super::meeting::reload(m);
            }
            vec![]
        }
    }
}

pub fn ledger_areas(m: &Model) -> layout::LedgerAreas {
    layout::ledger(layout::frame(m.size).body, m.ledger.focus == LedgerFocus::Detail)
}

fn table_rows(m: &Model) -> usize {
    layout::table_rows(ledger_areas(m).table)
}

fn on_key(m: &mut Model, k: KeyEvent) -> Vec<Effect> {
    // The idle lock: the first key only brings the screen back.
    if super::meeting::unlock_on_key(m) {
        return vec![];
    }
    // A message stays until the next key; an error in a form stays in the form.
    m.status = None;
    let mode = m.mode();
    let action = m.keymap.action(mode, &k);
    match action {
        Some(Command::ForceQuit) => {
            m.quit = true;
            return vec![Effect::Quit];
        }
        Some(Command::Help) if m.help.is_none() => {
            m.help = Some(0);
            return vec![];
        }
        _ => {}
    }
    if let Some(scroll) = &mut m.help {
        match action {
            Some(Command::Up) => *scroll = scroll.saturating_sub(1),
            Some(Command::Down) => *scroll = scroll.saturating_add(1),
            Some(Command::Back | Command::Help) => m.help = None,
            _ => {}
        }
        return vec![];
    }
    if super::meeting::owns_form(m) {
        let before = super::meeting::draft_of(m);
        let effects = on_form_key(m, action, k);
        return super::meeting::after_form_change(m, before, effects);
    }
    if m.form.is_some() {
        return on_form_key(m, action, k);
    }
    if let Some(to) = screen_for(m.screen, action).filter(|_| mode.switches_screens()) {
        return switch_screen(m, to);
    }
    if m.screen == Screen::Meeting {
        return super::meeting::on_key(m, action);
    }
    match m.screen {
        Screen::Ledger => on_ledger_key(m, mode, action, k),
        Screen::Prep => on_prep_key(m, action),
        Screen::Meeting => on_placeholder_key(m, action),
        Screen::Stats if action == Some(Command::Quit) => on_placeholder_key(m, action),
        Screen::Stats => m.stats.on_action(action, m.today),
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
    if to == Screen::Meeting {
        return super::meeting::on_enter(m);
    }
    match to {
        Screen::Ledger => vec![],
        // Reloaded on every visit: the ledger may have changed meanwhile.
        Screen::Prep => {
            let meeting = m.prep.data.as_ref().and_then(|d| d.meeting.as_ref()).map(|x| x.id);
            vec![Effect::LoadPrep { meeting, select: None, today: m.today, config: Box::new(m.config.clone()) }]
        }
        Screen::Meeting => vec![],
        Screen::Stats => m.stats.enter(m.today),
    }
}

fn on_prep_key(m: &mut Model, action: Option<Command>) -> Vec<Effect> {
    let Some(action) = action else { return vec![] };
    if action != Command::Rebuild {
        m.prep.confirm.clear();
    }
    let item = m.prep.selected_item().cloned();
    match action {
        Command::Quit => {
            m.quit = true;
            return vec![Effect::Quit];
        }
        Command::EditDraft => {
            let case = item.as_ref().and_then(|i| m.prep.data.as_ref()?.case(i.case_id));
            match (&item, case) {
                (Some(i), Some(c)) => {
                    let ranks = m.config.rank_scheme(c.registration).ranks().iter().map(|r| r.code.clone()).collect();
                    m.form = Some(Form::for_draft(i, &c.number, ranks));
                }
                _ => m.error("事務局案を書く議題を選んでください"),
            }
            return vec![];
        }
        Command::AskAgency => {
            let d = m.prep.data.as_ref();
            let case = item.as_ref().and_then(|i| d?.case(i.case_id));
            match (&item, case, d) {
                (Some(i), Some(c), Some(d)) => {
                    let agencies: Vec<(crate::domain::Id, String)> = d
                        .involved(c.id)
                        .into_iter()
                        .filter_map(|a| m.agencies.iter().find(|x| x.id == a))
                        .filter(|a| a.kind != crate::domain::AgencyKind::Secretariat)
                        .map(|a| (a.id, a.name.clone()))
                        .collect();
                    if agencies.is_empty() {
                        m.error(format!("ケース {} に関わる機関がありません", c.number));
                    } else {
                        m.form = Some(Form::for_ask(i.id, &c.number, agencies));
                    }
                }
                _ => m.error("質問する議題を選んでください"),
            }
            return vec![];
        }
        Command::ExportPackets => {
            let d = m.prep.data.as_ref();
            match d.and_then(|d| Some((d.meeting.as_ref()?.id, d.out_dir.clone()))) {
                Some((id, dir)) => m.form = Some(Form::for_packets(id, &dir)),
                None => m.error("会議を選んでください"),
            }
            return vec![];
        }
        _ => {}
    }
    let body = layout::frame(m.size).body;
    let sessions = m.prep.data.as_ref().map(|d| d.sessions.len()).unwrap_or(0);
    let rows = prep::list_rows(prep::areas(body, sessions).quick);
    match prep::on_action(&mut m.prep, action, rows, &m.config, m.today) {
        prep::Reply::Effects(e) => e,
        prep::Reply::Info(text) => {
            m.info(text);
            vec![]
        }
        prep::Reply::Error(text) => {
            m.error(text);
            vec![]
        }
    }
}

fn on_placeholder_key(m: &mut Model, action: Option<Command>) -> Vec<Effect> {
    match action {
        Some(Command::Quit) => {
            m.quit = true;
            vec![Effect::Quit]
        }
        _ => vec![],
    }
}

fn on_ledger_key(m: &mut Model, mode: Mode, action: Option<Command>, k: KeyEvent) -> Vec<Effect> {
    // Case-level actions work from the table and the detail alike.
    match action {
        Some(Command::Quit) if mode == Mode::Ledger => {
            if !m.ledger.search.value().is_empty() {
                // Esc first clears a search, so one stray Esc does not leave the app.
                m.ledger.search.reset();
                let cx = cx!(m);
                return ledger::on_query_changed(&mut m.ledger, &cx);
            }
            m.quit = true;
            return vec![Effect::Quit];
        }
        Some(Command::NewCase) => {
            m.form = Some(Form::for_case(FormKind::NewCase, &Case::blank(m.today), &m.agencies, &m.config));
            return vec![];
        }
        Some(Command::EditCase) => {
            return match m.ledger.detail.as_ref().filter(|d| Some(d.case.id) == m.ledger.selected_id()) {
                Some(d) => {
                    let c = d.case.clone();
                    m.form = Some(Form::for_case(FormKind::EditCase(Box::new(c.clone())), &c, &m.agencies, &m.config));
                    vec![]
                }
                None => {
                    m.error("編集するケースを選んでください");
                    vec![]
                }
            };
        }
        Some(Command::CloseCase) => {
            return match m.ledger.selected_row() {
                Some(r) if r.status == CaseStatus::Open => {
                    m.form = Some(Form::for_close(r.id, &r.number.clone(), m.today));
                    vec![]
                }
                Some(r) => {
                    let msg = format!("ケース {} は既に{}しています", r.number, r.status.label());
                    m.error(msg);
                    vec![]
                }
                None => {
                    m.error("終結するケースを選んでください");
                    vec![]
                }
            };
        }
        _ => {}
    }
    let cx = cx!(m);
    let s = &mut m.ledger;
    match s.focus {
        LedgerFocus::Table => action.and_then(|a| ledger::on_table_action(s, a, &cx)).unwrap_or_default(),
        LedgerFocus::Detail => action.and_then(|a| ledger::on_detail_action(s, a)).unwrap_or_default(),
        LedgerFocus::Filter => action.map(|a| ledger::on_filter_action(s, a, &cx)).unwrap_or_default(),
        LedgerFocus::Search => {
            if let Some(e) = action.and_then(|a| ledger::on_search_action(s, a, &cx)) {
                return e;
            }
            let before = s.search.value().to_string();
            s.search.handle_event(&Event::Key(k));
            if s.search.value() != before { ledger::on_query_changed(s, &cx) } else { vec![] }
        }
    }
}

fn on_form_key(m: &mut Model, action: Option<Command>, k: KeyEvent) -> Vec<Effect> {
    let Some(form) = m.form.as_mut() else { return vec![] };
    let on_choice = matches!(form.focused().value, super::form::FieldValue::Choice { .. });
    let discard = form.confirm.confirms(Confirmable::DiscardForm);
    match action {
        // A stray Esc must not throw away what was typed: a changed form asks for a second one.
        Some(Command::Cancel) if form.is_changed() && !discard => {
            form.confirm.arm(Confirmable::DiscardForm);
            form.error = Some("入力した内容があります。破棄するにはもう一度 Esc を押してください".into());
            vec![]
        }
        Some(Command::Cancel) => {
            m.form = None;
            m.info("入力を取り消しました");
            vec![]
        }
        Some(Command::NextField) => {
            form.move_focus(true);
            vec![]
        }
        Some(Command::PrevField) => {
            form.move_focus(false);
            vec![]
        }
        Some(a @ (Command::PrevValue | Command::NextValue)) if on_choice => {
            form.cycle_choice(a == Command::NextValue, &m.config);
            vec![]
        }
        Some(Command::Save) => match form.submit(&m.config, m.today) {
            Ok(effect) => {
                form.error = None;
                vec![effect]
            }
            Err(e) => {
                form.error = Some(e);
                vec![]
            }
        },
        _ => {
            form.input_key(k);
            vec![]
        }
    }
}

fn on_paste(m: &mut Model, text: &str) -> Vec<Effect> {
    if super::meeting::owns_form(m) {
        let before = super::meeting::draft_of(m);
        if let Some(f) = &mut m.form {
            f.paste(text);
        }
        return super::meeting::after_form_change(m, before, vec![]);
    }
    if let Some(f) = &mut m.form {
        f.paste(text);
        return vec![];
    }
    if m.screen == Screen::Ledger {
        let s = &mut m.ledger;
        if s.focus != LedgerFocus::Search {
            s.focus = LedgerFocus::Search;
        }
        let line = text.lines().next().unwrap_or("").to_string();
        let v = format!("{}{}", s.search.value(), line);
        s.search = tui_input::Input::new(v);
        let cx = cx!(m);
        return ledger::on_query_changed(&mut m.ledger, &cx);
    }
    vec![]
}
