//! `shinko meeting ...`: creating meetings (dates, sessions and 部会, the agencies expected),
//! listing and showing them. Their agenda is `cli/agenda.rs`.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveTime};
use clap::{Args, Subcommand};
use color_eyre::eyre::{Result, bail, eyre};
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

use super::{Ctx, ListFormat};
use crate::cli::console::outln;
use crate::domain::config::SectionDef;
use crate::domain::{Config, Id, Meeting, MeetingKind, MeetingStatus, Session, time_of_day, wareki};
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum MeetingCmd {
    /// 会議を作成する（日程・場所・出席予定機関）
    New(NewArgs),
    /// 会議の一覧
    List {
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
    },
    /// 会議の詳細（日程・出席予定機関）
    Show {
        /// 会議ID
        id: Id,
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
    },
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// 会議名（例: 令和8年度 第3回 進行管理会議）
    #[arg(long)]
    pub title: String,
    /// 種別: progress（進行管理会議）/ representatives（代表者会議）/ case_conference（個別ケース検討会議）
    #[arg(long, default_value = "progress")]
    pub kind: String,
    /// 日程「2026-12-10 09:30-12:00 [部会]」（繰り返し指定可。部会は設定の code か名前）
    #[arg(long = "session", required = true)]
    pub sessions: Vec<String>,
    /// 場所
    #[arg(long, default_value = "")]
    pub place: String,
    /// 司会
    #[arg(long, default_value = "")]
    pub chair: String,
    /// 記録者
    #[arg(long, default_value = "")]
    pub recorder: String,
    /// 出席予定機関（名前またはコード。繰り返し指定可）
    #[arg(long = "agency")]
    pub agencies: Vec<String>,
}

pub fn run_meeting(ctx: &Ctx, c: MeetingCmd) -> Result<()> {
    match c {
        MeetingCmd::New(a) => new_meeting(ctx, a),
        MeetingCmd::List { format } => list(ctx, format),
        MeetingCmd::Show { id, format } => show_meeting(ctx, id, format),
    }
}

/// One `--session` value: 「2026-12-10 09:30-12:00 [部会]」 (和暦の日付も可).
fn parse_session<'c>(
    text: &str,
    n: usize,
    cfg: &'c Config,
) -> Result<(NaiveDate, NaiveTime, NaiveTime, Option<&'c SectionDef>)> {
    // Full-width spaces and digits (MS-IME) read like their ASCII forms.
    let normal: String = text.nfkc().collect();
    let parts: Vec<&str> = normal.split_whitespace().collect();
    let bad = |why: &str| eyre!("--session {n}番目「{text}」: {why}（例: 2026-12-10 09:30-12:00 乳幼児会）");
    if parts.len() < 2 || parts.len() > 3 {
        return Err(bad("「日付 開始-終了 [部会]」の形で指定してください"));
    }
    let date = wareki::parse_date(parts[0]).map_err(|e| bad(&e))?;
    let (start, end) = time_of_day::parse_range(parts[1]).map_err(|e| bad(&e))?;
    let section = match parts.get(2) {
        None => None,
        Some(want) => Some(cfg.sections.iter().find(|x| x.code == *want || x.name == *want).ok_or_else(|| {
            let known: Vec<String> = cfg.sections.iter().map(|x| format!("{}（{}）", x.name, x.code)).collect();
            bad(&format!("部会「{want}」は設定にありません。使えるもの: {}", known.join("、")))
        })?),
    };
    Ok((date, start, end, section))
}

pub(super) fn find_agency(store: &Store, name: &str) -> Result<Id> {
    if let Some(a) = store.agency_by_code(name)? {
        return Ok(a.id);
    }
    match store.agency_by_name(name)? {
        Some(a) => Ok(a.id),
        None => bail!("機関「{name}」は登録されていません"),
    }
}

