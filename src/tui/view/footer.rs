//! The status line (messages, errors in red) and the key lines generated from the keymap.
//!
//! Keys are shown in the keymap's order (its authors put the important ones first), the help
//! key always first. When they do not fit on the key line and no message is shown, they take
//! the status line too; what still does not fit is left to help.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Stylize;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use crate::tui::keymap::Command;
use crate::tui::model::Model;

/// The status line (`status`) and the key line (`keys`): the keys are laid out once and take
/// the status line too when no message is shown.
pub fn render(m: &Model, f: &mut Frame<'_>, status: Rect, keys: Rect) {
    let lines = key_lines(m, keys.width as usize);
    let top = match &m.status {
        Some(s) if s.error => Line::from(Span::raw(format!(" {}", s.text)).red().bold()),
        Some(s) => Line::from(Span::raw(format!(" {}", s.text)).green()),
        None => lines.get(1).map(|l| hint_line(l)).unwrap_or_default(),
    };
    f.render_widget(Paragraph::new(top), status);
    f.render_widget(Paragraph::new(lines.first().map(|l| hint_line(l)).unwrap_or_default()), keys);
}

/// The hints in the order shown: help first, then the mode's keys.
pub fn hints(m: &Model) -> Vec<(String, &'static str)> {
    // ←/→ only choose on a choice field; in a text field they move the cursor.
    let on_text = m.typing_in_form();
    let choice_keys = [Command::PrevValue.describe(), Command::NextValue.describe()];
    let mut all: Vec<_> =
        m.keymap.hints(m.mode()).into_iter().filter(|(_, d)| !(on_text && choice_keys.contains(d))).collect();
    if let Some(i) = all.iter().position(|(_, d)| *d == Command::Help.describe()) {
        let help = all.remove(i);
        all.insert(0, help);
    }
    all
}

fn width(hint: &(String, &'static str)) -> usize {
    hint.0.width() + 2 + hint.1.width() + 1
}

/// The hints on one line (status shown) or two (no status), each line within `w` columns.
fn key_lines(m: &Model, w: usize) -> Vec<Vec<(String, &'static str)>> {
    let rows = if m.status.is_some() { 1 } else { 2 };
    let mut lines: Vec<Vec<(String, &'static str)>> = vec![Vec::new()];
    let mut used = 0;
    for h in hints(m) {
        let hw = width(&h);
        if used + hw > w {
            if lines.len() == rows {
                continue;
            }
            lines.push(Vec::new());
            used = 0;
        }
        used += hw;
        if let Some(l) = lines.last_mut() {
            l.push(h);
        }
    }
    // The first hints (help among them) go on the bottom line, where they always are.
    lines.retain(|l| !l.is_empty());
    lines
}

fn hint_line(hints: &[(String, &'static str)]) -> Line<'static> {
    let mut spans = Vec::new();
    for (key, desc) in hints {
        spans.push(Span::raw(format!(" {key} ")).black().on_gray());
        spans.push(Span::raw(format!("{desc} ")));
    }
    Line::from(spans)
}
