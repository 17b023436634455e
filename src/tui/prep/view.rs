//! 会議準備: the meeting, the plan per session, both tracks side by side and the selected
//! case's reasons, 事務局案, questions and merged sheets.

use crate::tui::lines::{SheetDetail, heading, kv, merged_sheets};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::domain::sheet_merge::MergedSheets;
use crate::domain::{AgendaItem, wareki};
use crate::tui::model::Model;
use crate::tui::prep::{self, Column, PrepData};
use crate::tui::screen::shown_name;

pub fn render(m: &Model, f: &mut Frame<'_>, body: Rect) {
    let s = &m.prep;
    let Some(d) = &s.data else {
        f.render_widget(
            Paragraph::new(crate::tui::glyphs::loading()).block(crate::tui::glyphs::block().title(" 会議準備 ")),
            body,
        );
        return;
    };
    let a = prep::areas(body, d.plan_rows());
    render_title(m, d, f, a.title);
    render_plan(d, &m.config, f, a.plan);
    for c in [Column::Quick, Column::Deep] {
        render_track(m, d, c, f, if c == Column::Quick { a.quick } else { a.deep });
    }
    render_detail(m, d, f, a.detail);
}

fn render_title(m: &Model, d: &PrepData, f: &mut Frame<'_>, area: Rect) {
    // A plan that cannot fit its sessions says so first, with how many more it needs.
    let short: Vec<String> = crate::domain::agenda::shortfalls(&d.plan)
        .iter()
        .map(|s| {
            format!(
                "{} あと{}日程",
                crate::domain::agenda::section_label(&m.config, s.section.as_deref()),
                s.more_sessions
            )
        })
        .collect();
    let line = match &d.meeting {
        Some(mt) if !short.is_empty() => Line::from(vec![
            Span::raw(format!(" {} ", mt.title)).bold(),
            Span::raw(format!(" 日程が足りません: {} ", short.join("、"))).white().on_red(),
        ]),
        Some(mt) => {
            let mut spans =
                vec![Span::raw(format!(" {} ", mt.title)).bold(), Span::raw(format!("［{}］", mt.status.label()))];
            if !d.reply_status.is_empty() {
                let done = d.reply_status.iter().filter(|r| r.is_complete()).count();
                let text = format!(" 事前確認 回答{done}/{}機関", d.reply_status.len());
                spans.push(if done == d.reply_status.len() {
                    Span::raw(text).green()
                } else {
                    Span::raw(text).yellow()
                });
            }
            spans.push(Span::raw(format!(" 場所 {}", mt.place)).dark_gray());
            Line::from(spans)
        }
        None => Line::from(" 会議がありません。shinko meeting new で作成してください").yellow(),
    };
    f.render_widget(Paragraph::new(line), area);
}

