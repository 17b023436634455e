//! 会議進行 screen: the meeting's parts, the timers, attendance, the review of last meeting's
//! actions, and the agenda walk (side list + the current item with its 事務局案, reasons,
//! merged sheets and history). In presentation mode names are initials and the fields the
//! configuration marks private are hidden.

use crate::tui::lines::{SheetDetail, heading, merged_sheets};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use crate::domain::meeting::live::{self, Phase};
use crate::domain::report_months::ReportMonths;
use crate::domain::{Id, ItemState, MeetingStatus, Track, wareki};
use crate::tui::glyphs;
use crate::tui::meeting::{ItemView, MeetingData, MeetingState, shown_name};
use crate::tui::model::Model;
use crate::tui::view::fit;

/// The idle lock: nothing of the meeting stays on the projector.
pub fn render_lock(f: &mut Frame<'_>) {
    let area = f.area();
    f.render_widget(Clear, area);
    let y = area.y + area.height / 2;
    let text = "画面をロックしました。何かキーを押すと戻ります";
    f.render_widget(Paragraph::new(text).centered().dark_gray(), Rect::new(area.x, y, area.width, 1.min(area.height)));
}

pub fn render(m: &Model, f: &mut Frame<'_>, area: Rect) {
    let s = &m.meeting;
    let Some(d) = &s.data else {
        let text = if s.loading {
            glyphs::loading()
        } else {
            "開催予定の会議がありません。会議準備の画面で会議を作成し、議事次第を作ってください。".to_string()
        };
        f.render_widget(
            Paragraph::new(text).wrap(Wrap { trim: true }).block(crate::tui::glyphs::block().title(" 会議進行 ")),
            area,
        );
        return;
    };
    let [top, timers, _] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1), Constraint::Min(0)]).areas(area);
    let body = agenda_area(area);
    f.render_widget(Paragraph::new(title_line(s, d)), top);
    f.render_widget(Paragraph::new(timer_line(m, d)), timers);
    match d.meeting.status {
        MeetingStatus::Planned => render_start(d, f, body),
        MeetingStatus::Closed => {
            let done = d.items.iter().filter(|i| i.item.state == ItemState::Done).count();
            let text = format!("この会議は終了しました（協議 {done} 件）。台帳に反映済みです。");
            f.render_widget(Paragraph::new(text).block(crate::tui::glyphs::block()), body);
        }
        MeetingStatus::InProgress => match s.phase {
            Phase::Attendance => render_attendance(m, d, f, body),
            Phase::ActionReview => render_reviews(m, d, f, body),
            Phase::Agenda => render_agenda(m, d, f, body),
        },
    }
}

fn title_line(s: &MeetingState, d: &MeetingData) -> Line<'static> {
    let mut spans = vec![Span::raw(format!(" {} ", d.meeting.title)).bold()];
    for p in Phase::ALL {
        let label = format!(" {} ", p.label());
        spans.push(if p == s.phase { Span::raw(label).black().on_yellow() } else { Span::raw(label).dark_gray() });
    }
    if d.read_only.is_some() {
        spans.push(Span::raw(" 閲覧のみ ").white().on_red());
    }
    Line::from(spans)
}

/// 議題 mm:ss/予算 │ 部会 spent │ 終了見込 hh:mm（予定 hh:mm） and the overrun warning.
fn timer_line(m: &Model, d: &MeetingData) -> Line<'static> {
    let g = glyphs::get();
    let s = &m.meeting;
    let done = d.items.iter().filter(|i| i.item.state == ItemState::Done).count();
    let mut spans = vec![Span::raw(format!(" 済 {done}/{} ", d.items.len()))];
    let Some(session) = s.session() else { return Line::from(spans) };
    let items: Vec<_> = d.items.iter().map(|i| i.item.clone()).collect();
    let now = session.clock_time(s.now);
    let clock = live::session_clock(session, &items, &m.config.budget, now);
    if let Some(iv) = s.current() {
        let budget = live::item_budget_secs(iv.item.track, &m.config.budget);
        let text = format!("{} 議題 {}/{} ", g.bar, live::clock_text(iv.item.elapsed_secs), live::clock_text(budget));
        spans.push(if iv.item.elapsed_secs > budget { Span::raw(text).red().bold() } else { Span::raw(text) });
    }
    spans.push(Span::raw(format!("{} {} {} ", g.bar, session.label, live::clock_text(clock.spent_secs))));
    spans.push(Span::raw(format!(
        "{} 終了見込 {}（予定 {}） ",
        g.bar,
        clock.projected_end.format("%H:%M"),
        clock.end.format("%H:%M")
    )));
    if clock.overrun_secs() > 0 {
        let mins = (clock.overrun_secs() + 59) / 60;
        spans.push(Span::raw(format!(" {mins}分超過の見込み（F6 で再計画） ")).white().on_red().bold());
    }
    Line::from(spans)
}

