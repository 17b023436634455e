//! `shinko ledger ...`: list, show, register, edit and close cases.

use crate::cli::console::outln;
use clap::{Args, Subcommand};
use color_eyre::eyre::{Result, bail, eyre};

use super::{Ctx, ListFormat, ledger_import};
use crate::domain::{AbuseType, Case, CaseStatus, CgcInvolvement, Id, Registration, Sex, wareki};
use crate::store::{CaseFilter, CaseSort, Store, StoreError};

#[derive(Debug, Subcommand)]
pub enum LedgerCmd {
    /// ケースの一覧
    List(ListArgs),
    /// 1件のケースの詳細
    Show {
        /// ケース番号
        number: String,
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
    },
    /// ケースを登録する
    Add(CaseFields),
    /// ケースを編集する（指定した項目だけ変わる）
    Edit(CaseFields),
    /// ケースを終結・移管する（理由が必要）
    Close(CloseArgs),
    /// 既存の台帳（.xlsx/.xls/.csv）を取り込む
    Import(ledger_import::LedgerImportArgs),
    /// 台帳を .xlsx/.csv に出力する
    Export(ledger_import::LedgerExportArgs),
    /// ケース番号を付け替える（取込-0001 → R001 など。監査記録に残る）
    Renumber(super::ledger_renumber::RenumberArgs),
    /// 特定妊婦のケースに出生を記録する（新生児を同じ世帯の要支援児童として登録し、母の登録を継続か終結に）
    Birth(super::ledger_birth::BirthArgs),
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// 検索（ケース番号・氏名・ふりがな。カナ・半角も可）
    #[arg(long, short)]
    pub query: Option<String>,
    /// 登録区分（要保護/要支援/特定妊婦）
    #[arg(long)]
    pub registration: Option<String>,
    #[arg(long)]
    pub rank: Option<String>,
    /// 所属機関名
    #[arg(long)]
    pub affiliation: Option<String>,
    /// 主担当機関名
    #[arg(long)]
    pub lead: Option<String>,
    /// 次回確認日を過ぎたものだけ
    #[arg(long)]
    pub overdue: bool,
    /// 目視確認が設定の日数（triage.unseen_days、既定90日）を超えてない子どもだけ（特定妊婦を除く）
    #[arg(long)]
    pub unseen: bool,
    /// 月次報告の要確認（前回の確認以降）があるものだけ
    #[arg(long)]
    pub needs_check: bool,
    /// 終結・移管も含める
    #[arg(long)]
    pub all: bool,
    #[arg(long, value_enum, default_value = "table")]
    pub format: ListFormat,
}

#[derive(Debug, Args, Default)]
pub struct CaseFields {
    /// ケース番号
    #[arg(long)]
    pub number: String,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub kana: Option<String>,
    /// 男/女
    #[arg(long)]
    pub sex: Option<String>,
    /// 生年月日（2015/4/1, H27.4.1 など）
    #[arg(long)]
    pub birth: Option<String>,
    /// 出産予定日（特定妊婦）
    #[arg(long)]
    pub due: Option<String>,
    /// 受理日
    #[arg(long)]
    pub accepted: Option<String>,
    /// 登録区分
    #[arg(long)]
    pub registration: Option<String>,
    #[arg(long)]
    pub rank: Option<String>,
    /// 虐待種別（身体的・ネグレクト など）
    #[arg(long)]
    pub abuse: Option<String>,
    #[arg(long)]
    pub town: Option<String>,
    /// 主訴
    #[arg(long)]
    pub concern: Option<String>,
    /// 所属機関名（登録済みの機関。「東小」のような略称も可）
    #[arg(long)]
    pub affiliation: Option<String>,
    /// 学年・クラス
    #[arg(long)]
    pub grade: Option<String>,
    /// 主担当機関名（登録済みの機関。略称も可）
    #[arg(long)]
    pub lead: Option<String>,
    /// 所属・主担当に登録されていない機関名を書いたとき、新しい機関として登録する
    #[arg(long)]
    pub new_agency: bool,
    /// 主たる援助者
    #[arg(long)]
    pub key_worker: Option<String>,
    /// 児相の関与（なし/情報共有/児童福祉司指導/一時保護/措置中/家庭復帰）
    #[arg(long)]
    pub cgc: Option<String>,
    /// 援助方針
    #[arg(long)]
    pub policy: Option<String>,
    /// 保護者・同居人（「続柄：氏名（ふりがな）」、1人ずつ繰り返し指定。指定すると置き換え。"-" で消す）
    #[arg(long = "person")]
    pub people: Vec<String>,
    /// 月次報告（定期的な情報提供）の対象: 既定（設定の規則どおり）/対象/対象外
    #[arg(long, value_name = "既定|対象|対象外")]
    pub monthly_report: Option<String>,
    /// 次回確認日
    #[arg(long)]
    pub next_review: Option<String>,
    /// きょうだい（同じ世帯）のケース番号
    #[arg(long)]
    pub sibling_of: Option<String>,
    /// 再受理: 以前の（終結した）ケース番号
    #[arg(long)]
    pub previous: Option<String>,
}

