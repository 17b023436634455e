//! The form widget: fields over the screen, knowing no screen. Single-line fields use
//! tui-input, multi-line ones ratatui-textarea (soft wrap). A screen builds a `Form<K>` with its
//! own field keys `K`, passes it keys, and when the form answers [`FormReply::Submit`] reads
//! the values back and decides what to store. A bad value leaves the form open with a Japanese
//! message naming the field, and nothing is lost.

pub mod pick;
pub mod view;

use chrono::NaiveDate;
use ratatui::crossterm::event::{Event, KeyEvent};
use ratatui_textarea::{CursorMove, TextArea, WrapMode};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::confirm::{Confirm, Confirmable};
use super::keymap::{Command, Mode};
use crate::domain::wareki;

#[derive(Debug, Clone)]
pub enum FieldValue {
    Text(Input),
    /// A fixed list chosen with ←/→. `shown` (when not empty) is what each option reads as on
    /// the screen (a rank's label); the value stays the option itself (its code).
    Choice {
        options: Vec<String>,
        index: usize,
        shown: Vec<String>,
    },
    Multi(Box<TextArea<'static>>),
}

#[derive(Debug, Clone)]
pub struct Field<K> {
    pub key: K,
    pub label: &'static str,
    pub required: bool,
    pub value: FieldValue,
    /// Does not apply now (理由 while the decision is 継続): shown dimmed, Tab passes over it.
    pub idle: bool,
    /// An agency is typed here: the registered ones that fit are offered as you type.
    pub pick: Option<pick::Pick>,
}

/// A wrapped multi-line box holding `text`.
fn area(text: &str, placeholder: &str) -> TextArea<'static> {
    let mut t = TextArea::new(text.lines().map(str::to_string).collect());
    t.set_wrap_mode(WrapMode::WordOrGlyph);
    t.set_cursor_line_style(ratatui::style::Style::default());
    t.set_placeholder_text(placeholder);
    t
}

impl<K> Field<K> {
    pub fn text(key: K, label: &'static str, required: bool, v: &str) -> Field<K> {
        Field { key, label, required, value: FieldValue::Text(Input::new(v.to_string())), idle: false, pick: None }
    }

    /// A choice of `options`, starting at `current`. A current value the options no longer
    /// hold (a rank renamed in the configuration) is offered as it is rather than replaced by
    /// another: saving it is refused with the reason, nothing is changed unasked.
    pub fn choice(key: K, label: &'static str, mut options: Vec<String>, current: &str) -> Field<K> {
        let index = match options.iter().position(|o| o == current) {
            Some(i) => i,
            None if !current.is_empty() => {
                options.push(current.to_string());
                options.len() - 1
            }
            None => 0,
        };
        Self::choice_at(key, label, options, index)
    }

    /// A choice of `options`, starting at position `index`.
    pub fn choice_at(key: K, label: &'static str, options: Vec<String>, index: usize) -> Field<K> {
        let index = index.min(options.len().saturating_sub(1));
        Field {
            key,
            label,
            required: false,
            value: FieldValue::Choice { options, index, shown: Vec::new() },
            idle: false,
            pick: None,
        }
    }

    /// A choice whose options read as `describe` makes them (a rank code as its label).
    pub fn showing(mut self, describe: impl Fn(&str) -> String) -> Field<K> {
        if let FieldValue::Choice { options, shown, .. } = &mut self.value {
            *shown = options.iter().map(|o| describe(o)).collect();
        }
        self
    }

    pub fn multi(key: K, label: &'static str, text: &str, placeholder: &str) -> Field<K> {
        Field {
            key,
            label,
            required: false,
            value: FieldValue::Multi(Box::new(area(text, placeholder))),
            idle: false,
            pick: None,
        }
    }

    /// Typing continues at the end of what is there (a multi-line field).
    pub fn at_end(mut self) -> Field<K> {
        if let FieldValue::Multi(t) = &mut self.value {
            t.move_cursor(CursorMove::Bottom);
            t.move_cursor(CursorMove::End);
        }
        self
    }

    /// The text of the field as typed (choices: the chosen option).
    pub fn value(&self) -> String {
        match &self.value {
            FieldValue::Text(i) => i.value().to_string(),
            FieldValue::Choice { options, index, .. } => options.get(*index).cloned().unwrap_or_default(),
            FieldValue::Multi(t) => t.lines().join("\n"),
        }
    }

