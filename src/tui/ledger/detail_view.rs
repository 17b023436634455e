//! The detail pane of the selected case: its fields, siblings, decisions, open actions and
//! the latest assessment sheets per institution.

use crate::tui::lines::{SheetDetail, heading, kv, merged_sheets};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};

use super::CaseDetail;
use crate::domain::{AbuseType, sheet_merge, wareki};
use crate::tui::ledger::LedgerFocus;
use crate::tui::model::Model;
use crate::tui::screen::shown_name;

pub fn render(m: &Model, f: &mut Frame<'_>, area: Rect) {
    let s = &m.ledger;
    let border = if s.focus == LedgerFocus::Detail { Style::default().cyan() } else { Style::default() };
    let detail = s.detail.as_ref().filter(|d| Some(d.case.id) == s.selected_id());
    let (title, lines) = match detail {
        Some(d) => (format!(" ケース {} ", d.case.number), lines(m, d)),
        None if s.selected_id().is_some() => {
            (" ケース詳細 ".to_string(), vec![Line::from(crate::tui::glyphs::loading())])
        }
        None => (" ケース詳細 ".to_string(), vec![Line::from("ケースを選んでください")]),
    };
    let p = crate::tui::lines::pane(lines, crate::tui::glyphs::block().title(title).border_style(border), area)
        .scroll((s.detail_scroll, 0));
    f.render_widget(p, area);
}

/// The pane's text (tests read it too).
pub fn lines(m: &Model, d: &CaseDetail) -> Vec<Line<'static>> {
    let c = &d.case;
    let date = |x: Option<chrono::NaiveDate>| x.map(|d| wareki::display(d, true)).unwrap_or_else(|| "-".into());
    // 投影モード: initials, the private fields left out, free text with every name in the
    // ledger blotted out (a note may name a sibling, a parent or a child of another household).
    let present = m.present;
    let hidden = |field: &str| present && m.config.confidentiality.private_fields.iter().any(|p| p == field);
    let masker = m.masker();
    let mask = |t: &str| masker.map(|mk| mk.scrub(t)).unwrap_or_else(|| t.to_string());
    let heading_name = if present {
        Line::from(Span::raw(shown_name(true, &c.name, &c.kana, &c.number)).bold())
    } else {
        Line::from(vec![Span::raw(c.name.clone()).bold(), Span::raw(format!("（{}）", c.kana))])
    };
    let mut out = vec![
        heading_name,
        kv(
            "登録区分",
            format!(
                "{}  ランク {}  状態 {}",
                c.registration.label(),
                m.config.rank_scheme(c.registration).describe(&c.rank),
                c.status.label()
            ),
        ),
    ];
    if c.birth_date.is_some() && !hidden("birth_date") {
        let age = c.age_on(m.today).map(|a| format!("（{a}歳）")).unwrap_or_default();
        out.push(kv("生年月日", format!("{}{age}", date(c.birth_date))));
    }
    if c.due_date.is_some() {
        out.push(kv("出産予定日", date(c.due_date)));
    }
    out.push(kv("受理日", date(Some(c.accepted_on))));
    if !hidden("presenting_concern") {
        out.push(kv("主訴", mask(&c.presenting_concern)));
    }
    out.push(kv("虐待種別", AbuseType::join(&c.abuse_types)));
    out.push(kv("所属", format!("{} {}", m.agency_name(c.affiliation), c.grade)));
    let worker = if hidden("key_worker") { String::new() } else { format!("  援助者 {}", c.key_worker) };
    out.push(kv("主担当", format!("{}{worker}", m.agency_name(c.lead_agency))));
    out.push(kv("児相の関与", c.cgc.label().to_string()));
    let institution = m.agencies.iter().any(|a| Some(a.id) == c.affiliation && a.kind.is_institution());
    let designated = crate::domain::attendance::is_designated(c, institution, &m.config.monthly_reports);
    out.push(kv("月次報告", c.monthly_report.describe(designated)));
    if !d.agencies.is_empty() {
        let names: Vec<String> = d
            .agencies
            .iter()
            .map(|(id, role)| {
                let name = m.agency_name(Some(*id));
                if role.is_empty() { name.to_string() } else { format!("{name}（{role}）") }
            })
            .collect();
        out.push(kv("関係機関", names.join("、")));
    }
    if !hidden("town") {
        out.push(kv("町名", c.town.clone()));
    }
    let overdue = if c.review_overdue(m.today) { "  期限超過" } else { "" };
    out.push(Line::from(vec![
        Span::raw("次回確認: ").dark_gray(),
        Span::raw(date(c.next_review)),
        Span::raw(overdue).red().bold(),
        Span::raw(format!("  前回 {}", date(c.last_review))).dark_gray(),
    ]));
    if let Some(cl) = &c.closure {
        out.push(kv("終結", format!("{} {}", date(Some(cl.on)), mask(&cl.reason))));
    }
    let people = c.people();
    if !people.is_empty() {
        let shown: Vec<String> = people
            .iter()
            .map(|p| {
                let name = shown_name(present, &p.name, &p.kana, "—");
                if p.relation.is_empty() { name } else { format!("{}：{name}", p.relation) }
            })
            .collect();
        out.push(kv("保護者・同居人", shown.join("、")));
    }
    out.push(kv("援助方針", String::new()));
    for l in c.support_policy.lines() {
        out.push(Line::from(format!("  {}", mask(l))));
    }

    out.push(heading(&format!("きょうだい {}人", d.siblings.len())));
    for sib in &d.siblings {
        let name = shown_name(present, &sib.name, &sib.kana, &sib.number);
        out.push(Line::from(format!("  {} {name} {} ランク{}", sib.number, sib.registration.short(), sib.rank)));
    }

    out.push(heading(&format!("協議の記録 {}件", d.decisions.len())));
    for dec in d.decisions.iter().rev().take(5) {
        let when = d.meeting_dates.iter().find(|(id, _)| *id == dec.meeting_id).map(|(_, d)| wareki::format_short(*d));
        let rank = if dec.rank_before != dec.rank_after {
            format!(" ランク{}{}{}", dec.rank_before, crate::tui::glyphs::get().arrow, dec.rank_after)
        } else {
            format!(" ランク{}", dec.rank_after)
        };
        out.push(Line::from(format!("  {} {}{rank}", when.unwrap_or_default(), dec.kind.label())));
        if !dec.support_policy.is_empty() {
            out.push(Line::from(format!("    {}", mask(&dec.support_policy))).dark_gray());
        }
    }

    let open: Vec<_> = d.actions.iter().filter(|a| a.is_open()).collect();
    out.push(heading(&format!("未確認の役割分担 {}件", open.len())));
    for a in open {
        let due = a.due.map(wareki::format_short).unwrap_or_default();
        let late = if a.overdue(m.today) { " 期限超過" } else { "" };
        out.push(Line::from(vec![
            Span::raw(format!("  {} {} {} 期限{due}", m.agency_name(a.agency_id), a.owner, mask(&a.what))),
            Span::raw(late).red(),
        ]));
    }

    out.extend(contact_lines(m, d, &mask));

    out.push(heading("アセスメントシート（機関ごとの最新・前回からの変化）"));
    let merged = sheet_merge::merge(d.case.id, &d.sheets, &d.sheet_requests);
    out.extend(merged_sheets(&merged, &m.config, &m.agencies, SheetDetail::Full, &mask));

    out.push(heading(&format!("月次報告（定期的な情報提供）{}件", d.monthly_reports.len())));
    out.extend(crate::tui::report_lines::report_history(&d.monthly_reports, &d.report_alerts, &m.agencies, 6, &mask));
    out
}