fn render_start(d: &MeetingData, f: &mut Frame<'_>, body: Rect) {
    let quick = d.items.iter().filter(|i| i.item.track == Track::Quick).count();
    let mut lines = vec![
        Line::from(format!("場所: {}  司会: {}  記録: {}", d.meeting.place, d.meeting.chair, d.meeting.recorder)),
        Line::from(format!("議題 {} 件（一括確認 {quick} 件・重点協議 {} 件）", d.items.len(), d.items.len() - quick)),
    ];
    for s in &d.sessions {
        lines.push(Line::from(format!(
            "  {} {} {}〜{}",
            s.label,
            wareki::format_short(s.date),
            s.start.format("%H:%M"),
            s.end.format("%H:%M")
        )));
    }
    lines.push(Line::from(""));
    if d.items.is_empty() {
        lines.push(Line::from("議事次第がまだありません（shinko agenda build）").red());
    }
    lines.push(Line::from("Enter で会議を開始します").bold().yellow());
    f.render_widget(crate::tui::lines::pane(lines, crate::tui::glyphs::block().title(" 開会 "), body), body);
}

/// Rows in a bordered list, the selected one highlighted and kept in view; a row too long for
/// the list ends with an ellipsis, so a cut name shows it was cut.
fn list(f: &mut Frame<'_>, area: Rect, title: String, rows: Vec<Line<'static>>, selected: usize) {
    let h = area.height.saturating_sub(2) as usize;
    let w = area.width.saturating_sub(2) as usize;
    let top = selected.saturating_sub(h.saturating_sub(1));
    let cut = |mut l: Line<'static>| {
        if l.width() > w && l.spans.len() == 1 {
            let text = crate::tui::view::fit(&l.spans[0].content, w);
            l.spans[0].content = text.trim_end().to_string().into();
        }
        l
    };
    let lines: Vec<Line<'static>> = rows
        .into_iter()
        .enumerate()
        .skip(top)
        .take(h)
        .map(|(i, l)| if i == selected { cut(l).style(Style::default().reversed()) } else { cut(l) })
        .collect();
    f.render_widget(Paragraph::new(lines).block(crate::tui::glyphs::block().title(title)), area);
}

fn render_attendance(m: &Model, d: &MeetingData, f: &mut Frame<'_>, body: Rect) {
    let recorded = d.attendance.iter().filter(|r| r.record.is_some()).count();
    let rows = d
        .attendance
        .iter()
        .map(|r| {
            let (status, person, received) = match &r.record {
                Some(a) => (
                    a.status.label().to_string(),
                    a.person.clone(),
                    a.info_received_on.map(|x| format!("受領 {}", wareki::format_short(x))).unwrap_or_default(),
                ),
                None => ("未記録".to_string(), String::new(), String::new()),
            };
            Line::from(format!(" {} {} {} {received}", fit(&r.agency.name, 24), fit(&status, 22), fit(&person, 12)))
        })
        .collect();
    let title =
        format!(" 出欠 {recorded}/{} 機関（Left/Right 切替・Enter 出席・e 詳細・Tab 次へ） ", d.attendance.len());
    list(f, body, title, rows, m.meeting.row);
}