#[derive(Debug, Args)]
pub struct CloseArgs {
    /// ケース番号
    pub number: String,
    /// 終結・移管の理由
    #[arg(long)]
    pub reason: String,
    /// 終結日（既定: 今日）
    #[arg(long)]
    pub on: Option<String>,
    /// 決定した会議のID
    #[arg(long)]
    pub meeting: Option<i64>,
    /// 終結ではなく移管・転出として記録する
    #[arg(long)]
    pub transfer: bool,
    /// 終結理由区分（必須。統計で数える分類: 設定の [closing] categories のどれか。既定は
    /// 状態の安定・転出・年齢到達・児相へ送致・措置・その他）
    #[arg(long)]
    pub category: String,
}

pub fn run(ctx: &Ctx, cmd: LedgerCmd) -> Result<()> {
    match cmd {
        LedgerCmd::List(a) => list(ctx, a),
        LedgerCmd::Show { number, format } => show(ctx, &number, format),
        LedgerCmd::Add(f) => save(ctx, f, true),
        LedgerCmd::Edit(f) => save(ctx, f, false),
        LedgerCmd::Close(a) => close(ctx, a),
        LedgerCmd::Import(a) => ledger_import::ledger_import(ctx, a),
        LedgerCmd::Export(a) => ledger_import::ledger_export(ctx, a),
        LedgerCmd::Renumber(a) => super::ledger_renumber::renumber(ctx, a),
        LedgerCmd::Birth(a) => super::ledger_birth::birth(ctx, a),
    }
}

fn date(field: &str, s: &str) -> Result<chrono::NaiveDate> {
    wareki::parse_date(s).map_err(|e| eyre!("{field}: {e}"))
}

fn agency_filter(store: &Store, name: Option<&str>) -> Result<Option<i64>> {
    match name {
        None => Ok(None),
        Some(n) => match store.agency_by_name(n)? {
            Some(a) => Ok(Some(a.id)),
            None => bail!("機関「{n}」は登録されていません"),
        },
    }
}

fn list(ctx: &Ctx, a: ListArgs) -> Result<()> {
    let store = ctx.open_store()?;
    let filter = CaseFilter {
        query: a.query.unwrap_or_default(),
        registration: match a.registration.as_deref() {
            Some(r) => Some(
                Registration::parse(r).ok_or_else(|| eyre!("登録区分「{r}」は不明です（要保護/要支援/特定妊婦）"))?,
            ),
            None => None,
        },
        rank: a.rank,
        lead_agency: agency_filter(&store, a.lead.as_deref())?,
        affiliation: agency_filter(&store, a.affiliation.as_deref())?,
        overdue_on: a.overdue.then_some(ctx.today),
        unseen_before: a.unseen.then(|| crate::domain::contact::seen_cutoff(ctx.today, ctx.config.triage.unseen_days)),
        needs_check: a.needs_check,
        include_closed: a.all,
    };
    let mut rows = Vec::new();
    let mut last = None;
    loop {
        let page = store.case_page(&filter, CaseSort::Number, last.as_ref(), 500)?;
        if page.is_empty() {
            break;
        }
        last = page.last().cloned();
        rows.extend(page);
    }
    match a.format {
        ListFormat::Json => outln!("{}", serde_json::to_string_pretty(&rows)?),
        ListFormat::Table => {
            for r in &rows {
                outln!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    r.number,
                    r.name,
                    r.kana,
                    r.registration.short(),
                    r.rank,
                    r.next_review.map(|d| d.to_string()).unwrap_or_default()
                );
            }
            eprintln!("{} 件", rows.len());
        }
    }
    Ok(())
}