/// How many of the newest contacts the pane lists.
const CONTACTS_SHOWN: usize = 5;

/// 経過記録: the last sighting as a fact, then the newest contacts (notes masked as the rest).
fn contact_lines(m: &Model, d: &CaseDetail, mask: &dyn Fn(&str) -> String) -> Vec<Line<'static>> {
    use crate::domain::contact;
    let mut out = vec![heading(&format!("経過記録 {}件", d.contacts.len()))];
    if contact::has_child(d.case.registration) {
        let last = contact::last_sighting(contact::newest_seen(&d.contacts), contact::newest_sheet(&d.sheets));
        let text = contact::sighting_fact(last.as_ref(), m.today, |id| m.agency_name(Some(id)).to_string());
        let fact = if contact::unseen(last.map(|s| s.on), m.today, m.config.triage.unseen_days) {
            Span::raw(text).red()
        } else {
            Span::raw(text)
        };
        out.push(Line::from(vec![Span::raw("  "), fact]));
    }
    for c in d.contacts.iter().take(CONTACTS_SHOWN) {
        let seen = if c.seen { "目視あり" } else { "目視なし" };
        let head = format!(
            "  {} {} {} {seen}",
            wareki::format_short(c.date),
            c.kind.label(),
            m.agency_name(Some(c.agency_id))
        );
        out.push(Line::from(head));
        for l in c.note.lines().filter(|l| !l.trim().is_empty()) {
            out.push(Line::from(format!("    {}", mask(l))).dark_gray());
        }
    }
    out
}
