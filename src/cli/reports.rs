//! `shinko reports ...`: 定期的な情報提供 (institutions' monthly reports): templates, import,
//! the list with its alerts, the missing ones per institution, and an urgent report by hand.
//! Problems go to stderr in Japanese; nothing is written when any is found.

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Subcommand};
use color_eyre::eyre::{Result, bail, eyre};
use serde::Serialize;

use super::Ctx;
use super::ledger_import::LimitArgs;
use super::sheets::{file_time, read_tables, say_outcomes};
use crate::cli::console::{out, outln};
use crate::domain::attendance::{self, MonthlyReport, UrgentNews, month_label};
use crate::exchange::{report_import, report_template};

#[derive(Debug, Subcommand)]
pub enum ReportsCmd {
    /// 機関ごとの定期的な情報提供（月次報告）の様式を作成する
    Templates(TemplatesArgs),
    /// 記入済みの月次報告（.xlsx/.csv）を取り込む
    Import(ImportArgs),
    /// 取り込んだ月次報告と要確認を一覧する
    List(ListArgs),
    /// 提出期限までに届いていない月次報告を機関ごとに示す（督促用）
    Missing(MissingArgs),
    /// 電話などで受けた随時報告（長期欠席・転居・気になる様子）を入力する
    Add(AddArgs),
}

#[derive(Debug, Args)]
pub struct TemplatesArgs {
    /// 対象月（2027-01、R9.1 など）
    #[arg(long)]
    pub month: String,
    /// 出力先フォルダ
    #[arg(long)]
    pub out: PathBuf,
    /// 同名のファイルがあれば上書きする
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// 取り込むファイル（複数可）
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// 確認だけして何も書き込まない
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// 対象月（省略するとすべての月）
    #[arg(long)]
    pub month: Option<String>,
    /// ケース番号
    #[arg(long)]
    pub case: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: super::ListFormat,
}

#[derive(Debug, Args)]
pub struct MissingArgs {
    /// 対象月
    #[arg(long)]
    pub month: String,
    #[arg(long, value_enum, default_value = "table")]
    pub format: super::ListFormat,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// ケース番号
    #[arg(long)]
    pub case: String,
    /// 報告した機関のコード（省略すると所属機関）
    #[arg(long)]
    pub agency: Option<String>,
    /// 続いている欠席の初日（今日までの授業日を数えます）
    #[arg(long)]
    pub absent_since: Option<String>,
    /// 欠席について家庭から連絡がない
    #[arg(long)]
    pub unnotified: bool,
    /// 転居・転出の知らせ
    #[arg(long)]
    pub moved: bool,
    /// 気になる様子（特記事項）
    #[arg(long, default_value = "")]
    pub remarks: String,
    /// 欠席理由
    #[arg(long, default_value = "")]
    pub reason: String,
    /// 連絡してきた人（記入者）
    #[arg(long, default_value = "")]
    pub writer: String,
}

pub fn run_reports(ctx: &Ctx, c: ReportsCmd) -> Result<()> {
    match c {
        ReportsCmd::Templates(a) => templates(ctx, a),
        ReportsCmd::Import(a) => import(ctx, a),
        ReportsCmd::List(a) => list(ctx, a),
        ReportsCmd::Missing(a) => missing(ctx, a),
        ReportsCmd::Add(a) => add(ctx, a),
    }
}

fn month_arg(s: &str) -> Result<NaiveDate> {
    attendance::parse_month(s).map_err(|e| eyre!("--month: {e}"))
}

fn templates(ctx: &Ctx, a: TemplatesArgs) -> Result<()> {
    let month = month_arg(&a.month)?;
    let store = ctx.open_store()?;
    let written = report_template::write_report_templates(&store, &ctx.config, month, &a.out, a.force)?;
    for w in &written {
        eprintln!("{}: {} 人 → {}", w.agency, w.children, w.path.display());
    }
    let n: usize = written.iter().map(|w| w.children).sum();
    tracing::info!(files = written.len(), children = n, "report templates written");
    let due = attendance::deadline(month, &ctx.config.monthly_reports, &ctx.config.business_calendar());
    eprintln!("{} 機関・{n} 人分の {} の様式を作成しました（提出期限 {due}）", written.len(), month_label(month));
    Ok(())
}

