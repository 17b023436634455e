//! A form over the screen: one line per field, 援助方針 as a wrapped multi-line box. The real
//! terminal cursor is put where the user types, so the IME composition window appears there.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use crate::domain::mask::Masker;
use crate::tui::form::pick::Offer;
use crate::tui::form::{FieldValue, Form};

const LABEL_W: u16 = 16;
const MULTI_H: u16 = 5;

fn height(v: &FieldValue) -> u16 {
    if matches!(v, FieldValue::Multi(_)) { MULTI_H } else { 1 }
}

/// How a form's contents are shown: as typed, with every known name blotted out (the meeting
/// screen's forms while projecting), or not at all (other forms while projecting).
#[derive(Clone, Copy)]
pub enum Shown<'a> {
    Plain,
    Masked(&'a Masker),
    Hidden,
}

/// What a form opened while projecting shows instead of its contents.
pub const HIDDEN_WHILE_PRESENTING: &str = "投影中のため入力内容は表示しません";

pub fn render<K: Copy + PartialEq>(form: &Form<K>, f: &mut Frame<'_>, area: Rect) {
    render_shown(form, f, area, Shown::Plain)
}

pub fn render_shown<K: Copy + PartialEq>(form: &Form<K>, f: &mut Frame<'_>, area: Rect, shown: Shown<'_>) {
    f.render_widget(Clear, area);
    let block = crate::tui::glyphs::block().title(format!(" {} （F10 保存 / Esc 取消） ", form.title)).cyan();
    let inner = block.inner(area);
    f.render_widget(block, area);
    if let Shown::Hidden = shown {
        // Not even the error: it may quote what was typed.
        f.render_widget(
            Paragraph::new(Span::raw(HIDDEN_WHILE_PRESENTING).yellow().bold()).wrap(Wrap { trim: true }),
            inner,
        );
        return;
    }
    let masker = match shown {
        Shown::Masked(mk) => Some(mk),
        _ => None,
    };
    if inner.height < 2 || inner.width <= LABEL_W + 2 {
        return;
    }
    // The last two lines hold a hint (or an error too long for its line).
    let fields_h = inner.height.saturating_sub(2);
    let value_w = inner.width - LABEL_W - 1;
    // A refusal is shown under the field it names (「次回確認日: …」), else under the focused one.
    let err_at = form
        .error
        .as_ref()
        .map(|e| form.fields.iter().position(|fl| e.starts_with(&format!("{}:", fl.label))).unwrap_or(form.focus));
    // The focused agency field lists what fits on the line under it.
    let offer = form.focused().offer();
    let offer_at = (offer != Offer::Nothing).then_some(form.focus);
    let row_h =
        |i: usize| height(&form.fields[i].value) + u16::from(err_at == Some(i)) + u16::from(offer_at == Some(i));
    // Scroll so the focused field (and the refused one) is on screen.
    let last = err_at.map_or(form.focus, |e| e.max(form.focus));
    let mut top = 0usize;
    loop {
        let used: u16 = (top..=last).map(row_h).sum();
        if used <= fields_h || top == form.focus.min(last) {
            break;
        }
        top += 1;
    }
    let mut y = inner.y;
    for (i, field) in form.fields.iter().enumerate().skip(top) {
        let h = height(&field.value);
        if y + row_h(i) > inner.y + fields_h {
            break;
        }
        let focused = i == form.focus;
        let mark = if field.required { "*" } else { " " };
        let label = format!("{mark}{}", field.label);
        let pad = (LABEL_W as usize).saturating_sub(label.width());
        let label_style = match (focused, field.idle) {
            (true, _) => Style::default().bold().yellow(),
            (false, true) => Style::default().dark_gray(),
            (false, false) => Style::default(),
        };
        f.render_widget(
            Paragraph::new(Span::styled(format!("{label}{}", " ".repeat(pad)), label_style)),
            Rect::new(inner.x, y, LABEL_W, 1),
        );
        let value_area = Rect::new(inner.x + LABEL_W + 1, y, value_w, h);
        render_value(&field.value, focused, f, value_area, masker);
        y += h;
        if offer_at == Some(i) {
            // Agency names only: no person is offered.
            f.render_widget(
                Paragraph::new(offer_line(&offer, form.focused().is_multiline())),
                Rect::new(inner.x + LABEL_W + 1, y, value_w, 1),
            );
            y += 1;
        }
        if let (Some(e), true) = (&form.error, err_at == Some(i)) {
            f.render_widget(
                Paragraph::new(Span::raw(scrub(masker, e)).red().bold()),
                Rect::new(inner.x + LABEL_W + 1, y, value_w, 1),
            );
            y += 1;
        }
    }
    let long = form.error.as_ref().filter(|e| e.width() > value_w as usize);
    let msg = match long {
        Some(e) => Line::from(Span::raw(scrub(masker, e)).red().bold()),
        None => Line::from(Span::raw("* は必須。日付は 2024/4/1・令和6年4月1日・R6.4.1 のどれでも可").dark_gray()),
    };
    f.render_widget(
        Paragraph::new(msg).wrap(Wrap { trim: true }),
        Rect::new(inner.x, inner.y + fields_h, inner.width, 2),
    );
}

