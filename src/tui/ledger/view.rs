//! The ledger table with its search and filter line. Rows are built only for the visible
//! window, so the cost of a frame does not grow with the ledger.

use ratatui::Frame;
use ratatui::layout::{Constraint, Position, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};
use unicode_width::UnicodeWidthStr;

use super::detail_view;
use crate::domain::{CaseStatus, wareki};
use crate::tui::layout;
use crate::tui::ledger::{FilterField, LedgerFocus, LedgerState};
use crate::tui::model::Model;
use crate::tui::view::{fit, thousands};

const SEARCH_LABEL: &str = " 検索: ";
/// The table width from which the 最終目視 column is shown.
const SEEN_COLUMN_FROM: u16 = 96;

pub fn render(m: &Model, f: &mut Frame<'_>, body: Rect) {
    let s = &m.ledger;
    let areas = layout::ledger(body, s.focus == LedgerFocus::Detail);
    render_bar(m, f, areas.bar);
    if !areas.table.is_empty() {
        render_table(m, f, areas.table);
    }
    if !areas.detail.is_empty() {
        detail_view::render(m, f, areas.detail);
    }
    if s.focus == LedgerFocus::Filter {
        render_filter_panel(m, f, crate::tui::view::popup(body, 56, 9));
    }
}

fn render_bar(m: &Model, f: &mut Frame<'_>, area: Rect) {
    let s = &m.ledger;
    let focused = s.focus == LedgerFocus::Search;
    let label_w = SEARCH_LABEL.width() as u16;
    let field_w: u16 = 24;
    let scroll = s.search.visual_scroll(field_w as usize);
    let query: String = skip_columns(s.search.value(), scroll);
    let query_style = if focused { Style::default().bg(Color::DarkGray) } else { Style::default() };
    let mut spans = vec![
        Span::raw(SEARCH_LABEL).bold(),
        Span::styled(fit(&query, field_w as usize), query_style),
        Span::raw(format!(" {}件/{}件 ", s.visible.len(), s.rows.len())),
        Span::raw(s.sort.label()).dark_gray(),
    ];
    if let Some(b) = s.building {
        // Until the index is read the table is its first page; what is typed waits for it.
        let waiting = !s.search.value().is_empty() || s.filter != Default::default() || s.sort != Default::default();
        spans[2] = Span::raw(format!(" 読み込み中 {}/{}件 ", thousands(b.read), thousands(b.counts.all))).yellow();
        if waiting {
            spans.push(Span::raw(" 検索・絞り込み・並び順は読み込み後に反映").yellow());
        }
    }
    let filters = filter_summary(m);
    if !filters.is_empty() {
        spans.push(Span::raw(format!(" 絞り込み: {filters}")).yellow());
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
    if focused {
        // The real cursor sits in the field so the IME composes there.
        let x = area.x + label_w + (s.search.visual_cursor().saturating_sub(scroll)) as u16;
        if x < area.right() && area.height > 0 {
            f.set_cursor_position(Position::new(x, area.y));
        }
    }
}

/// Drops the first `cols` display columns of `s` (the input's horizontal scroll).
fn skip_columns(s: &str, cols: usize) -> String {
    let mut w = 0;
    s.chars()
        .skip_while(|c| {
            let skip = w < cols;
            w += unicode_width::UnicodeWidthChar::width(*c).unwrap_or(0);
            skip
        })
        .collect()
}

fn filter_summary(m: &Model) -> String {
    let fl = &m.ledger.filter;
    let mut parts = Vec::new();
    if let Some(r) = fl.registration {
        parts.push(r.short().to_string());
    }
    if let Some(r) = &fl.rank {
        parts.push(format!("ランク{r}"));
    }
    if fl.lead_agency.is_some() {
        parts.push(format!("主担当 {}", m.agency_name(fl.lead_agency)));
    }
    if fl.affiliation.is_some() {
        parts.push(format!("所属 {}", m.agency_name(fl.affiliation)));
    }
    if fl.overdue {
        parts.push("期限超過".into());
    }
    if fl.unseen {
        parts.push(format!("目視{}日超なし", m.config.triage.unseen_days));
    }
    if fl.needs_check {
        parts.push("要確認".into());
    }
    if fl.include_closed {
        parts.push("終結含む".into());
    }
    parts.join("・")
}

fn render_table(m: &Model, f: &mut Frame<'_>, area: Rect) {
    let s: &LedgerState = &m.ledger;
    let height = layout::table_rows(area);
    // 要確認 gets its own column where there is room; a narrow table marks the case number.
    let alert_column = area.width >= 90;
    let end = (s.offset + height).min(s.visible.len());
    // 最終目視確認日 only where it fits beside the others (the detail pane always shows it).
    let wide = area.width >= SEEN_COLUMN_FROM;
    let rows: Vec<Row<'_>> = (s.offset..end)
        .map(|vi| {
            let r = &s.rows[s.visible[vi]];
            let overdue = r.status == CaseStatus::Open && r.next_review.is_some_and(|d| d < m.today);
            let review = r.next_review.map(wareki::format_short).unwrap_or_default();
            let review_cell = if overdue {
                Cell::from(format!("{review} 超過")).style(Style::default().fg(Color::Red).add_modifier(Modifier::BOLD))
            } else {
                Cell::from(review)
            };
            let reg = if r.status == CaseStatus::Open {
                r.registration.short().to_string()
            } else {
                r.status.label().to_string()
            };
            let (name, kana) = if m.present {
                (crate::tui::screen::shown_name(true, &r.name, &r.kana, &r.number), String::new())
            } else {
                (r.name.clone(), r.kana.clone())
            };
            let alert = Style::default().fg(Color::Red).add_modifier(Modifier::BOLD);
            let number = if r.alerts > 0 && !alert_column {
                Cell::from(Line::from(vec![Span::raw(r.number.clone()), Span::raw("●").style(alert)]))
            } else {
                Cell::from(r.number.as_str())
            };
            let mut cells = vec![
                number,
                Cell::from(name),
                Cell::from(kana),
                Cell::from(reg),
                Cell::from(r.rank.as_str()),
                Cell::from(m.agency_name(r.affiliation)),
                review_cell,
            ];
            if wide {
                cells.push(seen_cell(m, r));
            }
            if alert_column {
                cells.push(if r.alerts > 0 {
                    Cell::from(format!("●{}", r.alerts)).style(alert)
                } else {
                    Cell::from("")
                });
            }
            let mut row = Row::new(cells);
            if vi == s.selected {
                row = row.style(Style::default().add_modifier(Modifier::REVERSED));
            } else if r.status != CaseStatus::Open {
                row = row.style(Style::default().fg(Color::DarkGray));
            }
            row
        })
        .collect();
    let mut titles = vec!["ケース番号", "氏名", "ふりがな", "区分", "ランク", "所属", "次回確認"];
    let mut widths = vec![
        Constraint::Length(10),
        Constraint::Length(11),
        Constraint::Length(15),
        Constraint::Length(6),
        Constraint::Length(6),
        Constraint::Min(8),
        Constraint::Length(13),
    ];
    if wide {
        titles.push("最終目視");
        widths.push(Constraint::Length(9));
    }
    if alert_column {
        titles.push("要確認");
        widths.push(Constraint::Length(6));
    }
    let header = Row::new(titles).bold().underlined();
    let title =
        if s.loaded { " ケース一覧 ".to_string() } else { " ケース一覧（読み込み中） ".to_string() };
    let border = if s.focus == LedgerFocus::Table { Style::default().cyan() } else { Style::default() };
    let table = Table::new(rows, widths)
        .header(header)
        .column_spacing(1)
        .block(crate::tui::glyphs::block().title(title).border_style(border));
    f.render_widget(table, area);
    if s.loaded && s.visible.is_empty() {
        let inner =
            Rect { y: layout::table_first_row_y(area), height: 1, ..area.inner(ratatui::layout::Margin::new(1, 0)) };
        if inner.y < area.bottom() {
            f.render_widget(Paragraph::new("該当するケースはありません").dark_gray(), inner);
        }
    }
}

/// 最終目視確認日: なし or red when the child has gone unseen longer than `triage.unseen_days`;
/// never marked for an expectant mother (no child to see yet) or a closed case.
fn seen_cell<'a>(m: &Model, r: &crate::store::CaseRow) -> Cell<'a> {
    use crate::domain::contact;
    if !contact::has_child(r.registration) || r.status != CaseStatus::Open {
        return Cell::from(r.last_seen.map(wareki::format_short).unwrap_or_default());
    }
    let text = r.last_seen.map(wareki::format_short).unwrap_or_else(|| "なし".into());
    if contact::unseen(r.last_seen, m.today, m.config.triage.unseen_days) {
        Cell::from(text).style(Style::default().fg(Color::Red))
    } else {
        Cell::from(text)
    }
}

fn render_filter_panel(m: &Model, f: &mut Frame<'_>, area: Rect) {
    let s = &m.ledger;
    let fl = &s.filter;
    let any = "指定なし".to_string();
    let lines: Vec<Line<'_>> = FilterField::ALL
        .iter()
        .enumerate()
        .map(|(i, field)| {
            let value = match field {
                FilterField::Registration => fl.registration.map(|r| r.label().to_string()).unwrap_or(any.clone()),
                FilterField::Rank => fl.rank.clone().unwrap_or(any.clone()),
                FilterField::LeadAgency if fl.lead_agency.is_some() => m.agency_name(fl.lead_agency).to_string(),
                FilterField::Affiliation if fl.affiliation.is_some() => m.agency_name(fl.affiliation).to_string(),
                FilterField::LeadAgency | FilterField::Affiliation => any.clone(),
                FilterField::Overdue => if fl.overdue { "はい" } else { "いいえ" }.to_string(),
                FilterField::Unseen if fl.unseen => format!("{}日を超えて確認なし", m.config.triage.unseen_days),
                FilterField::Unseen => "いいえ".to_string(),
                FilterField::NeedsCheck => if fl.needs_check { "はい" } else { "いいえ" }.to_string(),
                FilterField::IncludeClosed => if fl.include_closed { "はい" } else { "いいえ" }.to_string(),
            };
            let label = field.label();
            let pad = 20usize.saturating_sub(label.width());
            let line =
                Line::from(vec![Span::raw(format!(" {label}{} ", " ".repeat(pad))), Span::raw(format!("< {value} >"))]);
            if i == s.filter_cursor { line.reversed() } else { line }
        })
        .collect();
    f.render_widget(ratatui::widgets::Clear, area);
    f.render_widget(
        Paragraph::new(lines).block(crate::tui::glyphs::block().title(" 絞り込み（Left/Right で変更） ")),
        area,
    );
}