fn render_reviews(m: &Model, d: &MeetingData, f: &mut Frame<'_>, body: Rect) {
    let present = m.present;
    let masker = m.masker();
    let mask = |t: &str| masker.map(|mk| mk.scrub(t)).unwrap_or_else(|| t.to_string());
    let done = d.reviews.iter().filter(|r| !r.action.is_open()).count();
    let rows = d
        .reviews
        .iter()
        .map(|r| {
            let a = &r.action;
            let name = shown_name(present, &r.case_name, &r.case_kana, &r.case_number);
            let due = a.due.map(wareki::format_short).unwrap_or_default();
            let agency = m.agency_name(a.agency_id).to_string();
            let agency = if agency.is_empty() {
                d.agencies.iter().find(|x| Some(x.id) == a.agency_id).map(|x| x.name.clone()).unwrap_or_default()
            } else {
                agency
            };
            let status = a.status.label();
            let styled = match a.status {
                crate::domain::ActionStatus::Done => Span::raw(fit(status, 20)).green(),
                crate::domain::ActionStatus::Open => Span::raw(fit(status, 20)).dark_gray(),
                _ => Span::raw(fit(status, 20)).yellow(),
            };
            Line::from(vec![
                Span::raw(format!(" {} {} ", fit(&r.case_number, 9), fit(&name, 12))),
                styled,
                Span::raw(format!(
                    " {} {} {} 期限{due} {}",
                    fit(&agency, 16),
                    a.owner,
                    mask(&a.what),
                    mask(&a.review_note)
                )),
            ])
        })
        .collect();
    let title = format!(" 前回の役割分担 確認 {done}/{}（Left/Right 切替・Enter 実施済・e メモ） ", d.reviews.len());
    list(f, body, title, rows, m.meeting.row);
}

fn side_width(body: Rect) -> u16 {
    if body.width >= 120 { 40 } else { 27 }
}

/// Width of a form beside the case.
const FORM_W: u16 = 76;

/// Where the deep item form goes on a wide screen (≥120 columns): the right of the agenda
/// area (`area`: under the title and timer lines), full height, so the case, its 事務局案 and
/// sheets stay in view on the left. None: a box over the body.
fn beside(area: Rect) -> Option<Rect> {
    (area.width >= 120).then(|| Rect::new(area.right() - FORM_W, area.y, FORM_W, area.height))
}

/// The area under the title and timer lines.
fn agenda_area(body: Rect) -> Rect {
    let [_, _, rest] = Layout::vertical([Constraint::Length(1), Constraint::Length(1), Constraint::Min(0)]).areas(body);
    rest
}

/// Where the open form is drawn, given the screen's body: beside the case for a deep item on
/// a wide screen, else None (a box over the body).
pub fn form_area(m: &Model, body: Rect) -> Option<Rect> {
    let deep = m.meeting.form.as_ref().is_some_and(|f| matches!(f.kind, super::MeetingFormKind::Item { .. }));
    if deep { beside(agenda_area(body)) } else { None }
}

fn render_agenda(m: &Model, d: &MeetingData, f: &mut Frame<'_>, body: Rect) {
    // A deep item's form beside the case: the case takes the rest, the agenda list waits.
    if m.meeting.form.as_ref().is_some_and(|f| matches!(f.kind, super::MeetingFormKind::Item { .. }))
        && let Some(form) = beside(body)
    {
        let main = Rect::new(body.x, body.y, form.x - body.x, body.height);
        if let Some(iv) = m.meeting.current() {
            let block = crate::tui::glyphs::block().title(format!(" {} ", iv.case.number)).cyan();
            f.render_widget(crate::tui::lines::pane(item_lines(m, iv), block, main), main);
        }
        return;
    }
    let [side, main] = Layout::horizontal([Constraint::Length(side_width(body)), Constraint::Min(0)]).areas(body);
    let present = m.present;
    let current = d.meeting.current_item;
    let mut session: Option<Id> = None;
    let mut rows = Vec::new();
    let mut selected = 0;
    for iv in &d.items {
        if iv.item.session_id != session {
            session = iv.item.session_id;
            let label = d.sessions.iter().find(|s| Some(s.id) == session).map(|s| s.label.clone()).unwrap_or_default();
            rows.push(Line::from(format!("-- {label}")).dark_gray());
        }
        if Some(iv.item.id) == current {
            selected = rows.len();
        }
        let state = match iv.item.state {
            ItemState::Done => "済",
            ItemState::Deferred => "延",
            ItemState::Pending => "  ",
        };
        let track = if iv.item.track == Track::Deep { "重" } else { "一" };
        // A quick item still to accept says what Enter would change (終結, ランク, 次回日).
        let change = (iv.item.track == Track::Quick && iv.item.state == ItemState::Pending)
            .then(|| live::proposed_change(&iv.item, &iv.case, &m.config, super::item_date(d, &iv.item, m.today)))
            .flatten();
        let mark = change.as_ref().map(|c| c.mark()).unwrap_or("  ");
        let name = shown_name(present, &iv.case.name, &iv.case.kana, &iv.case.number);
        let line = Line::from(format!("{state}{track}{mark} {} {name}", iv.case.number));
        rows.push(match iv.item.state {
            ItemState::Done => line.dark_gray(),
            ItemState::Deferred => line.yellow(),
            ItemState::Pending => line,
        });
    }
    let pending = d.items.iter().filter(|i| i.item.state == ItemState::Pending).count();
    list(f, side, format!(" 議題 残り{pending} "), rows, selected);
    let items: Vec<_> = d.items.iter().map(|i| i.item.clone()).collect();
    let (title, mut lines) = match m.meeting.current() {
        Some(iv) => (format!(" {} ", iv.case.number), item_lines(m, iv)),
        None if pending == 0 && !items.is_empty() => (" ケース協議 ".to_string(), vec![]),
        None => (" ケース協議 ".to_string(), vec![Line::from("Up/Down で議題を選んでください")]),
    };
    // Where the walk stopped: the session (or the whole agenda) is done, and what comes next.
    let stopped = match d.meeting.current_item {
        Some(at) => live::after_session(&items, &d.sessions, at),
        None if pending == 0 && !items.is_empty() => {
            Some("すべての議題が終わりました。F12 で会議を終了して台帳に反映します".to_string())
        }
        None => None,
    };
    if let Some(text) = stopped {
        lines.insert(0, Line::from(Span::raw(text).yellow().bold()));
    }
    f.render_widget(crate::tui::lines::pane(lines, crate::tui::glyphs::block().title(title).cyan(), main), main);
}