/// 「↓ で選択: 東小学校 ｜ 東中学校」, the chosen one reversed (the hint first, so a narrow
/// screen cuts names rather than the keys); or that the name is new.
fn offer_line(offer: &Offer, multi: bool) -> Line<'static> {
    match offer {
        Offer::Nothing => Line::default(),
        Offer::New => Line::from(Span::raw("登録にない機関です（保存するときに新規登録を確認します）").yellow()),
        Offer::Candidates { names, chosen, resolved } => {
            let hint = match (multi, resolved, chosen) {
                (_, _, Some(_)) => "Tab で決定: ",
                (true, true, None) => "／ で登録名に: ",
                (true, false, None) => "候補: ",
                (false, _, None) => "↓ で選択: ",
            };
            let mut spans = vec![Span::raw(hint).dark_gray()];
            for (i, n) in names.iter().enumerate() {
                if i > 0 {
                    spans.push(Span::raw(" ｜ ").dark_gray());
                }
                let style = if *chosen == Some(i) { Style::default().reversed() } else { Style::default().cyan() };
                spans.push(Span::styled(n.clone(), style));
            }
            Line::from(spans)
        }
    }
}

fn scrub(masker: Option<&Masker>, text: &str) -> String {
    masker.map_or_else(|| text.to_string(), |mk| mk.scrub(text))
}

/// The cursor's column in the masked rendering of `line`: the width of the masked text
/// before it (a name being typed under the cursor is blotted whole once it is complete).
fn masked_column(mk: &Masker, line: &str, cursor_chars: usize) -> usize {
    let before: String = line.chars().take(cursor_chars).collect();
    mk.scrub(&before).width()
}

/// `text` cut into rows of at most `w` columns (at least one row, empty for an empty line).
fn wrap(text: &str, w: usize) -> Vec<String> {
    let mut rows = vec![String::new()];
    let mut used = 0;
    for c in text.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + cw > w {
            rows.push(String::new());
            used = 0;
        }
        if let Some(r) = rows.last_mut() {
            r.push(c);
        }
        used += cw;
    }
    rows
}

fn render_value(v: &FieldValue, focused: bool, f: &mut Frame<'_>, area: Rect, masker: Option<&Masker>) {
    let bg = if focused { Style::default().bg(Color::DarkGray) } else { Style::default() };
    match (v, masker) {
        (FieldValue::Text(input), Some(mk)) => {
            let shown = mk.scrub(input.value());
            let w = area.width as usize;
            let col = masked_column(mk, input.value(), input.cursor()).min(shown.width());
            // Scrolled so the cursor stays on the line.
            let scroll = col.saturating_sub(w.saturating_sub(1));
            f.render_widget(Paragraph::new(shown).style(bg).scroll((0, scroll as u16)), area);
            if focused {
                let x = area.x + (col - scroll) as u16;
                if x < area.right() {
                    f.set_cursor_position(Position::new(x, area.y));
                }
            }
        }
        (FieldValue::Multi(ta), Some(mk)) => {
            // Wrapped like the text area (soft wrap at the width), each line masked as a whole.
            let ratatui_textarea::DataCursor(row, col) = ta.cursor();
            let w = (area.width as usize).max(2);
            let mut rows: Vec<String> = Vec::new();
            let mut cursor = (0usize, 0usize);
            for (i, line) in ta.lines().iter().enumerate() {
                if i == row {
                    let before: String = line.chars().take(col).collect();
                    let chunks = wrap(&mk.scrub(&before), w);
                    let last = chunks.last().map_or(0, |c| c.width());
                    cursor = (rows.len() + chunks.len() - 1, last);
                }
                rows.extend(wrap(&mk.scrub(line), w));
            }
            let h = area.height as usize;
            let top = cursor.0.saturating_sub(h.saturating_sub(1));
            let text: Vec<Line<'static>> = rows.into_iter().skip(top).take(h).map(Line::from).collect();
            f.render_widget(Paragraph::new(text).style(bg), area);
            if focused {
                let x = area.x + cursor.1.min(w - 1) as u16;
                let y = area.y + (cursor.0 - top) as u16;
                if y < area.bottom() {
                    f.set_cursor_position(Position::new(x, y));
                }
            }
        }
        (FieldValue::Text(input), None) => {
            let w = area.width as usize;
            let scroll = input.visual_scroll(w.saturating_sub(1));
            f.render_widget(Paragraph::new(input.value()).style(bg).scroll((0, scroll as u16)), area);
            if focused {
                let x = area.x + (input.visual_cursor().saturating_sub(scroll)) as u16;
                if x < area.right() {
                    f.set_cursor_position(Position::new(x, area.y));
                }
            }
        }
        (FieldValue::Choice { options, index, shown }, _) => {
            let text = shown.get(*index).or(options.get(*index)).map(String::as_str).unwrap_or("");
            let hint = if focused { "  (Left/Right で選択)" } else { "" };
            f.render_widget(
                Paragraph::new(Line::from(vec![Span::styled(format!("< {text} >"), bg), Span::raw(hint).dark_gray()])),
                area,
            );
        }
        (FieldValue::Multi(ta), None) => {
            let mut ta = (**ta).clone();
            ta.set_style(bg);
            ta.set_cursor_style(if focused { cursor_style() } else { bg });
            f.render_widget(&ta, area);
            if focused && let Some(p) = find_cursor(f.buffer_mut(), area) {
                f.set_cursor_position(p);
            }
        }
    }
}

/// ratatui-textarea draws its cursor as a styled cell and keeps its scroll private; this style
/// marks that cell so it can be found after rendering.
fn cursor_style() -> Style {
    Style::default().add_modifier(Modifier::REVERSED)
}

fn find_cursor(buf: &Buffer, area: Rect) -> Option<Position> {
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            if buf[(x, y)].modifier.contains(Modifier::REVERSED) {
                return Some(Position::new(x, y));
            }
        }
    }
    None
}