    pub fn is_multiline(&self) -> bool {
        matches!(self.value, FieldValue::Multi(_))
    }

    /// Puts `v` back as the field's value (a choice: the option of that text, if offered).
    fn set(&mut self, v: String) {
        match &mut self.value {
            FieldValue::Text(_) => self.value = FieldValue::Text(Input::new(v)),
            FieldValue::Choice { options, index, .. } => {
                *index = options.iter().position(|o| *o == v).unwrap_or(*index)
            }
            FieldValue::Multi(t) => {
                let placeholder = t.placeholder_text().to_string();
                let mut a = area(&v, &placeholder);
                a.move_cursor(CursorMove::Bottom);
                a.move_cursor(CursorMove::End);
                **t = a;
            }
        }
    }
}

/// What a key did to the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormReply<K> {
    /// Typing, moving between fields, or a refusal shown in the form.
    Stay,
    /// The option of choice field `K` changed (a screen may adjust other fields).
    Chose(K),
    /// The user left the form (a changed form needs Esc twice).
    Cancel,
    /// Every required field is filled: the screen reads the values and stores them. `again`:
    /// this save answers [`Form::ask_again`] (the save before asked for a yes).
    Submit { again: bool },
}

#[derive(Debug, Clone)]
pub struct Form<K> {
    pub title: String,
    pub fields: Vec<Field<K>>,
    pub focus: usize,
    /// The reason the last save was refused (Japanese, names the field).
    pub error: Option<String>,
    /// The values the form opened with, to tell whether anything was typed.
    initial: Vec<String>,
    /// Esc pressed once on a changed form waits for a second one.
    pub confirm: Confirm,
    /// What is typed is kept as a draft by the screen: Esc closes at once, nothing is lost.
    keeps_drafts: bool,
}

impl<K: Copy + PartialEq> Form<K> {
    pub fn new(title: impl Into<String>, fields: Vec<Field<K>>) -> Form<K> {
        let initial = fields.iter().map(Field::value).collect();
        Form {
            title: title.into(),
            fields,
            focus: 0,
            error: None,
            initial,
            confirm: Confirm::default(),
            keeps_drafts: false,
        }
    }

    /// For a screen that keeps every change as a draft: Esc needs no second press.
    pub fn keeping_drafts(mut self) -> Form<K> {
        self.keeps_drafts = true;
        self
    }

    /// The key mode while this form is open.
    pub fn mode(&self) -> Mode {
        if self.focused().is_multiline() { Mode::FormText } else { Mode::Form }
    }

    /// Whether anything differs from what the form opened with.
    pub fn is_changed(&self) -> bool {
        self.fields.iter().map(Field::value).ne(self.initial.iter().cloned())
    }

    pub fn focused(&self) -> &Field<K> {
        &self.fields[self.focus]
    }

    fn field(&self, key: K) -> Option<&Field<K>> {
        self.fields.iter().find(|f| f.key == key)
    }

    pub fn get(&self, key: K) -> String {
        self.field(key).map(Field::value).unwrap_or_default()
    }

    /// The trimmed text of `key`, None when empty.
    pub fn text(&self, key: K) -> Option<String> {
        Some(self.get(key).trim().to_string()).filter(|s| !s.is_empty())
    }

    /// The position of the option chosen in a choice field, to index the typed list the options
    /// were made from (never parsed back from the label shown).
    pub fn chosen(&self, key: K) -> Option<usize> {
        self.field(key).and_then(|f| match &f.value {
            FieldValue::Choice { index, .. } => Some(*index),
            _ => None,
        })
    }

    /// An empty field is None; anything else must be a date in 西暦 or 和暦.
    pub fn date(&self, key: K, label: &str) -> Result<Option<NaiveDate>, String> {
        let v = self.get(key);
        if v.trim().is_empty() {
            return Ok(None);
        }
        wareki::parse_date(&v).map(Some).map_err(|e| format!("{label}: {e}"))
    }

    /// Like [`Form::date`], and a date without a year (12/10, 12月10日) is the one nearest
    /// to `near`.
    pub fn date_near(&self, key: K, label: &str, near: NaiveDate) -> Result<Option<NaiveDate>, String> {
        let v = self.get(key);
        if v.trim().is_empty() {
            return Ok(None);
        }
        wareki::parse_date_near(&v, near).map(Some).map_err(|e| format!("{label}: {e}"))
    }