fn new_meeting(ctx: &Ctx, a: NewArgs) -> Result<()> {
    let kind =
        MeetingKind::from_code(&a.kind)
            .or_else(|| MeetingKind::ALL.into_iter().find(|k| k.label() == a.kind))
            .ok_or_else(|| eyre!("--kind「{}」は不明です（progress / representatives / case_conference）", a.kind))?;
    if a.title.trim().is_empty() {
        bail!("--title: 会議名が空です");
    }
    let mut sessions = Vec::new();
    for (i, s) in a.sessions.iter().enumerate() {
        sessions.push(parse_session(s, i + 1, &ctx.config)?);
    }
    sessions.sort_by_key(|s| (s.0, s.1));
    let mut store = ctx.open_store()?;
    let agencies = a.agencies.iter().map(|n| find_agency(&store, n)).collect::<Result<Vec<_>>>()?;
    let days: Vec<NaiveDate> = {
        let mut d: Vec<NaiveDate> = sessions.iter().map(|s| s.0).collect();
        d.dedup();
        d
    };
    let id = store.write(|t| {
        let id = t.save_meeting(&Meeting {
            id: 0,
            kind,
            title: a.title.clone(),
            place: a.place.clone(),
            chair: a.chair.clone(),
            recorder: a.recorder.clone(),
            status: MeetingStatus::Planned,
            current_item: None,
        })?;
        for (pos, (date, start, end, section)) in sessions.iter().enumerate() {
            let day = days.iter().position(|d| d == date).unwrap_or(0) + 1;
            let half = if *start < NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default() { "午前" } else { "午後" };
            let label = match section {
                Some(s) => format!("{day}日目 {half}（{}）", s.name),
                None => format!("{day}日目 {half}"),
            };
            t.save_session(&Session {
                id: 0,
                meeting_id: id,
                label,
                date: *date,
                start: *start,
                end: *end,
                section: section.map(|s| s.code.clone()),
                position: pos as i64,
            })?;
        }
        if !agencies.is_empty() {
            t.set_meeting_agencies(id, &agencies)?;
        }
        Ok(id)
    })?;
    outln!("会議 {id} を作成しました（日程 {} 件）。議事次第: shinko agenda build --meeting {id}", sessions.len());
    Ok(())
}

#[derive(Serialize)]
struct MeetingView {
    #[serde(flatten)]
    meeting: Meeting,
    sessions: Vec<Session>,
    agencies: Vec<String>,
    agenda_items: usize,
}

fn meeting_view(store: &Store, m: Meeting) -> Result<MeetingView> {
    let sessions = store.sessions(m.id)?;
    let names: BTreeMap<Id, String> = store.agencies()?.into_iter().map(|a| (a.id, a.name)).collect();
    let agencies = store.meeting_agencies(m.id)?.iter().filter_map(|a| names.get(a).cloned()).collect();
    let agenda_items = store.agenda(m.id)?.len();
    Ok(MeetingView { meeting: m, sessions, agencies, agenda_items })
}

fn list(ctx: &Ctx, format: ListFormat) -> Result<()> {
    let store = ctx.open_store()?;
    let views = store.meetings()?.into_iter().map(|m| meeting_view(&store, m)).collect::<Result<Vec<_>>>()?;
    match format {
        ListFormat::Json => outln!("{}", serde_json::to_string_pretty(&views)?),
        ListFormat::Table => {
            for v in &views {
                let date = v.sessions.first().map(|s| s.date.to_string()).unwrap_or_else(|| "日程未定".into());
                outln!(
                    "{}\t{}\t{}\t{}\t{}\t議題{}件",
                    v.meeting.id,
                    date,
                    v.meeting.kind.label(),
                    v.meeting.title,
                    v.meeting.status.label(),
                    v.agenda_items
                );
            }
        }
    }
    Ok(())
}

fn show_meeting(ctx: &Ctx, id: Id, format: ListFormat) -> Result<()> {
    let store = ctx.open_store()?;
    let v = meeting_view(&store, store.meeting(id)?)?;
    match format {
        ListFormat::Json => outln!("{}", serde_json::to_string_pretty(&v)?),
        ListFormat::Table => {
            let m = &v.meeting;
            outln!("{}（{}・{}）", m.title, m.kind.label(), m.status.label());
            if !m.place.is_empty() {
                outln!("場所: {}", m.place);
            }
            for (n, s) in v.sessions.iter().enumerate() {
                outln!("日程{}: {} {} {}-{}", n + 1, s.label, s.date, s.start.format("%H:%M"), s.end.format("%H:%M"));
            }
            if !v.agencies.is_empty() {
                outln!("出席予定: {}", v.agencies.join("、"));
            }
            outln!("議題: {}件", v.agenda_items);
        }
    }
    Ok(())
}
