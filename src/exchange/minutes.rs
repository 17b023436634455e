//! 会議録: the minutes of one meeting, built from its [`MeetingRecord`] as a [`Document`] and
//! rendered to Markdown, Word or Excel. The masked variant (for wider distribution) names
//! children by initials and blots their names out of free text.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};

use super::document::{Block, Cell, Document, Grid};
use crate::domain::mask::{self, Masker};
use crate::domain::report_months::ReportMonths;
use crate::domain::wareki::DateStyle;
use crate::domain::{
    ActionStatus, AttendanceStatus, Case, Config, Decision, DecisionKind, Id, ItemState, Registration,
};
use crate::store::reports::MeetingRecord;

const WEEKDAYS: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];

/// 「火」
pub fn weekday(d: NaiveDate) -> &'static str {
    WEEKDAYS[d.weekday().num_days_from_monday() as usize]
}

/// 「令和8年9月1日（火）」 (or 「2026年9月1日（火）」).
pub fn long_date(d: NaiveDate, style: DateStyle) -> String {
    format!("{}（{}）", style.format(d), weekday(d))
}

/// A date cell, 「-」 when there is none.
fn day(d: Option<NaiveDate>) -> Cell {
    d.map(Cell::Date).unwrap_or_else(|| "-".into())
}

/// The council's name, for titles: 「しんこう町要保護児童対策地域協議会」.
pub fn council_name(municipality: &str) -> String {
    format!("{municipality}要保護児童対策地域協議会")
}

/// How the minutes speak of people and free text: plainly, or masked.
struct Voice {
    masker: Option<Masker>,
    /// Fields the masked minutes leave out, as presentation mode hides them
    /// (`confidentiality.private_fields`: 主訴, 町名, 生年月日, 主たる援助者 by default).
    private: Vec<String>,
}

impl Voice {
    /// A private field's text: left out of masked minutes, else as [`Voice::text`].
    fn private_text(&self, field: &str, s: &str) -> String {
        if self.masker.is_some() && self.private.iter().any(|p| p == field) {
            return "（配布用のため省略）".into();
        }
        self.text(s)
    }

    fn name(&self, c: Option<&Case>) -> String {
        match (c, &self.masker) {
            (None, _) => "-".into(),
            (Some(c), Some(_)) => mask::case_label(c),
            (Some(c), None) => c.name.clone(),
        }
    }
    /// Free text as written (scrubbed when masked); "-" when empty.
    fn text(&self, s: &str) -> String {
        if s.trim().is_empty() {
            return "-".into();
        }
        match &self.masker {
            Some(m) => m.scrub(s),
            None => s.to_string(),
        }
    }
}

/// 「B」 or 「B→A」, for tables.
fn rank_short(d: &Decision) -> String {
    if d.rank_before.is_empty() || d.rank_before == d.rank_after {
        d.rank_after.clone()
    } else {
        format!("{}→{}", d.rank_before, d.rank_after)
    }
}

/// The 評価 line, in the ranks' labels (「A 重度（一時保護等の検討）（変更なし）」).
fn rank_change(d: &Decision, ranks: crate::domain::RankScheme<'_>) -> String {
    if d.rank_before.is_empty() || d.rank_before == d.rank_after {
        format!("{}（変更なし）", ranks.describe(&d.rank_after))
    } else {
        format!("{} → {}（変更）", ranks.describe(&d.rank_before), ranks.describe(&d.rank_after))
    }
}

fn decision_text(d: &Decision, r: &MeetingRecord) -> String {
    let mut s = d.kind.label().to_string();
    if d.kind == DecisionKind::ChangeLead && d.new_lead_agency.is_some() {
        s.push_str(&format!("（新しい主担当: {}）", r.agency_name(d.new_lead_agency)));
    }
    if !d.reason.trim().is_empty() {
        s.push_str(&format!("　理由: {}", d.reason.trim()));
    }
    s
}

/// 事前確認の結果 of one case: 「中央児童相談所: 了承／教育委員会: 修正あり（…）」.
fn replies_text(r: &MeetingRecord, replies: &[&crate::domain::reply::Reply], voice: &Voice) -> String {
    let of: Vec<String> = replies.iter().map(|x| voice.text(&x.summary(r.agency_name(Some(x.agency_id))))).collect();
    of.join("／")
}

