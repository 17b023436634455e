//! The top line: where you are (screen, municipality, database, counts, today).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};

use crate::domain::wareki;
use crate::tui::model::Model;

pub fn render(m: &Model, f: &mut Frame<'_>, area: Rect) {
    let sep = || Span::raw(format!(" {} ", crate::tui::glyphs::get().bar)).dark_gray();
    let mut spans = vec![Span::raw(" shinko ").bold().black().on_cyan(), Span::raw(" ")];
    if m.present {
        spans.push(Span::raw("投影中").bold().black().on_magenta());
        spans.push(Span::raw(" "));
    }
    spans.extend([
        Span::raw(m.screen.title()).bold(),
        sep(),
        Span::raw(m.municipality.as_str()),
        sep(),
        Span::raw(m.db_label.as_str()),
        sep(),
        Span::raw(format!("継続 {}件", m.ledger.open_count())),
        sep(),
        Span::raw(wareki::display(m.today, true)),
    ]);
    f.render_widget(ratatui::widgets::Paragraph::new(Line::from(spans)).style(Style::default()), area);
}