/// One line per session; narrow terminals get the short form so the end time stays visible.
fn render_plan(d: &PrepData, cfg: &crate::domain::Config, f: &mut Frame<'_>, area: Rect) {
    let hm = |t: chrono::NaiveTime| t.format("%H:%M").to_string();
    let wide = area.width >= 100;
    // A plan that runs over draws what fits first, before the sessions it overfills.
    let mut lines: Vec<Line> = Vec::new();
    for p in &d.capacity {
        let label = crate::domain::agenda::section_label(cfg, p.section.as_deref());
        let key = if p.deferrals.is_empty() { "" } else { "（c で適用）" };
        lines.push(Line::from(format!(" 収まる案 {}{key}", p.message(&label))).yellow());
        lines.push(Line::from(format!("   {}", p.schedule_line(&label))).yellow());
        lines.push(Line::from(format!("   {}", p.threshold_line(&label))).yellow());
    }
    let sessions: Vec<Line> = d
        .plan
        .sessions
        .iter()
        .map(|p| {
            let s = &p.session;
            let n = p.action_review.len();
            let counts = match (wide, n) {
                (true, 0) => format!("一括{}・重点{}件", p.quick, p.deep),
                (true, _) => format!("一括{}・重点{}件・前回の役割分担{n}件", p.quick, p.deep),
                (false, 0) => format!("一括{} 重点{}", p.quick, p.deep),
                (false, _) => format!("一括{} 重点{} 役割確認{n}", p.quick, p.deep),
            };
            let end = if wide {
                format!("終了見込 {}", hm(p.expected_end))
            } else {
                format!("終了{}", hm(p.expected_end))
            };
            let over = if p.over_minutes > 0 { format!(" {}分超過", p.over_minutes) } else { String::new() };
            let when = if wide {
                format!("{} {}", s.date.format("%m/%d"), hm(s.start))
            } else {
                s.date.format("%m/%d").to_string()
            };
            let text = format!(" {} {when} {counts} {:.0}/{}分 {end}{over}", s.label, p.minutes, s.budget_minutes());
            if p.over_minutes > 0 { Line::from(Span::raw(text).red().bold()) } else { Line::from(text) }
        })
        .collect();
    lines.extend(sessions);
    if !d.plan.unassigned.is_empty() {
        lines.push(Line::from(format!(" 日程未定 {}件", d.plan.unassigned.len())).yellow());
    }
    f.render_widget(Paragraph::new(lines), area);
}

fn session_mark(d: &PrepData, i: &AgendaItem) -> String {
    match i.session_id.and_then(|id| d.sessions.iter().position(|s| s.id == id)) {
        Some(n) => format!("{}", n + 1),
        None => "-".into(),
    }
}

fn render_track(m: &Model, d: &PrepData, c: Column, f: &mut Frame<'_>, area: Rect) {
    let s = &m.prep;
    let col = s.column(c);
    let minutes: f64 = col.len() as f64
        * if c == Column::Quick { m.config.budget.quick_minutes } else { m.config.budget.deep_minutes };
    let title = format!(" {} {}件 {:.0}分 ", c.track().label(), col.len(), minutes);
    let focused = s.focus == c;
    let rows = prep::list_rows(area);
    let sel = s.selected[c as usize];
    let start = prep::window_start(sel, rows);
    let mut lines: Vec<Line> = col
        .iter()
        .enumerate()
        .skip(start)
        .take(rows)
        .map(|(n, &i)| {
            let item = &d.items[i];
            let case = d.case(item.case_id);
            let lock = if item.locked { "固" } else { "  " };
            let reason = item.reasons.first().map(String::as_str).unwrap_or("");
            let name = case.map(|c| shown_name(m.present, &c.name, &c.kana, &c.number)).unwrap_or_default();
            let text = format!(
                "{lock}{} {} {name} {} {}",
                session_mark(d, item),
                case.map(|c| c.number.as_str()).unwrap_or(""),
                case.map(|c| c.rank.as_str()).unwrap_or(""),
                reason
            );
            let mut line = Line::from(text);
            if n == sel {
                line = if focused { line.reversed() } else { line.underlined() };
            }
            line
        })
        .collect();
    if col.is_empty() {
        lines.push(
            Line::from(if d.items.is_empty() { "議事次第がありません（F8 で作成）" } else { "なし" }).dark_gray(),
        );
    }
    let border = if focused { Style::default().cyan() } else { Style::default() };
    f.render_widget(Paragraph::new(lines).block(crate::tui::glyphs::block().title(title).border_style(border)), area);
}

fn render_detail(m: &Model, d: &PrepData, f: &mut Frame<'_>, area: Rect) {
    let item = m.prep.selected_item();
    let case = item.and_then(|i| d.case(i.case_id));
    let (title, lines) = match (item, case) {
        (Some(i), Some(c)) => (format!(" ケース {} ", c.number), detail_lines(m, i, m.prep.merged())),
        _ => (" ケース ".to_string(), vec![Line::from("議題を選んでください")]),
    };
    let p = crate::tui::lines::pane(lines, crate::tui::glyphs::block().title(title), area);
    f.render_widget(p, area);
}