fn show(ctx: &Ctx, number: &str, format: ListFormat) -> Result<()> {
    let store = ctx.open_store()?;
    let c = store.case_by_number(number)?.ok_or_else(|| eyre!("ケース番号「{number}」は台帳にありません"))?;
    let name_of = |id: Option<i64>| id.and_then(|i| store.agency(i).ok()).map(|a| a.name).unwrap_or_default();
    let institution = c.affiliation.and_then(|i| store.agency(i).ok()).is_some_and(|a| a.kind.is_institution());
    let designated = crate::domain::attendance::is_designated(&c, institution, &ctx.config.monthly_reports);
    match format {
        ListFormat::Json => {
            let v = serde_json::json!({
                "case": c,
                "monthly_report_designated": designated,
                "affiliation_name": name_of(c.affiliation),
                "lead_agency_name": name_of(c.lead_agency),
                "decisions": store.decisions_of_case(c.id)?,
                "actions": store.actions_of_case(c.id)?,
            });
            outln!("{}", serde_json::to_string_pretty(&v)?);
        }
        ListFormat::Table => {
            let d = |x: Option<chrono::NaiveDate>| x.map(|d| wareki::display(d, true)).unwrap_or_default();
            outln!("ケース番号: {}", c.number);
            outln!("氏名: {}（{}）", c.name, c.kana);
            let rank = ctx.config.rank_scheme(c.registration).describe(&c.rank);
            outln!("登録区分: {}  ランク: {rank}  状態: {}", c.registration.label(), c.status.label());
            outln!("生年月日: {}  出産予定日: {}", d(c.birth_date), d(c.due_date));
            outln!("受理日: {}  主訴: {}", wareki::display(c.accepted_on, true), c.presenting_concern);
            outln!(
                "所属: {} {}  主担当: {}  援助者: {}",
                name_of(c.affiliation),
                c.grade,
                name_of(c.lead_agency),
                c.key_worker
            );
            outln!("児相: {}  虐待種別: {}", c.cgc.label(), AbuseType::join(&c.abuse_types));
            outln!("援助方針: {}", c.support_policy);
            outln!("前回確認: {}  次回確認: {}", d(c.last_review), d(c.next_review));
            outln!("月次報告: {}", c.monthly_report.describe(designated));
            if let Some(cl) = &c.closure {
                outln!("終結: {} {}", wareki::display(cl.on, true), cl.reason);
            }
        }
    }
    Ok(())
}

/// What the given fields name in the ledger besides the case itself, looked up once.
struct Refs {
    previous: Option<Id>,
    sibling: Option<Case>,
}

fn refs(store: &Store, f: &CaseFields) -> Result<Refs> {
    let previous = match &f.previous {
        Some(v) => Some(store.case_by_number(v)?.ok_or_else(|| eyre!("以前のケース番号「{v}」は台帳にありません"))?.id),
        None => None,
    };
    let sibling = match &f.sibling_of {
        Some(v) => {
            Some(store.case_by_number(v)?.ok_or_else(|| eyre!("きょうだいのケース番号「{v}」は台帳にありません"))?)
        }
        None => None,
    };
    Ok(Refs { previous, sibling })
}

/// Applies the given fields onto `c` (only those given), with the rank checked against the
/// configured scheme and, for a new case, the first review proposed.
fn apply(ctx: &Ctx, c: &mut Case, f: &CaseFields, refs: &Refs, new: bool) -> Result<()> {
    let before = (!new).then(|| c.clone());
    if let Some(v) = &f.name {
        c.name = v.trim().to_string();
    }
    if let Some(v) = &f.kana {
        c.kana = v.trim().to_string();
    }
    if let Some(v) = &f.sex {
        c.sex = Sex::parse(v).ok_or_else(|| eyre!("性別「{v}」は 男/女 で指定してください"))?;
    }
    if let Some(v) = &f.birth {
        c.birth_date = Some(date("生年月日", v)?);
    }
    if let Some(v) = &f.due {
        c.due_date = Some(date("出産予定日", v)?);
    }
    if let Some(v) = &f.accepted {
        c.accepted_on = date("受理日", v)?;
    }
    if let Some(v) = &f.registration {
        c.registration =
            Registration::parse(v).ok_or_else(|| eyre!("登録区分「{v}」は不明です（要保護/要支援/特定妊婦）"))?;
    }
    if let Some(v) = &f.abuse {
        c.abuse_types = AbuseType::parse_list(v).map_err(|e| eyre!("虐待種別: {e}"))?;
    }
    if let Some(v) = &f.town {
        c.town = v.clone();
    }
    if let Some(v) = &f.concern {
        c.presenting_concern = v.clone();
    }
    if let Some(v) = &f.grade {
        c.grade = v.clone();
    }
    if let Some(v) = &f.key_worker {
        c.key_worker = v.clone();
    }
    if let Some(v) = &f.cgc {
        c.cgc = CgcInvolvement::parse(v).ok_or_else(|| {
            let all: Vec<&str> = CgcInvolvement::ALL.iter().map(|c| c.label()).collect();
            eyre!("児相の関与「{v}」は不明です（{} のどれか）", all.join("・"))
        })?;
    }
    if let Some(v) = &f.policy {
        c.support_policy = v.clone();
    }
    if !f.people.is_empty() {
        let listed: Vec<&str> = f.people.iter().map(|p| p.trim()).filter(|p| *p != "-").collect();
        c.people = listed.join("\n");
        crate::domain::case::parse_people(&c.people).map_err(|e| eyre!("保護者・同居人: {e}"))?;
    }
    if let Some(v) = &f.monthly_report {
        c.monthly_report = crate::domain::ReportDesignation::parse(v)
            .ok_or_else(|| eyre!("--monthly-report: 「{v}」は 既定/対象/対象外 で指定してください"))?;
    }
    if let Some(v) = &f.next_review {
        c.next_review = Some(date("次回確認日", v)?);
    }
    if refs.previous.is_some() {
        c.previous_case = refs.previous;
    }
    if new && c.rank.is_empty() && f.rank.is_none() {
        c.rank = ctx.config.rank_scheme(c.registration).ranks().last().map(|r| r.code.clone()).unwrap_or_default();
    }
    if let Some(r) = &f.rank {
        if ctx.config.rank_scheme(c.registration).get(r).is_none() {
            let codes: Vec<_> = ctx.config.rank_scheme(c.registration).ranks().iter().map(|r| r.code.clone()).collect();
            bail!("ランク「{r}」は設定にありません（{}）", codes.join("/"));
        }
        c.rank = r.clone();
    }
    crate::domain::rank::next_review_after_edit(c, before.as_ref(), ctx.today, &ctx.config);
    Ok(())
}

