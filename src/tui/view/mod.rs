//! Views: functions from the model to a frame. They read the model only and never change it.

mod footer;
mod header;
mod help;

pub use crate::tui::prep::view::detail_lines as prep_detail_lines;
pub use help::{area as help_area, lines as help_lines, max_scroll as help_max_scroll, section_start as help_section};

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
    footer::render(m, f, areas.status, areas.footer);
    render_form(m, f, areas.body);
    if let Some(scroll) = m.help {
        help::render(m, scroll, f, help::area(areas.body));
    }
}

fn render_screen(m: &Model, f: &mut Frame<'_>, body: Rect) {
    match m.screen {
        Screen::Ledger => crate::tui::ledger::view::render(m, f, body),
        Screen::Prep => crate::tui::prep::view::render(m, f, body),
        Screen::Meeting => crate::tui::meeting::view::render(m, f, body),
        Screen::Stats => crate::tui::stats::view::render(m, f, body),
    }
}

/// The form of the screen in front, if one is open: a box over the body, or beside the case on
/// a wide meeting screen.
///
/// While projecting, the meeting screen's forms show what is typed with every known name
/// blotted out (the facilitator types in front of the room); the ledger's and prep's forms show
/// nothing of their contents.
fn render_form(m: &Model, f: &mut Frame<'_>, body: Rect) {
    use crate::tui::form::view::{Shown, render_shown as render};
    let area = match m.screen {
        Screen::Meeting => crate::tui::meeting::view::form_area(m, body).unwrap_or_else(|| popup(body, 76, 30)),
        _ => popup(body, 76, 30),
    };
    let hidden = if m.present { Shown::Hidden } else { Shown::Plain };
    match m.screen {
        Screen::Ledger => {
            m.ledger.form.iter().for_each(|x| render(&x.form, f, area, hidden));
            m.ledger.record.iter().for_each(|x| x.render(f, popup(body, 76, 18), hidden));
        }
        Screen::Prep => m.prep.form.iter().for_each(|x| render(&x.form, f, area, hidden)),
        Screen::Meeting => {
            let shown = m.masker().map_or(Shown::Plain, Shown::Masked);
            m.meeting.form.iter().for_each(|x| render(&x.form, f, area, shown));
            m.meeting.record.iter().for_each(|x| x.render(f, popup(body, 76, 18), shown));
        }
        Screen::Stats => {}
    }
}

/// `n` with a comma every three digits (100,000).
pub(crate) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A centred box of at most `w`×`h`, never larger than `area`.
pub(crate) fn popup(area: Rect, w: u16, h: u16) -> Rect {
    let [v] = Layout::vertical([Constraint::Length(h.min(area.height))]).flex(Flex::Center).areas(area);
    let [r] = Layout::horizontal([Constraint::Length(w.min(area.width))]).flex(Flex::Center).areas(v);
    r
}

/// `s` padded to exactly `w` display columns, or cut with an ellipsis so a cut name shows it
/// was cut (「長谷川 ひま…」, not 「長谷川 ひま」).
pub(crate) fn fit(s: &str, w: usize) -> String {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    if s.width() <= w {
        return format!("{s}{}", " ".repeat(w - s.width()));
    }
    let ellipsis = crate::tui::glyphs::get().ellipsis;
    let room = w.saturating_sub(ellipsis.width());
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw > room {
            break;
        }
        used += cw;
        out.push(c);
    }
    if w >= ellipsis.width() {
        out.push_str(ellipsis);
        used += ellipsis.width();
    }
    out + &" ".repeat(w.saturating_sub(used))
}

#[cfg(test)]
mod tests {
    use unicode_width::UnicodeWidthStr;

    #[test]
    fn thousands_are_grouped() {
        let cases = [(0, "0"), (999, "999"), (1_000, "1,000"), (12_000, "12,000"), (100_000, "100,000")];
        for (n, text) in cases {
            assert_eq!(super::thousands(n), text);
        }
    }

    #[test]
    fn a_cut_text_says_so_and_every_result_has_the_width_asked() {
        let g = crate::tui::glyphs::get().ellipsis;
        assert_eq!(super::fit("長谷川 ひまり", 12), format!("長谷川 ひま{g}"));
        assert_eq!(super::fit("長谷川 ひまり", 11), format!("長谷川 ひ{g} "), "a wide character never half fits");
        assert_eq!(super::fit("山田", 6), "山田  ");
        for w in [0, 1, 2, 5, 12] {
            assert_eq!(super::fit("保健センター（母子保健）", w).width(), w);
        }
    }
}
