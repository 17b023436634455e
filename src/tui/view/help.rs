//! Help generated from the keymap itself: every mode, every action, every key.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Stylize;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

use crate::tui::keymap::{Keymap, Mode};
use crate::tui::model::Model;

/// Lines of the help text (also used by tests).
pub fn lines(km: &Keymap) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for mode in Mode::ALL {
        let b = km.bindings(mode);
        if b.is_empty() {
            continue;
        }
        out.push(Line::from(Span::raw(format!("[{}]", mode.label())).bold().cyan()));
        for (action, keys) in b {
            let k = keys.iter().map(|k| k.label()).collect::<Vec<_>>().join(", ");
            let pad = 22usize.saturating_sub(k.width());
            out.push(Line::from(vec![
                Span::raw(format!("  {k}{}", " ".repeat(pad))).bold(),
                Span::raw(action.describe()),
            ]));
        }
        out.push(Line::from(""));
    }
    out
}

/// The line where `mode`'s section starts, so help opens at the keys of the screen in front.
pub fn section_start(km: &Keymap, mode: Mode) -> u16 {
    let title = format!("[{}]", mode.label());
    let at = lines(km).iter().position(|l| l.to_string() == title).unwrap_or(0);
    u16::try_from(at).unwrap_or(0)
}

/// The last scroll position that still fills the box (`rows` lines tall).
pub fn max_scroll(km: &Keymap, rows: u16) -> u16 {
    u16::try_from(lines(km).len()).unwrap_or(u16::MAX).saturating_sub(rows)
}

/// The help box in the body.
pub fn area(body: Rect) -> Rect {
    super::popup(body, 72, 40)
}

pub fn render(m: &Model, scroll: u16, f: &mut Frame<'_>, area: Rect) {
    f.render_widget(Clear, area);
    let block = crate::tui::glyphs::block().title(" キー操作の一覧（Esc で閉じる） ");
    f.render_widget(Paragraph::new(lines(&m.keymap)).block(block).scroll((scroll, 0)), area);
}