/// Decisions in agenda order; any without an agenda item follow in the order recorded. Each
/// decision's place is looked up by item and by case, not searched for (a joint meeting has
/// tens of thousands of items).
fn ordered_decisions(r: &MeetingRecord) -> Vec<&Decision> {
    let mut by_item: HashMap<Id, usize> = HashMap::new();
    let mut by_case: HashMap<Id, usize> = HashMap::new();
    for (p, i) in r.agenda.iter().enumerate() {
        by_item.insert(i.id, p);
        by_case.entry(i.case_id).or_insert(p);
    }
    // The first item that is the decision's own or of its case.
    let pos = |d: &Decision| {
        let own = d.agenda_item_id.and_then(|id| by_item.get(&id).copied());
        own.into_iter().chain(by_case.get(&d.case_id).copied()).min().unwrap_or(usize::MAX)
    };
    let mut v: Vec<(usize, &Decision)> = r.decisions.iter().map(|d| (pos(d), d)).collect();
    v.sort_by_key(|(p, d)| (*p, d.id));
    v.into_iter().map(|(_, d)| d).collect()
}

/// Builds the minutes. `masked` names children by initials and scrubs their names from text;
/// `municipality` (the database's) names the council in the title.
pub fn build(r: &MeetingRecord, cfg: &Config, municipality: &str, masked: bool, written_on: NaiveDate) -> Document {
    let style = cfg.output.date_style;
    let voice = Voice {
        // A record read without the ledger's names cannot be masked: refusing is a bug found by
        // a test, masking only some names would be a leak.
        masker: masked.then(|| {
            let people = r.people.as_deref().expect("masked minutes need Store::meeting_record(_, true)");
            Masker::for_ledger(people, &cfg.confidentiality.unmasked_words)
        }),
        private: cfg.confidentiality.private_fields.clone(),
    };
    let case = |id: Id| r.cases.get(&id);
    let number = |id: Id| case(id).map(|c| c.number.clone()).unwrap_or_else(|| format!("(ID {id})"));
    let m = &r.meeting;
    let mut blocks = Vec::new();
    if !cfg.output.approval.is_empty() {
        blocks.push(Block::Approval(cfg.output.approval.clone()));
    }
    let decisions = ordered_decisions(r);
    let quick: Vec<&&Decision> = decisions.iter().filter(|d| d.as_proposed).collect();
    let deep: Vec<&&Decision> = decisions.iter().filter(|d| !d.as_proposed).collect();

    // 1. 会議の概要
    blocks.push(Block::Heading("1. 会議の概要".into()));
    let when = if r.sessions.is_empty() {
        "-".to_string()
    } else {
        r.sessions
            .iter()
            .map(|s| {
                format!(
                    "{} {}〜{}　{}",
                    long_date(s.date, style),
                    s.start.format("%H:%M"),
                    s.end.format("%H:%M"),
                    s.label
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    blocks.push(Block::Fields(vec![
        ("会議名".into(), m.title.clone()),
        ("種別".into(), m.kind.label().into()),
        ("日時".into(), when),
        ("場所".into(), m.place.clone()),
        ("司会".into(), m.chair.clone()),
        ("記録".into(), m.recorder.clone()),
        ("協議件数".into(), format!("{}件（一括確認 {}件・重点協議 {}件）", decisions.len(), quick.len(), deep.len())),
    ]));

    // 2. 出欠
    blocks.push(Block::Heading("2. 出欠".into()));
    let mut att = Grid::new(&[("機関", 16), ("出欠", 9), ("出席者", 8), ("事前の情報提供", 10)]);
    let mut tally = [0usize; AttendanceStatus::ALL.len()];
    let expected: HashSet<Id> = r.expected.iter().copied().collect();
    let mut agencies: Vec<Id> = r.expected.clone();
    agencies.extend(r.attendance.iter().map(|a| a.agency_id).filter(|id| !expected.contains(id)));
    let mut attendance = HashMap::new();
    for a in r.attendance.iter().rev() {
        attendance.insert(a.agency_id, a);
    }
    for id in agencies {
        let a = attendance.get(&id).copied();
        if let Some(a) = a {
            tally[AttendanceStatus::ALL.iter().position(|s| *s == a.status).unwrap_or(0)] += 1;
        }
        att.row(vec![
            r.agency_name(Some(id)).to_string(),
            a.map_or("未記録", |a| a.status.label()).to_string(),
            a.map(|a| a.person.clone()).unwrap_or_default(),
            a.and_then(|a| a.info_received_on).map(|d| format!("あり（{} 受領）", style.format(d))).unwrap_or_default(),
        ]);
    }
    blocks.push(Block::Table(att));
    blocks.push(Block::Text(
        AttendanceStatus::ALL
            .iter()
            .zip(tally)
            .map(|(s, n)| format!("{} {n}機関", s.label()))
            .collect::<Vec<_>>()
            .join("／"),
    ));

    // 3. 前回の役割分担の確認
    blocks.push(Block::Heading("3. 前回の役割分担の確認".into()));
    let mut rev = Grid::new(&[
        ("ケース番号", 7),
        ("氏名", 6),
        ("機関", 8),
        ("担当者", 5),
        ("内容", 10),
        ("期限", 7),
        ("結果", 6),
        ("実施日", 7),
        ("備考", 6),
    ]);
    let mut outcome = [0usize; ActionStatus::ALL.len()];
    for a in &r.reviewed_actions {
        outcome[ActionStatus::ALL.iter().position(|s| *s == a.status).unwrap_or(0)] += 1;
        rev.row(vec![
            number(a.case_id).into(),
            voice.name(case(a.case_id)).into(),
            r.agency_name(a.agency_id).into(),
            a.owner.clone().into(),
            voice.text(&a.what).into(),
            day(a.due),
            a.status.label().into(),
            day(a.done_on),
            voice.text(&a.review_note).into(),
        ]);
    }
    blocks.push(Block::Table(rev));
    if !r.reviewed_actions.is_empty() {
        blocks.push(Block::Text(
            [ActionStatus::Done, ActionStatus::NotPossible, ActionStatus::NotDone, ActionStatus::Open]
                .iter()
                .map(|s| {
                    let n = outcome[ActionStatus::ALL.iter().position(|x| x == s).unwrap_or(0)];
                    format!("{} {n}件", s.label())
                })
                .collect::<Vec<_>>()
                .join("／"),
        ));
    }

    // 4. 一括確認
    blocks.push(Block::Heading("4. 一括確認（事務局案のとおり確認）".into()));
    // The 事前確認 column only where institutions replied (older meetings had no round trip).
    let replied = !r.replies.is_empty();
    let mut replies_of: HashMap<Id, Vec<&crate::domain::reply::Reply>> = HashMap::new();
    for x in &r.replies {
        replies_of.entry(x.case_id).or_default().push(x);
    }
    let replies_of = |case: Id| replies_of.get(&case).map(Vec::as_slice).unwrap_or_default();
    let mut columns = vec![
        ("ケース番号", 7),
        ("氏名", 7),
        ("区分", 5),
        ("ランク", 4),
        ("決定", 4),
        ("援助方針", 18),
        ("次回確認日", 7),
    ];
    let months_of = |case: Id| ReportMonths::of(r.reports.get(&case).into_iter().flatten(), &cfg.monthly_reports);
    let reported = quick.iter().any(|d| r.reports.contains_key(&d.case_id));
    if reported {
        // The policy column gives up the room, so dates and numbers keep theirs.
        columns[5].1 = 12;
        columns.push(("月次報告", 6));
    }
    if replied {
        columns.push(("事前確認", 10));
    }
    let mut q = Grid::new(&columns);
    for d in &quick {
        let c = case(d.case_id);
        let ends = d.kind.ends_support();
        let mut row: Vec<Cell> = vec![
            number(d.case_id).into(),
            voice.name(c).into(),
            c.map(|c| c.registration.short()).unwrap_or("").into(),
            rank_short(d).into(),
            voice.text(&decision_text(d, r)).into(),
            if ends { "-".into() } else { voice.text(&d.support_policy).into() },
            if ends { "-".into() } else { day(d.next_review) },
        ];
        if reported {
            row.push(months_of(d.case_id).compact().into());
        }
        if replied {
            row.push(replies_text(r, replies_of(d.case_id), &voice).into());
        }
        q.row(row);
    }
    blocks.push(Block::Table(q));

    // 5. 重点協議
    blocks.push(Block::Heading("5. 重点協議".into()));
    let mut roles_of: HashMap<Id, Vec<&crate::domain::Action>> = HashMap::new();
    for a in &r.new_actions {
        roles_of.entry(a.case_id).or_default().push(a);
    }
    if deep.is_empty() {
        blocks.push(Block::Text(super::document::NONE.into()));
    }
    for (i, d) in deep.iter().enumerate() {
        let c = case(d.case_id);
        let mut item = Vec::new();
        item.push(Block::SubHeading(format!(
            "5-{} {}　{}（{}）",
            i + 1,
            number(d.case_id),
            voice.name(c),
            c.map(|c| c.registration.label()).unwrap_or("")
        )));
        let contacts = r.contacts.get(&d.case_id).copied().unwrap_or_default();
        let mut fields = vec![
            ("経過記録".into(), contacts.line()),
            ("状況".into(), voice.text(&d.status_summary)),
            ("評価".into(), rank_change(d, cfg.rank_scheme(c.map_or(Registration::NeedsSupport, |c| c.registration)))),
            ("決定".into(), voice.text(&decision_text(d, r))),
        ];
        // A closed or transferred case has no policy or review ahead of it.
        if !d.kind.ends_support() {
            fields.push(("援助方針".into(), voice.text(&d.support_policy)));
            fields.push(("次回確認日".into(), d.next_review.map(|n| style.format(n)).unwrap_or_else(|| "-".into())));
        }
        let months = months_of(d.case_id);
        if !months.is_empty() {
            fields.push(("月次報告（前回以降）".into(), months.month_texts().join(" ／ ")));
        }
        let replied = replies_text(r, replies_of(d.case_id), &voice);
        if !replied.is_empty() {
            fields.push(("事前確認".into(), replied));
        }
        item.push(Block::Fields(fields));
        if !d.notes.trim().is_empty() {
            item.push(Block::Text(format!("備考: {}", voice.text(&d.notes))));
        }
        let mut roles =
            Grid::new(&[("役割分担（機関）", 13), ("担当者", 7), ("内容", 27), ("期限", 7)]).titled("役割分担");
        for a in roles_of.get(&d.case_id).into_iter().flatten() {
            roles.row(vec![
                r.agency_name(a.agency_id).into(),
                a.owner.clone().into(),
                voice.text(&a.what).into(),
                day(a.due),
            ]);
        }
        item.push(Block::Table(roles));
        blocks.push(Block::Together(item));
    }
    let decided: HashSet<Id> = r.decisions.iter().map(|d| d.case_id).collect();
    let not_decided: Vec<_> =
        r.agenda.iter().filter(|i| i.state != ItemState::Done && !decided.contains(&i.case_id)).collect();
    if !not_decided.is_empty() {
        blocks.push(Block::SubHeading("協議できなかったケース".into()));
        let mut g = Grid::new(&[("ケース番号", 7), ("氏名", 6), ("扱い", 8)]);
        for i in not_decided {
            let how = if i.state == ItemState::Deferred { "次回へ延期" } else { "未協議" };
            g.row(vec![number(i.case_id), voice.name(case(i.case_id)), how.into()]);
        }
        blocks.push(Block::Table(g));
    }

    // 6. 新規登録
    let heading = match r.date {
        Some(d) => crate::domain::triage::news_heading(crate::domain::triage::news_since(r.previous_date, d), style),
        None => "新規登録".into(),
    };
    blocks.push(Block::Heading(format!("6. {heading}")));
    let mut new = Grid::new(&[
        ("ケース番号", 7),
        ("氏名", 7),
        ("区分", 5),
        ("受理日", 7),
        ("主訴", 17),
        ("ランク", 3),
        ("主担当機関", 10),
    ]);
    for id in &r.new_registrations {
        let Some(c) = case(*id) else { continue };
        new.row(vec![
            Cell::from(c.number.clone()),
            voice.name(Some(c)).into(),
            c.registration.short().into(),
            c.accepted_on.into(),
            voice.private_text("presenting_concern", &c.presenting_concern).into(),
            c.rank.clone().into(),
            r.agency_name(c.lead_agency).into(),
        ]);
    }
    blocks.push(Block::Table(new));

    // 7. 終結・移管
    blocks.push(Block::Heading("7. 終結・移管".into()));
    let mut closed =
        Grid::new(&[("ケース番号", 7), ("氏名", 7), ("区分", 5), ("扱い", 6), ("終結日", 7), ("理由", 24)]);
    let mut decision_of: HashMap<Id, &Decision> = HashMap::new();
    for d in r.decisions.iter().rev() {
        decision_of.insert(d.case_id, d);
    }
    for id in &r.closings {
        let Some(c) = case(*id) else { continue };
        let dec = decision_of.get(id).copied();
        let how = dec.map(|d| d.kind.label()).unwrap_or(c.status.label());
        let reason =
            c.closure.as_ref().map(|cl| cl.reason.clone()).or(dec.map(|d| d.reason.clone())).unwrap_or_default();
        closed.row(vec![
            c.number.clone().into(),
            voice.name(Some(c)).into(),
            c.registration.short().into(),
            how.into(),
            day(c.closure.as_ref().map(|cl| cl.on).or(r.date)),
            voice.text(&reason).into(),
        ]);
    }
    blocks.push(Block::Table(closed));

    blocks.push(Block::Text(format!(
        "作成日: {}　作成: {}{}",
        style.format(written_on),
        cfg.municipality.secretariat,
        if masked { "　（配布用: 児童の氏名は頭文字に置き換えています）" } else { "" }
    )));
    blocks.push(Block::Text("以上".into()));

    let title =
        format!("{}　{}　会議録{}", council_name(municipality), m.title, if masked { "（配布用）" } else { "" });
    Document::new(title, cfg.confidentiality.notice.clone(), blocks).styled(&cfg.output)
}
