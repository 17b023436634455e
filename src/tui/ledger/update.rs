//! The ledger's pure update: keys, mouse, paste and the answers of its effects in; effects out.

use ratatui::crossterm::event::{Event, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::*;
use crate::tui::form::FormReply;
use crate::tui::ledger::record_form::{RecordSave, on_record_key};

impl LedgerState {
    /// What to read again after another writer's commit (the selection stays).
    pub fn refresh(&self) -> Vec<LedgerEffect> {
        if self.loaded { vec![LedgerEffect::Load { select: self.selected_id() }] } else { vec![] }
    }

    /// The key mode in effect on this screen.
    pub fn mode(&self) -> Mode {
        if let Some(f) = &self.form {
            return f.form.mode();
        }
        if let Some(f) = &self.record {
            return f.mode();
        }
        match self.focus {
            LedgerFocus::Table => Mode::Ledger,
            LedgerFocus::Search => Mode::Search,
            LedgerFocus::Filter => Mode::Filter,
            LedgerFocus::Detail => Mode::Detail,
        }
    }
}

/// The table and detail areas in `body` for the current focus.
pub fn areas(s: &LedgerState, body: ratatui::layout::Rect) -> layout::LedgerAreas {
    layout::ledger(body, s.focus == LedgerFocus::Detail)
}

/// Rows the table shows in `body`.
fn table_rows(s: &LedgerState, cx: &Ctx<'_>) -> usize {
    layout::table_rows(areas(s, cx.body).table)
}

/// The ledger's pure update: its state and message in, its effects out.
pub fn update(s: &mut LedgerState, cx: &Ctx<'_>, out: &mut Out, msg: LedgerMsg) -> Vec<LedgerEffect> {
    let rows = table_rows(s, cx);
    match msg {
        LedgerMsg::Key(action, k) => on_key(s, cx, out, action, k),
        LedgerMsg::Mouse(_) if s.form.is_some() || s.record.is_some() => vec![],
        LedgerMsg::Mouse(me) => {
            let a = areas(s, cx.body);
            on_mouse(s, &me, &a, rows)
        }
        LedgerMsg::Paste(text) => on_paste(s, cx, &text),
        LedgerMsg::Resized => {
            s.scroll_to_selection(rows);
            vec![]
        }
        LedgerMsg::Loaded(data) => {
            let before = s.selected_id();
            let completing = s.building.is_some() && data.page_of.is_none();
            s.set_rows(data.rows, data.page_of);
            s.refilter(cx.config, cx.today);
            if let Some(id) = data.select {
                s.show_case(id, cx.config, cx.today);
            }
            s.select(s.selected, rows);
            // The index completing under an unchanged selection needs no second detail read
            // (a refresh does: the case may have changed).
            let shown = s.detail.as_ref().map(|d| d.case.id);
            match s.selected_id() {
                Some(id) if completing && before == Some(id) && shown == Some(id) => vec![],
                id => id.map(LedgerEffect::LoadDetail).into_iter().collect(),
            }
        }
        LedgerMsg::IndexProgress(read) => {
            if let Some(b) = &mut s.building {
                b.read = read;
            }
            vec![]
        }
        LedgerMsg::DetailLoaded(d) => {
            // A late answer for a case no longer selected is dropped.
            if s.selected_id() == Some(d.case.id) {
                s.detail = Some(*d);
            }
            vec![]
        }
        LedgerMsg::Saved { case_id, message } => {
            s.form = None;
            s.record = None;
            out.info(message);
            s.detail = None;
            vec![LedgerEffect::Load { select: Some(case_id) }]
        }
        LedgerMsg::AskAgain(question) => {
            match &mut s.form {
                Some(f) => f.form.ask_again(question),
                None => out.error(question),
            }
            vec![]
        }
        LedgerMsg::Failed(text) => {
            match (&mut s.form, &mut s.record) {
                (Some(f), _) => f.form.refuse(text),
                (None, Some(f)) => f.refuse(text),
                (None, None) => out.error(text),
            }
            vec![]
        }
        LedgerMsg::Stale(text) => {
            match &mut s.form {
                Some(f) => f.form.refuse(text),
                None => out.error(text),
            }
            s.selected_id().map(LedgerEffect::LoadDetail).into_iter().collect()
        }
    }
}

fn on_key(s: &mut LedgerState, cx: &Ctx<'_>, out: &mut Out, action: Option<Command>, k: KeyEvent) -> Vec<LedgerEffect> {
    if let Some(f) = &mut s.form {
        return match f.form.on_key(action, k) {
            FormReply::Stay => vec![],
            FormReply::Chose(key) => {
                f.on_chose(key, cx.config);
                vec![]
            }
            FormReply::Cancel => {
                s.form = None;
                out.info("入力を取り消しました");
                vec![]
            }
            FormReply::Submit { again } => match f.submit(cx.config, cx.today, again) {
                Ok(effect) => vec![effect],
                Err(e) => {
                    f.form.refuse(e);
                    vec![]
                }
            },
        };
    }
    if s.record.is_some() {
        let today = cx.today;
        return match on_record_key(&mut s.record, action, k, today, out) {
            None => vec![],
            Some(RecordSave::Contact { contact, number }) => vec![LedgerEffect::AddContact { contact, number, today }],
            Some(RecordSave::Birth { birth, number }) => {
                vec![LedgerEffect::RecordBirth { birth, number, today, config: Box::new(cx.config.clone()) }]
            }
        };
    }
    let rows = table_rows(s, cx);
    // Case-level actions work from the table and the detail alike. A projected screen opens
    // no form: each shows the child's name and details, or what is typed about the child.
    if cx.present
        && matches!(
            action,
            Some(
                Command::NewCase
                    | Command::EditCase
                    | Command::CloseCase
                    | Command::AddContact
                    | Command::RecordBirth
                    | Command::UrgentReport
            )
        )
    {
        out.error(crate::tui::screen::NOT_WHILE_PRESENTING);
        return vec![];
    }
    match action {
        Some(Command::Quit) if s.mode() == Mode::Ledger => {
            if !s.search.value().is_empty() {
                // Esc first clears a search, so one stray Esc does not leave the app.
                s.search.reset();
                return on_query_changed(s, cx, rows);
            }
            out.quit();
            return vec![];
        }
        Some(Command::NewCase) => {
            let blank = Case::blank(cx.today);
            s.form = Some(CaseForm::for_case(CaseFormKind::New, &blank, cx.agencies, cx.config));
            return vec![];
        }
        Some(Command::EditCase) => {
            match s.detail.as_ref().filter(|d| Some(d.case.id) == s.selected_id()) {
                Some(d) => {
                    let c = d.case.clone();
                    s.form =
                        Some(CaseForm::for_case(CaseFormKind::Edit(Box::new(c.clone())), &c, cx.agencies, cx.config));
                }
                None => out.error("編集するケースを選んでください"),
            }
            return vec![];
        }
        Some(Command::AddContact) => {
            match s.selected_row() {
                Some(r) if r.status == CaseStatus::Open => {
                    let lead = crate::tui::screen::agency_name(cx.agencies, r.lead_agency).to_string();
                    s.record =
                        Some(RecordForm::Contact(ContactForm::new(r.id, &r.number, &lead, cx.agencies, cx.today)));
                }
                Some(r) => out.error(format!(
                    "ケース {} は{}しています。その後の接触は再受理のケースに記録してください",
                    r.number,
                    r.status.label()
                )),
                None => out.error("経過記録を付けるケースを選んでください"),
            }
            return vec![];
        }
        Some(Command::RecordBirth) => {
            match s.selected_row() {
                Some(r) if r.registration == Registration::ExpectantMother && r.status == CaseStatus::Open => {
                    s.record = Some(RecordForm::Birth(BirthForm::new(r.id, &r.number, cx.today)))
                }
                Some(r) => out.error(format!(
                    "ケース {} は特定妊婦の継続中のケースではありません。出生は母のケースで記録してください",
                    r.number
                )),
                None => out.error("出生を記録するケースを選んでください"),
            }
            return vec![];
        }
        Some(Command::UrgentReport) => {
            match s.detail.as_ref().filter(|d| Some(d.case.id) == s.selected_id()) {
                Some(d) if d.case.status == CaseStatus::Open => {
                    s.form = Some(CaseForm::for_urgent(d.case.id, &d.case.number, d.case.affiliation, cx.agencies))
                }
                Some(d) => out.error(format!("ケース {} は既に{}しています", d.case.number, d.case.status.label())),
                None => out.error("随時報告を入力するケースを選んでください"),
            }
            return vec![];
        }
        Some(Command::CloseCase) => {
            match s.selected_row() {
                Some(r) if r.status == CaseStatus::Open => {
                    s.form = Some(CaseForm::for_close(r.id, &r.number, cx.today, cx.config))
                }
                Some(r) => out.error(format!("ケース {} は既に{}しています", r.number, r.status.label())),
                None => out.error("終結するケースを選んでください"),
            }
            return vec![];
        }
        _ => {}
    }
    match s.focus {
        LedgerFocus::Table => action.and_then(|a| on_table_action(s, a, cx, rows)).unwrap_or_default(),
        LedgerFocus::Detail => action.and_then(|a| on_detail_action(s, a)).unwrap_or_default(),
        LedgerFocus::Filter => action.map(|a| on_filter_action(s, a, cx, rows)).unwrap_or_default(),
        LedgerFocus::Search => {
            if let Some(e) = action.and_then(|a| on_search_action(s, a, cx, rows)) {
                return e;
            }
            let before = s.search.value().to_string();
            s.search.handle_event(&Event::Key(k));
            if s.search.value() != before { on_query_changed(s, cx, rows) } else { vec![] }
        }
    }
}

/// Pasted text goes into the open form, else into the search.
fn on_paste(s: &mut LedgerState, cx: &Ctx<'_>, text: &str) -> Vec<LedgerEffect> {
    if let Some(f) = &mut s.form {
        f.form.paste(text);
        return vec![];
    }
    if let Some(f) = &mut s.record {
        f.paste(text);
        return vec![];
    }
    s.focus = LedgerFocus::Search;
    let line = text.lines().next().unwrap_or("");
    let v = format!("{}{}", s.search.value(), line);
    s.search = Input::new(v);
    let rows = table_rows(s, cx);
    on_query_changed(s, cx, rows)
}