/// The current item's text (tests read it too).
pub fn item_lines(m: &Model, iv: &ItemView) -> Vec<Line<'static>> {
    let present = m.present;
    let c = &iv.case;
    let hidden = |field: &str| present && m.config.confidentiality.private_fields.iter().any(|p| p == field);
    let masker = m.masker();
    let mask = |t: &str| masker.map(|mk| mk.scrub(t)).unwrap_or_else(|| t.to_string());
    let name =
        if present { shown_name(true, &c.name, &c.kana, &c.number) } else { format!("{}（{}）", c.name, c.kana) };
    let track = match iv.item.track {
        Track::Quick => Span::raw(" 一括確認 ").black().on_green(),
        Track::Deep => Span::raw(" 重点協議 ").black().on_yellow(),
    };
    let state = match iv.item.state {
        ItemState::Done => Span::raw(" 済").green().bold(),
        ItemState::Deferred => Span::raw(" 次回へ延期").yellow().bold(),
        ItemState::Pending => Span::raw(""),
    };
    let reviewed: Vec<_> = m.meeting.data.iter().flat_map(|d| d.reviews.iter().map(|r| r.action.clone())).collect();
    let meeting_id = m.meeting.data.as_ref().map_or(0, |d| d.meeting.id);
    let reasons = live::reasons_now(&iv.item.reasons, &reviewed, meeting_id, |id| m.agency_name(id).to_string());
    let ranks = m.config.rank_scheme(c.registration);
    let mut out = vec![
        Line::from(vec![
            Span::raw(format!("{name}  {} ランク {} ", c.registration.label(), ranks.describe(&c.rank))).bold(),
            track,
            state,
        ]),
        Line::from(vec![Span::raw("理由: ").dark_gray(), Span::raw(reasons.join("、"))]),
    ];
    let mut facts = format!("所属: {} {}", m.agency_name(c.affiliation), c.grade);
    facts.push_str(&format!(" {} 主担当: {}", glyphs::get().bar, m.agency_name(c.lead_agency)));
    if !hidden("key_worker") && !c.key_worker.is_empty() {
        facts.push_str(&format!("（{}）", c.key_worker));
    }
    facts.push_str(&format!(" {} 児相: {}", glyphs::get().bar, c.cgc.label()));
    out.push(Line::from(facts));
    if !hidden("presenting_concern") {
        out.push(Line::from(format!("主訴: {}", mask(&c.presenting_concern))));
    }

    let dr = &iv.item.draft;
    out.push(heading("事務局案"));
    if iv.item.track == Track::Quick
        && iv.item.state == ItemState::Pending
        && let Some(d) = m.meeting.data.as_ref()
        && let Some(change) = live::proposed_change(&iv.item, c, &m.config, super::item_date(d, &iv.item, m.today))
    {
        out.push(Line::from(Span::raw(format!("  Enter: {}", change.describe())).yellow().bold()));
    }
    if !dr.summary.is_empty() {
        out.push(Line::from(format!("  状況: {}", mask(&dr.summary))));
    }
    let policy = if dr.policy.is_empty() { &c.support_policy } else { &dr.policy };
    out.push(Line::from(format!("  援助方針: {}", mask(policy))));
    let rank = match dr.rank.as_deref() {
        Some(r) if !r.is_empty() && r != c.rank => {
            format!("{}{}{}", ranks.describe(&c.rank), glyphs::get().arrow, ranks.describe(r))
        }
        _ => format!("{}（据置）", ranks.describe(&c.rank)),
    };
    let next = dr.next_review.map(wareki::format_short).unwrap_or_else(|| "ランクの間隔で".into());
    out.push(Line::from(format!("  ランク: {rank}  次回確認: {next}")));
    if let Some(r) = &dr.close_reason {
        out.push(
            Line::from(format!("  終結案: {}{}", mask(r), crate::tui::lines::category(&dr.close_category))).yellow(),
        );
    }
    for q in &iv.item.questions {
        let who = m.agency_name(Some(q.agency_id)).to_string();
        out.push(Line::from(format!("  {who} へ: {}", mask(&q.text))));
    }
    out.extend(crate::tui::lines::replies(&iv.replies, |id| m.agency_name(Some(id)).to_string(), &mask));

    if let Some(dec) = &iv.decision {
        out.push(heading("協議結果"));
        let proposed = if dec.as_proposed { "（事務局案どおり）" } else { "" };
        let next = dec.next_review.map(wareki::format_short).unwrap_or_else(|| "-".into());
        out.push(
            Line::from(format!(
                "  {}{proposed} ランク{}{}{} 次回確認 {next}",
                dec.kind.label(),
                dec.rank_before,
                glyphs::get().arrow,
                dec.rank_after
            ))
            .green(),
        );
        if !dec.status_summary.is_empty() && !dec.as_proposed {
            out.push(Line::from(format!("  状況: {}", mask(&dec.status_summary))));
        }
        if !dec.reason.is_empty() {
            out.push(Line::from(format!("  理由: {}", mask(&dec.reason))));
        }
        if let Some(lead) = &iv.new_lead {
            out.push(Line::from(format!("  新しい主担当機関: {lead}")));
        }
        out.push(Line::from(format!("  援助方針: {}", mask(&dec.support_policy))));
        for a in &iv.actions {
            let due = a.due.map(wareki::format_short).unwrap_or_default();
            out.push(Line::from(format!("  役割分担: {} {} {} 期限{due}", a.agency, a.owner, mask(&a.what))));
        }
    }

    out.push(heading("経過記録"));
    out.push(Line::from(format!("  {}", iv.contacts.line())));
    let months = ReportMonths::of(&iv.reports, &m.config.monthly_reports);
    if !months.is_empty() {
        out.push(heading("月次報告（前回以降）"));
        let g = glyphs::get();
        let strip = Span::raw(format!("  出席 {} ", months.bars(g.levels, g.no_level)));
        out.push(Line::from(vec![if months.has_alert() { strip.red().bold() } else { strip.green() }]));
        out.extend(months.month_texts().into_iter().map(|t| Line::from(format!("  {t}"))));
    }

    out.push(heading("アセスメントシート"));
    out.extend(merged_sheets(&iv.merged, &m.config, &m.agencies, SheetDetail::Brief, &mask));

    out.push(heading(&format!("これまでの協議 {}件", iv.history.len())));
    for h in iv.history.iter().rev().take(3) {
        out.push(Line::from(format!("  {} ランク{} {}", h.kind.label(), h.rank_after, mask(&h.support_policy))));
    }
    if !hidden("town") && !c.town.is_empty() {
        out.push(Line::from(format!("町名: {}", c.town)).dark_gray());
    }
    if !hidden("birth_date")
        && let Some(b) = c.birth_date
    {
        let age = c.age_on(m.today).map(|a| format!("（{a}歳）")).unwrap_or_default();
        out.push(Line::from(format!("生年月日: {}{age}", wareki::display(b, true))).dark_gray());
    }
    out
}
