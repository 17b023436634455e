//! The forms that add a record to the selected case without editing it — a contact (経過記録)
//! or a birth (出生) — kept as one so the screen wires one form, whichever it is.

use chrono::NaiveDate;
use ratatui::crossterm::event::KeyEvent;

use super::birth_form::BirthForm;
use super::contact_form::ContactForm;
use crate::tui::form::{FieldValue, FormReply};
use crate::tui::keymap::{Command, Mode};

#[derive(Debug, Clone)]
pub enum RecordForm {
    Contact(ContactForm),
    Birth(BirthForm),
}

/// What a key did to a record form.
pub enum RecordReply {
    Stay,
    Cancel,
    Save(RecordSave),
}

/// A record to store, for the screen to turn into its own effect.
pub enum RecordSave {
    Contact { contact: Box<crate::store::contacts::NewContact>, number: String },
    Birth { birth: Box<crate::domain::birth::Birth>, number: String },
}

impl RecordForm {
    pub fn mode(&self) -> Mode {
        match self {
            RecordForm::Contact(f) => f.form.mode(),
            RecordForm::Birth(f) => f.form.mode(),
        }
    }

    /// Whether the focused field takes text.
    pub fn on_text(&self) -> bool {
        let v = match self {
            RecordForm::Contact(f) => &f.form.focused().value,
            RecordForm::Birth(f) => &f.form.focused().value,
        };
        !matches!(v, FieldValue::Choice { .. })
    }

    pub fn paste(&mut self, text: &str) {
        match self {
            RecordForm::Contact(f) => f.form.paste(text),
            RecordForm::Birth(f) => f.form.paste(text),
        }
    }

    pub fn refuse(&mut self, reason: String) {
        match self {
            RecordForm::Contact(f) => f.form.refuse(reason),
            RecordForm::Birth(f) => f.form.refuse(reason),
        }
    }

    /// The reason the last save was refused.
    pub fn error(&self) -> Option<&str> {
        match self {
            RecordForm::Contact(f) => f.form.error.as_deref(),
            RecordForm::Birth(f) => f.form.error.as_deref(),
        }
    }

    pub fn on_key(&mut self, action: Option<Command>, k: KeyEvent, today: NaiveDate) -> RecordReply {
        let reply = match self {
            RecordForm::Contact(f) => f.form.on_key(action, k).map_key(),
            RecordForm::Birth(f) => f.form.on_key(action, k).map_key(),
        };
        match reply {
            Some(false) => return RecordReply::Cancel,
            None => return RecordReply::Stay,
            Some(true) => {}
        }
        let effect = match self {
            RecordForm::Contact(f) => {
                f.submit(today).map(|c| RecordSave::Contact { contact: Box::new(c), number: f.number.clone() })
            }
            RecordForm::Birth(f) => {
                f.submit(today).map(|b| RecordSave::Birth { birth: Box::new(b), number: f.number.clone() })
            }
        };
        match effect {
            Ok(e) => RecordReply::Save(e),
            Err(reason) => {
                self.refuse(reason);
                RecordReply::Stay
            }
        }
    }

    pub fn render(
        &self,
        f: &mut ratatui::Frame<'_>,
        area: ratatui::layout::Rect,
        shown: crate::tui::form::view::Shown,
    ) {
        use crate::tui::form::view::render_shown;
        match self {
            RecordForm::Contact(x) => render_shown(&x.form, f, area, shown),
            RecordForm::Birth(x) => render_shown(&x.form, f, area, shown),
        }
    }
}

/// Passes a key to the record form open in `slot`: typing stays, Esc closes it (saying so),
/// a save returns what to store for the screen to turn into its effect.
pub fn on_record_key(
    slot: &mut Option<RecordForm>,
    action: Option<Command>,
    k: KeyEvent,
    today: NaiveDate,
    out: &mut crate::tui::screen::Out,
) -> Option<RecordSave> {
    match slot.as_mut()?.on_key(action, k, today) {
        RecordReply::Stay => None,
        RecordReply::Cancel => {
            *slot = None;
            out.info("入力を取り消しました");
            None
        }
        RecordReply::Save(save) => Some(save),
    }
}

trait SaveOrCancel {
    /// Some(true): save; Some(false): cancel; None: stay.
    fn map_key(self) -> Option<bool>;
}

impl<K> SaveOrCancel for FormReply<K> {
    fn map_key(self) -> Option<bool> {
        match self {
            FormReply::Submit { .. } => Some(true),
            FormReply::Cancel => Some(false),
            FormReply::Stay | FormReply::Chose(_) => None,
        }
    }
}
