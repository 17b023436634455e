//! `shinko contacts add|list`: the 経過記録 from scripts (what the TUI's contact form records).

use clap::{Args, Subcommand};
use color_eyre::eyre::{Result, bail, eyre};
use serde::Serialize;

use super::{Ctx, ListFormat};
use crate::cli::console::outln;
use crate::domain::contact::{Contact, ContactKind};
use crate::domain::{Id, wareki};
use crate::store::contacts::NewContact;

#[derive(Debug, Subcommand)]
pub enum ContactsCmd {
    /// 経過記録を1件追加する（家庭訪問・面接・電話・所属機関への確認・関係機関からの連絡）
    Add(AddArgs),
    /// 経過記録の一覧
    List(ListArgs),
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// ケース番号
    pub case: String,
    /// 接触した日（既定: 今日。西暦・和暦どちらも可）
    #[arg(long)]
    pub date: Option<String>,
    /// 種別: 家庭訪問 / 面接 / 電話 / 所属機関への確認 / 関係機関からの連絡
    #[arg(long)]
    pub kind: String,
    /// 接触した（連絡してきた）機関。登録済みの機関名・コード・略称
    #[arg(long)]
    pub agency: String,
    /// 子どもを目視で確認したか: はい / いいえ
    #[arg(long)]
    pub seen: String,
    /// 記録（短い要旨）
    #[arg(long, default_value = "")]
    pub note: String,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// このケース番号の記録だけ
    #[arg(long)]
    pub case: Option<String>,
    /// この日以降の記録だけ
    #[arg(long)]
    pub since: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: ListFormat,
}

pub fn run(ctx: &Ctx, cmd: ContactsCmd) -> Result<()> {
    match cmd {
        ContactsCmd::Add(a) => add(ctx, a),
        ContactsCmd::List(a) => list(ctx, a),
    }
}

/// 目視確認 as people answer it.
fn parse_seen(s: &str) -> Result<bool> {
    match s.trim() {
        "はい" | "あり" | "有" | "済" | "yes" | "y" | "true" | "1" => Ok(true),
        "いいえ" | "なし" | "無" | "no" | "n" | "false" | "0" => Ok(false),
        other => bail!("--seen: 「{other}」は目視確認の有無として読めません（はい / いいえ）"),
    }
}

fn parse_kind(s: &str) -> Result<ContactKind> {
    ContactKind::parse(s).ok_or_else(|| eyre!("--kind: 種別「{}」は不明です（{}）", s.trim(), ContactKind::labels()))
}

fn add(ctx: &Ctx, a: AddArgs) -> Result<()> {
    let kind = parse_kind(&a.kind)?;
    let seen = parse_seen(&a.seen)?;
    let date = match &a.date {
        Some(s) => wareki::parse_date(s).map_err(|e| eyre!("--date: {e}"))?,
        None => ctx.today,
    };
    let mut store = ctx.open_store()?;
    let case = store.case_by_number(&a.case)?.ok_or_else(|| eyre!("ケース番号「{}」は台帳にありません", a.case))?;
    let today = ctx.today;
    let typed = NewContact { case_id: case.id, date, kind, agency: a.agency.clone(), seen, note: a.note.clone() };
    let id = store.write(|t| t.record_contact(&typed, today))?;
    eprintln!(
        "ケース {} に経過記録を追加しました（{} {}、目視確認{}、ID {id}）",
        case.number,
        wareki::format_short(date),
        kind.label(),
        if seen { "あり" } else { "なし" }
    );
    Ok(())
}

/// One line of `contacts list --format json`.
#[derive(Serialize)]
struct Listed {
    id: Id,
    case_number: String,
    date: chrono::NaiveDate,
    kind: &'static str,
    kind_label: &'static str,
    agency: String,
    seen: bool,
    note: String,
}

fn list(ctx: &Ctx, a: ListArgs) -> Result<()> {
    let store = ctx.open_store()?;
    let since = match &a.since {
        Some(s) => Some(wareki::parse_date(s).map_err(|e| eyre!("--since: {e}"))?),
        None => None,
    };
    let contacts: Vec<Contact> = match &a.case {
        Some(n) => {
            let c = store.case_by_number(n)?.ok_or_else(|| eyre!("ケース番号「{n}」は台帳にありません"))?;
            let mut v = store.contacts_of_case(c.id)?;
            v.retain(|x| since.is_none_or(|s| x.date >= s));
            v.reverse();
            v
        }
        None => store.contacts_since(since)?,
    };
    let ids: Vec<Id> = contacts.iter().map(|c| c.case_id).collect();
    let cases = store.cases_by_id(&ids)?;
    let agencies: std::collections::HashMap<Id, String> =
        store.agencies()?.into_iter().map(|x| (x.id, x.name)).collect();
    let rows: Vec<Listed> = contacts
        .into_iter()
        .map(|c| Listed {
            id: c.id,
            case_number: cases.get(&c.case_id).map(|x| x.number.clone()).unwrap_or_default(),
            date: c.date,
            kind: c.kind.code(),
            kind_label: c.kind.label(),
            agency: agencies.get(&c.agency_id).cloned().unwrap_or_default(),
            seen: c.seen,
            note: c.note,
        })
        .collect();
    match a.format {
        ListFormat::Json => outln!("{}", serde_json::to_string_pretty(&rows)?),
        ListFormat::Table => {
            for r in &rows {
                outln!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    r.case_number,
                    wareki::format_short(r.date),
                    r.kind_label,
                    r.agency,
                    if r.seen { "目視あり" } else { "目視なし" },
                    r.note
                );
            }
            eprintln!("{} 件", rows.len());
        }
    }
    Ok(())
}