fn save(ctx: &Ctx, f: CaseFields, new: bool) -> Result<()> {
    let mut store = ctx.open_store()?;
    let existing = store.case_by_number(&f.number)?;
    let mut c = match (new, existing) {
        (true, Some(_)) => bail!("ケース番号「{}」は既に登録されています（編集は ledger edit）", f.number),
        (false, None) => bail!("ケース番号「{}」は台帳にありません", f.number),
        (true, None) => {
            let mut c = Case::blank(ctx.today);
            c.number = f.number.trim().to_string();
            c
        }
        (false, Some(c)) => c,
    };
    let refs = refs(&store, &f)?;
    // Checked here first, so a mistake in the fields is reported as typed.
    apply(ctx, &mut c, &f, &refs, new)?;
    let id = store
        .write(|t| {
            if !new {
                // Read, change and write in this one transaction: the given fields change the case
                // as it is stored now, so what another window saved since the read above is kept.
                c = t.case(c.id)?;
                apply(ctx, &mut c, &f, &refs, new).map_err(|e| StoreError::invalid("入力", e.to_string()))?;
            }
            if let Some(n) = &f.affiliation {
                c.affiliation = Some(t.agency_for(n, f.new_agency)?);
            }
            if let Some(n) = &f.lead {
                c.lead_agency = Some(t.agency_for(n, f.new_agency)?);
            }
            if let Some(sib) = &refs.sibling {
                let had = t.case(sib.id)?.household_id;
                c.household_id = Some(t.household_of(sib.id)?);
                if had.is_none() && sib.id == c.id {
                    c.version = t.case(c.id)?.version;
                }
            }
            t.save_case(&c)
        })
        .map_err(agency_hint)?;
    tracing::info!(case_id = id, new, "case saved");
    eprintln!(
        "{} ケース {} を{}しました",
        if new { "登録:" } else { "更新:" },
        c.number,
        if new { "登録" } else { "更新" }
    );
    Ok(())
}

fn close(ctx: &Ctx, a: CloseArgs) -> Result<()> {
    let mut store = ctx.open_store()?;
    let c = store.case_by_number(&a.number)?.ok_or_else(|| eyre!("ケース番号「{}」は台帳にありません", a.number))?;
    let on = match &a.on {
        Some(s) => date("終結日", s)?,
        None => ctx.today,
    };
    if let Some(m) = a.meeting {
        store.meeting(m)?;
    }
    let status = if a.transfer { CaseStatus::Transferred } else { CaseStatus::Closed };
    let categories = &ctx.config.closing.categories;
    let category = crate::domain::config::check_closing_category(categories, &a.category).map_err(|e| eyre!(e))?;
    store.write(|t| t.close_case_as(c.id, status, on, &a.reason, category, categories, a.meeting))?;
    tracing::info!(case_id = c.id, "case closed");
    eprintln!("ケース {} を{}しました", c.number, status.label());
    Ok(())
}

/// A typed agency name that fits no registered agency: say how to register it on purpose.
pub(crate) fn agency_hint(e: StoreError) -> color_eyre::eyre::Report {
    match e {
        StoreError::UnknownAgency { .. } => eyre!("{e}。新しい機関として登録するには --new-agency を付けてください"),
        e => e.into(),
    }
}
