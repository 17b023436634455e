//! Views: functions from the model to a frame. They read the model only and never change it.

mod footer;
mod header;
mod help;

pub use crate::tui::prep::view::detail_lines as prep_detail_lines;
pub use help::lines as help_lines;

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};

use super::layout;
use super::model::{Model, Screen};

pub fn render(m: &Model, f: &mut Frame<'_>) {
    if m.meeting.locked {
        return crate::tui::meeting::view::render_lock(f);
    }
    let areas = layout::frame((f.area().width, f.area().height));
    header::render(m, f, areas.header);
    render_screen(m, f, areas.body);
    footer::render_status(m, f, areas.status);
    footer::render_keys(m, f, areas.footer);
    if let Some(form) = &m.form {
        crate::tui::form::view::render(form, f, popup(areas.body, 76, 30));
    }
    if let Some(scroll) = m.help {
        help::render(m, scroll, f, popup(areas.body, 72, 40));
    }
}

fn render_screen(m: &Model, f: &mut Frame<'_>, body: Rect) {
    if m.screen == Screen::Meeting {
        return crate::tui::meeting::view::render(m, f, body);
    }
    match m.screen {
        Screen::Ledger => crate::tui::ledger::view::render(m, f, body),
        Screen::Prep => crate::tui::prep::view::render(m, f, body),
        Screen::Meeting => placeholder(m, f, body),
        Screen::Stats => crate::tui::stats::view::render(m, f, body),
    }
}

/// A screen that is not built yet says so instead of showing nothing.
fn placeholder(m: &Model, f: &mut Frame<'_>, body: Rect) {
    use ratatui::widgets::Paragraph;
    let text = format!("{}の画面は準備中です。Alt+1 または F9 で台帳に戻れます。", m.screen.title());
    f.render_widget(Paragraph::new(text).block(crate::tui::glyphs::block().title(m.screen.title())), body);
}

/// A centred box of at most `w`×`h`, never larger than `area`.
pub(crate) fn popup(area: Rect, w: u16, h: u16) -> Rect {
    let [v] = Layout::vertical([Constraint::Length(h.min(area.height))]).flex(Flex::Center).areas(area);
    let [r] = Layout::horizontal([Constraint::Length(w.min(area.width))]).flex(Flex::Center).areas(v);
    r
}

/// `s` cut or padded to exactly `w` display columns.
pub(crate) fn fit(s: &str, w: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + cw > w {
            break;
        }
        used += cw;
        out.push(c);
    }
    out + &" ".repeat(w - used)
}
