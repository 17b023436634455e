//! The status line (messages, errors in red) and the key line generated from the keymap.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Stylize;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::keymap::Command;
use crate::tui::model::Model;

pub fn render_status(m: &Model, f: &mut Frame<'_>, area: Rect) {
    let line = match &m.status {
        Some(s) if s.error => Line::from(Span::raw(format!(" {}", s.text)).red().bold()),
        Some(s) => Line::from(Span::raw(format!(" {}", s.text)).green()),
        None => Line::from(""),
    };
    f.render_widget(Paragraph::new(line), area);
}

pub fn render_keys(m: &Model, f: &mut Frame<'_>, area: Rect) {
    // ←/→ only choose on a choice field; in a text field they move the cursor.
    let on_text = m.typing_in_form();
    let choice_keys = [Command::PrevValue.describe(), Command::NextValue.describe()];
    let mut spans = Vec::new();
    for (key, desc) in m.keymap.hints(m.mode()) {
        if on_text && choice_keys.contains(&desc) {
            continue;
        }
        spans.push(Span::raw(format!(" {key} ")).black().on_gray());
        spans.push(Span::raw(format!("{desc} ")));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