/// The selected case's text (tests read it too).
pub fn detail_lines(m: &Model, item: &AgendaItem, merged: Option<MergedSheets>) -> Vec<Line<'static>> {
    let d = m.prep.data.as_ref();
    let Some(c) = d.and_then(|d| d.case(item.case_id)) else { return vec![] };
    let date = |x: Option<chrono::NaiveDate>| x.map(|d| wareki::display(d, true)).unwrap_or_else(|| "-".into());
    // 投影モード: initials, and every name in the ledger blotted out of the free text.
    let masker = m.masker();
    let mask = |t: &str| masker.map(|mk| mk.scrub(t)).unwrap_or_else(|| t.to_string());
    let ranks = m.config.rank_scheme(c.registration);
    let (name, kana) = if m.present {
        (shown_name(true, &c.name, &c.kana, &c.number), String::new())
    } else {
        (c.name.clone(), format!("（{}）", c.kana))
    };
    let mut out = vec![
        Line::from(vec![
            Span::raw(name).bold(),
            Span::raw(format!("{kana} {} ランク {}", c.registration.label(), ranks.describe(&c.rank))),
            Span::raw(if item.locked { " 固定中" } else { "" }).yellow(),
        ]),
        kv("所属", format!("{} {}", m.agency_name(c.affiliation), c.grade)),
        heading(&format!("{}の理由", item.track.label())),
    ];
    out.extend(item.reasons.iter().map(|r| Line::from(format!("・{}", mask(r)))));
    let dr = &item.draft;
    out.push(heading("事務局案"));
    out.push(kv("状況", mask(&dr.summary)));
    out.push(kv("援助方針", mask(&dr.policy)));
    out.push(kv(
        "ランク",
        dr.rank.as_deref().map_or_else(|| format!("{}（変更なし）", ranks.describe(&c.rank)), |r| ranks.describe(r)),
    ));
    out.push(kv("次回確認", date(dr.next_review)));
    if let Some(r) = &dr.close_reason {
        out.push(kv("終結の提案", format!("{}{}", mask(r), crate::tui::lines::category(&dr.close_category))));
    }
    if item.track == crate::domain::Track::Quick || d.is_some_and(|d| d.replies.iter().any(|r| r.case_id == c.id)) {
        out.extend(reply_lines(m, item, &mask));
    }
    if !item.questions.is_empty() {
        out.push(heading("機関への質問"));
        for q in &item.questions {
            out.push(Line::from(format!("・{}: {}", m.agency_name(Some(q.agency_id)), mask(&q.text))));
        }
    }
    out.push(heading("アセスメントシート"));
    if let Some(ms) = merged {
        out.extend(merged_sheets(&ms, &m.config, &m.agencies, SheetDetail::Full, &mask));
    }
    out
}

/// 事前確認: each involved institution's reply, and which have not replied yet.
fn reply_lines(m: &Model, item: &AgendaItem, mask: &dyn Fn(&str) -> String) -> Vec<Line<'static>> {
    let Some(d) = m.prep.data.as_ref() else { return vec![] };
    let mine: Vec<_> = d.replies.iter().filter(|r| r.case_id == item.case_id).cloned().collect();
    let mut out = vec![heading("事前確認")];
    out.extend(crate::tui::lines::replies(&mine, |id| m.agency_name(Some(id)).to_string(), mask));
    let waiting: Vec<String> = d
        .involved(item.case_id)
        .into_iter()
        .filter(|a| !mine.iter().any(|r| r.agency_id == *a))
        .filter(|a| m.agencies.iter().any(|x| x.id == *a && x.kind != crate::domain::AgencyKind::Secretariat))
        .map(|a| m.agency_name(Some(a)).to_string())
        .collect();
    if !waiting.is_empty() {
        out.push(Line::from(format!("  未回答: {}", waiting.join("、"))).dark_gray());
    }
    out
}