    /// Replaces the options of choice `key`, choosing `index`; they read as `describe` makes them.
    pub fn set_options(&mut self, key: K, options: Vec<String>, index: usize, describe: impl Fn(&str) -> String) {
        if let Some(f) = self.fields.iter_mut().find(|f| f.key == key) {
            let shown = options.iter().map(|o| describe(o)).collect();
            f.value = FieldValue::Choice { options, index, shown };
        }
    }

    /// Replaces the text of field `key`.
    pub fn set_text(&mut self, key: K, v: &str) {
        if let Some(f) = self.fields.iter_mut().find(|f| f.key == key) {
            f.set(v.to_string());
        }
    }

    /// Every field's value in order (what a draft keeps).
    pub fn values(&self) -> Vec<String> {
        self.fields.iter().map(Field::value).collect()
    }

    /// Puts back values kept by [`Form::values`] (after a crash, or after Esc).
    pub fn restore(&mut self, values: Vec<String>) {
        for (field, v) in self.fields.iter_mut().zip(values) {
            field.set(v);
        }
    }

    /// To the next (or previous) field that applies; idle fields are passed over.
    pub fn move_focus(&mut self, forward: bool) {
        let n = self.fields.len();
        for _ in 0..n {
            self.focus = if forward { (self.focus + 1) % n } else { (self.focus + n - 1) % n };
            if !self.fields[self.focus].idle {
                break;
            }
        }
    }

    /// Marks whether a field applies now. An idle field keeps its text (for when it applies
    /// again) and is passed over by Tab.
    pub fn set_idle(&mut self, key: K, idle: bool) {
        if let Some(f) = self.fields.iter_mut().find(|f| f.key == key) {
            f.idle = idle;
        }
    }

    /// ←/→ on a choice field; the key of the field when it changed.
    pub fn cycle_choice(&mut self, forward: bool) -> Option<K> {
        let key = self.focused().key;
        let FieldValue::Choice { options, index, .. } = &mut self.fields[self.focus].value else {
            return None;
        };
        let n = options.len().max(1);
        *index = if forward { (*index + 1) % n } else { (*index + n - 1) % n };
        Some(key)
    }

    /// Passes a key to the focused text field.
    pub fn input_key(&mut self, key: KeyEvent) {
        match &mut self.fields[self.focus].value {
            FieldValue::Text(i) => {
                i.handle_event(&Event::Key(key));
            }
            FieldValue::Multi(t) => {
                t.input(key);
            }
            FieldValue::Choice { .. } => {}
        }
    }

    /// Inserts pasted text. Single-line fields take the first line only.
    pub fn paste(&mut self, text: &str) {
        match &mut self.fields[self.focus].value {
            FieldValue::Text(i) => {
                let line = text.lines().next().unwrap_or("");
                let mut v = i.value().to_string();
                let at = v.char_indices().nth(i.cursor()).map(|(b, _)| b).unwrap_or(v.len());
                v.insert_str(at, line);
                *i = Input::new(v).with_cursor(i.cursor() + line.chars().count());
            }
            FieldValue::Multi(t) => {
                t.insert_str(text);
            }
            FieldValue::Choice { .. } => {}
        }
    }

    /// A key in the form: moves, choices, typing, Esc (twice when something was typed) and
    /// save (refused here while a required field is empty).
    pub fn on_key(&mut self, action: Option<Command>, k: KeyEvent) -> FormReply<K> {
        if self.pick_key(action, k) {
            return FormReply::Stay;
        }
        let on_choice = matches!(self.focused().value, FieldValue::Choice { .. });
        let armed = self.confirm.take();
        let discard = armed == Some(Confirmable::DiscardForm);
        match action {
            // A stray Esc must not throw away what was typed: a changed form asks for a second one.
            Some(Command::Cancel) if self.is_changed() && !discard && !self.keeps_drafts => {
                self.confirm.arm(Confirmable::DiscardForm);
                self.error = Some("入力した内容があります。破棄するにはもう一度 Esc を押してください".into());
            }
            Some(Command::Cancel) => return FormReply::Cancel,
            Some(Command::NextField) => self.move_focus(true),
            Some(Command::PrevField) => self.move_focus(false),
            Some(a @ (Command::PrevValue | Command::NextValue)) if on_choice => {
                if let Some(key) = self.cycle_choice(a == Command::NextValue) {
                    return FormReply::Chose(key);
                }
            }
            Some(Command::Save) => match self.fields.iter().find(|f| f.required && f.value().trim().is_empty()) {
                Some(f) => self.error = Some(format!("{}: 入力してください", f.label)),
                None => {
                    self.error = None;
                    return FormReply::Submit { again: armed == Some(Confirmable::SaveAgain) };
                }
            },
            _ => self.input_key(k),
        }
        FormReply::Stay
    }

