//! 年度統計: the figures of `shinko stats` as a summary and three bar charts (registered cases by
//! age band, cases reviewed per meeting split into quick and deep, outcomes of actions).

use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::{Bar, BarChart, BarGroup, Paragraph, Wrap};

use crate::domain::Registration;
use crate::domain::stats::{AGE_BANDS, YearStats};
use crate::exchange::stats_out::fiscal_label;
use crate::tui::model::Model;

const QUICK: Color = Color::Green;
const DEEP: Color = Color::Yellow;

pub fn render(m: &Model, f: &mut Frame<'_>, body: Rect) {
    let title = match m.stats.fiscal_year {
        Some(fy) => format!(" 年度統計 {fy}年度 "),
        None => " 年度統計 ".to_string(),
    };
    let Some(s) = m.stats.data.as_ref().filter(|s| Some(s.fiscal_year) == m.stats.fiscal_year) else {
        f.render_widget(
            Paragraph::new(format!("集計しています{}", crate::tui::glyphs::get().ellipsis))
                .block(crate::tui::glyphs::block().title(title)),
            body,
        );
        return;
    };
    let [summary, charts] = Layout::vertical([Constraint::Length(5), Constraint::Min(0)]).areas(body);
    render_summary(s, f, summary);
    let [left, right] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(charts);
    let [ages, actions] = Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(left);
    render_ages(s, f, ages);
    render_actions(s, f, actions);
    render_meetings(s, f, right);
}

fn render_summary(s: &YearStats, f: &mut Frame<'_>, area: Rect) {
    // Short labels (要保護・要支援・特妊) keep the line within 80 columns.
    let by_type = Registration::ALL
        .iter()
        .zip(&s.registered)
        .map(|(reg, r)| format!("{} {}", reg.short(), r.total))
        .collect::<Vec<_>>()
        .join("・");
    let held: usize = s.meetings_by_kind.iter().map(|c| c.count).sum();
    let per = s.reviewed_per_meeting().map(|x| format!("{x:.1}件")).unwrap_or_else(|| "-".into());
    let on_time = s.actions.on_time_percent().map(|p| format!("{p:.0}%")).unwrap_or_else(|| "-".into());
    let lines = vec![
        Line::from(format!(
            "登録 {}件（{by_type}）　新規 {}件　終結・移管 {}件",
            s.registered_total, s.new_total, s.closed_total
        )),
        Line::from(format!(
            "会議 {held}回　1回あたり {per}　一括確認 {}件・重点協議 {}件　期限内実施率 {on_time}",
            s.quick_total, s.deep_total
        )),
        Line::from(format!(
            "経過記録 {}件（目視確認 {}件）　出生 {}人（特定妊婦のケースから）",
            s.contacts.total, s.contacts.seen, s.newborns
        )),
    ];
    let title =
        format!(" 年度統計 {}　{}〜{} ", fiscal_label(s), s.from.format("%Y/%m/%d"), s.as_of.format("%Y/%m/%d"));
    f.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: true }).block(crate::tui::glyphs::block().title(title)),
        area,
    );
}

/// A horizontal chart: one labelled bar per (label, value), bars thicker when there is room.
fn bars<'a>(title: &'a str, items: Vec<(String, u64, Style)>, area: Rect) -> BarChart<'a> {
    let n = items.len().max(1) as u16;
    let inner = area.height.saturating_sub(2);
    let (width, gap) = if inner >= n * 2 { ((inner / n - 1).clamp(1, 2), 1) } else { (1, 0) };
    let bars: Vec<Bar> = items
        .into_iter()
        .map(|(label, value, style)| Bar::with_label(label, value).style(style).value_style(style.reversed()))
        .collect();
    BarChart::horizontal(bars).block(crate::tui::glyphs::block().title(title)).bar_width(width).bar_gap(gap)
}

fn render_ages(s: &YearStats, f: &mut Frame<'_>, area: Rect) {
    let items = AGE_BANDS
        .iter()
        .enumerate()
        .map(|(i, band)| {
            let n: usize = s.registered.iter().map(|r| r.bands[i]).sum();
            (band.to_string(), n as u64, Style::new().fg(Color::Cyan))
        })
        .collect();
    f.render_widget(bars(" 登録ケース（年齢別） ", items, area), area);
}

fn render_actions(s: &YearStats, f: &mut Frame<'_>, area: Rect) {
    let a = &s.actions;
    let items = [
        ("期限内に実施", a.done_on_time, Color::Green),
        ("期限後に実施", a.done_late, Color::Yellow),
        ("実施不可", a.not_possible, Color::Gray),
        ("未実施", a.not_done, Color::Red),
        ("未確認・超過", a.open_overdue, Color::Red),
        ("未確認・期限前", a.open_not_due, Color::Gray),
    ]
    .into_iter()
    .map(|(l, n, c)| (l.to_string(), n as u64, Style::new().fg(c)))
    .collect();
    f.render_widget(bars(" 役割分担の結果（期限が年度内） ", items, area), area);
}

fn render_meetings(s: &YearStats, f: &mut Frame<'_>, area: Rect) {
    let block = crate::tui::glyphs::block().title(" 会議別の協議件数（一括/重点） ");
    if s.meetings.is_empty() {
        f.render_widget(Paragraph::new("この年度に開催した会議はありません").block(block), area);
        return;
    }
    // Each meeting takes two bars and a gap; show the latest that fit.
    let fit = (area.height.saturating_sub(2) as usize).div_ceil(3).max(1);
    let shown = &s.meetings[s.meetings.len().saturating_sub(fit)..];
    let groups: Vec<BarGroup> = shown
        .iter()
        .map(|mr| {
            BarGroup::with_label(
                mr.date.format("%m/%d").to_string(),
                vec![
                    Bar::with_label("一括", mr.quick as u64)
                        .style(QUICK)
                        .value_style(Style::new().fg(QUICK).reversed()),
                    Bar::with_label("重点", mr.deep as u64).style(DEEP).value_style(Style::new().fg(DEEP).reversed()),
                ],
            )
        })
        .collect();
    let chart =
        BarChart::grouped(groups).direction(Direction::Horizontal).block(block).bar_width(1).bar_gap(0).group_gap(1);
    f.render_widget(chart, area);
}