fn import(ctx: &Ctx, a: ImportArgs) -> Result<()> {
    let (tables, unread) = read_tables(&a.files, &a.limits, &report_import::is_report)?;
    let files: Vec<_> = tables
        .iter()
        .map(|(path, t)| {
            let mut f = report_import::parse(t, ctx.today);
            f.file_time = file_time(path);
            f
        })
        .collect();
    let mut store = ctx.open_store()?;
    let plan = report_import::plan(&store, &files)?;
    say_outcomes(&plan.files, unread, &plan.problems, &plan.choices)?;
    let summary = format!(
        "報告 {} 件（うち置き換え {} 件）/ 採用しなかった版 {} 件 / 取込済みと同じ {} 件 / 未記入の行 {} 件",
        plan.reports.len(),
        plan.replacing,
        plan.dropped,
        plan.unchanged,
        plan.blank_rows
    );
    if a.dry_run {
        eprintln!("確認のみ（書き込みなし）: {summary}");
        return Ok(());
    }
    let done = report_import::apply(&mut store, &plan, &ctx.config.monthly_reports)?;
    tracing::info!(reports = done.reports, alerts = done.alerts, "monthly reports imported");
    eprintln!("取り込みました: {summary}");
    if done.alerts > 0 {
        eprintln!("要確認: {} ケースに {} 件（shinko reports list で確認できます）", done.cases_alerted, done.alerts);
    }
    Ok(())
}

/// One report as listed (numbers and codes; the narrative stays in the case detail).
#[derive(Debug, Serialize)]
struct Listed {
    month: String,
    case: String,
    agency: String,
    urgent: bool,
    school_days: Option<u32>,
    attended: u32,
    absent: u32,
    absent_notified: u32,
    absent_unnotified: u32,
    late_early: u32,
    longest_absence: u32,
    moved: bool,
    written_on: Option<NaiveDate>,
    alerts: Vec<String>,
}

fn list(ctx: &Ctx, a: ListArgs) -> Result<()> {
    let store = ctx.open_store()?;
    let month = a.month.as_deref().map(month_arg).transpose()?;
    let reports: Vec<MonthlyReport> = match &a.case {
        Some(n) => {
            let c = store.case_by_number(n)?.ok_or_else(|| eyre!("ケース番号「{n}」は台帳にありません"))?;
            let mut r = store.monthly_reports_of_case(c.id)?;
            r.retain(|r| month.is_none_or(|m| r.month == m));
            r
        }
        None => store.monthly_reports(month)?,
    };
    let numbers: HashMap<_, _> = store.cases(true)?.into_iter().map(|c| (c.id, c.number)).collect();
    let codes: HashMap<_, _> = store.agencies()?.into_iter().map(|a| (a.id, a.code)).collect();
    let mut alerts: HashMap<_, Vec<String>> = HashMap::new();
    for al in store.report_alerts()? {
        alerts.entry(al.report_id).or_default().push(al.detail);
    }
    let rows: Vec<Listed> = reports
        .iter()
        .map(|r| Listed {
            month: r.month.format("%Y-%m").to_string(),
            case: numbers.get(&r.case_id).cloned().unwrap_or_default(),
            agency: codes.get(&r.agency_id).cloned().unwrap_or_default(),
            urgent: r.urgent,
            school_days: r.school_days,
            attended: r.attended,
            absent: r.absent,
            absent_notified: r.absent_notified,
            absent_unnotified: r.absent_unnotified,
            late_early: r.late_early,
            longest_absence: r.longest_absence,
            moved: r.moved,
            written_on: r.written_on,
            alerts: alerts.remove(&r.id).unwrap_or_default(),
        })
        .collect();
    match a.format {
        super::ListFormat::Json => outln!("{}", serde_json::to_string_pretty(&rows)?),
        super::ListFormat::Table => {
            outln!("対象月\tケース番号\t機関\t授業\t出席\t欠席\t連絡なし\t最長連続\t要確認");
            for r in &rows {
                let kind = if r.urgent { "（随時）" } else { "" };
                outln!(
                    "{}{kind}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    r.month,
                    r.case,
                    r.agency,
                    r.school_days.map(|d| d.to_string()).unwrap_or_else(|| "-".into()),
                    r.attended,
                    r.absent,
                    r.absent_unnotified,
                    r.longest_absence,
                    r.alerts.join("、")
                );
            }
            outln!("{} 件", rows.len());
        }
    }
    Ok(())
}