    /// The store asks for a yes: `question` is shown, and saving again at once answers it
    /// (`FormReply::Submit { again: true }`); any other key first withdraws it.
    pub fn ask_again(&mut self, question: String) {
        self.confirm.arm(Confirmable::SaveAgain);
        self.error = Some(question);
    }

    /// The answer to [`FormReply::Submit`]: a refusal stays in the form.
    pub fn refuse(&mut self, reason: String) {
        self.error = Some(reason);
    }
}

/// A date as the forms show it.
pub fn date_text(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y/%m/%d").to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};

    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum K {
        Name,
        Kind,
    }

    fn form() -> Form<K> {
        Form::new(
            "試し",
            vec![
                Field::text(K::Name, "氏名", true, ""),
                Field::choice(K::Kind, "区分", vec!["甲".into(), "乙".into()], "乙"),
            ],
        )
    }

    fn press(f: &mut Form<K>, a: Option<Command>) -> FormReply<K> {
        f.on_key(a, KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE))
    }

    #[test]
    fn save_is_refused_while_a_required_field_is_empty() {
        let mut f = form();
        assert_eq!(press(&mut f, Some(Command::Save)), FormReply::Stay);
        assert_eq!(f.error.as_deref(), Some("氏名: 入力してください"));
        press(&mut f, None);
        assert_eq!(f.get(K::Name), "x");
        assert_eq!(press(&mut f, Some(Command::Save)), FormReply::Submit { again: false });
        assert!(f.error.is_none());
        f.ask_again("新しい機関として登録しますか".into());
        assert_eq!(press(&mut f, Some(Command::Save)), FormReply::Submit { again: true });
        f.ask_again("新しい機関として登録しますか".into());
        press(&mut f, None);
        assert_eq!(press(&mut f, Some(Command::Save)), FormReply::Submit { again: false }, "typing withdraws the yes");
    }

    #[test]
    fn a_changed_form_needs_esc_twice_and_an_unchanged_one_once() {
        let mut f = form();
        assert_eq!(press(&mut f, Some(Command::Cancel)), FormReply::Cancel);
        press(&mut f, None);
        assert_eq!(press(&mut f, Some(Command::Cancel)), FormReply::Stay);
        assert!(f.error.as_ref().unwrap().contains("もう一度 Esc"));
        assert_eq!(press(&mut f, Some(Command::Cancel)), FormReply::Cancel);
    }

    #[test]
    fn choices_are_read_by_position_and_report_their_key() {
        let mut f = form();
        assert_eq!(f.chosen(K::Kind), Some(1));
        press(&mut f, Some(Command::NextField));
        assert_eq!(press(&mut f, Some(Command::NextValue)), FormReply::Chose(K::Kind));
        assert_eq!((f.chosen(K::Kind), f.get(K::Kind).as_str()), (Some(0), "甲"));
    }

    #[test]
    fn values_come_back_after_restore() {
        let mut f = form();
        f.set_text(K::Name, "山田");
        let kept = f.values();
        let mut g = form();
        g.restore(kept);
        assert_eq!((g.get(K::Name).as_str(), g.get(K::Kind).as_str()), ("山田", "乙"));
        assert!(g.is_changed());
    }

    #[test]
    fn a_value_the_options_no_longer_hold_is_kept_not_replaced() {
        let f: Form<K> =
            Form::new("試し", vec![Field::choice(K::Kind, "ランク", vec!["高".into(), "中".into()], "低")]);
        assert_eq!(f.get(K::Kind), "低", "never the first option in its place");
        assert_eq!(f.chosen(K::Kind), Some(2));
    }
}