#[derive(Debug, Serialize)]
struct Missing {
    agency_code: String,
    agency: String,
    deadline: NaiveDate,
    overdue: bool,
    cases: Vec<String>,
}

fn missing(ctx: &Ctx, a: MissingArgs) -> Result<()> {
    let month = month_arg(&a.month)?;
    let store = ctx.open_store()?;
    let due = attendance::deadline(month, &ctx.config.monthly_reports, &ctx.config.business_calendar());
    let overdue = ctx.today > due;
    let lists: Vec<Missing> = report_template::missing_reports(&store, &ctx.config, month)?
        .into_iter()
        .map(|(ag, cases)| Missing {
            agency_code: ag.code,
            agency: ag.name,
            deadline: due,
            overdue,
            cases: cases.into_iter().map(|c| c.number).collect(),
        })
        .collect();
    match a.format {
        super::ListFormat::Json => outln!("{}", serde_json::to_string_pretty(&lists)?),
        super::ListFormat::Table => {
            let when = if overdue { "期限を過ぎています" } else { "期限前" };
            outln!("{} の月次報告の未提出（提出期限 {due}・{when}）", month_label(month));
            for m in &lists {
                outln!("{}（{}）: 未提出 {} 人", m.agency, m.agency_code, m.cases.len());
                out!("  ケース番号: {}\n", m.cases.join("、"));
            }
            let n: usize = lists.iter().map(|m| m.cases.len()).sum();
            outln!("{} 機関・{n} 人", lists.len());
        }
    }
    Ok(())
}

fn add(ctx: &Ctx, a: AddArgs) -> Result<()> {
    let mut store = ctx.open_store()?;
    let case = store.case_by_number(&a.case)?.ok_or_else(|| eyre!("ケース番号「{}」は台帳にありません", a.case))?;
    let agency = match &a.agency {
        Some(code) => store.agency_by_code(code)?.ok_or_else(|| eyre!("機関コード「{code}」は登録されていません"))?,
        None => match case.affiliation.map(|id| store.agency(id)).transpose()? {
            Some(ag) => ag,
            None => bail!("ケース {} には所属機関がありません。--agency で報告した機関を指定してください", a.case),
        },
    };
    let since = a
        .absent_since
        .as_deref()
        .map(|s| crate::domain::wareki::parse_date(s).map_err(|e| eyre!("--absent-since: {e}")))
        .transpose()?;
    if since.is_some_and(|d| d > ctx.today) {
        bail!("--absent-since: 欠席の初日が今日より後です");
    }
    let news = UrgentNews {
        absent_since: since,
        unnotified: a.unnotified,
        moved: a.moved,
        remarks: a.remarks,
        reason: a.reason,
        writer: a.writer,
    };
    let cal = ctx.config.business_calendar();
    let report = attendance::urgent_report(case.id, agency.id, &news, &cal, ctx.today);
    let cfg = ctx.config.monthly_reports.clone();
    let (_, raised) = store.write(|t| t.save_monthly_report(&report, &cfg))?;
    tracing::info!(alerts = raised.len(), "urgent report entered");
    let said: Vec<String> = raised.into_iter().map(|(_, d)| d).collect();
    let alert = if said.is_empty() { String::new() } else { format!("。要確認: {}", said.join("、")) };
    eprintln!("ケース {} に {} からの随時報告を記録しました{alert}", case.number, agency.code);
    Ok(())
}
