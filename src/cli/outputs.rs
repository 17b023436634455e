//! `shinko minutes / schedule / actions / stats`: what the meeting produces, written where the
//! user says, never over an existing file without `--force`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{Months, NaiveDate};
use clap::{Args, ValueEnum};
use color_eyre::eyre::{Result, bail, eyre};

use super::Ctx;
use crate::cli::console::out;
use crate::domain::mask::Masker;
use crate::domain::{stats, wareki};
use crate::exchange::{agency_actions, document, minutes, output, schedule, stats_out};

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum MinutesFormat {
    /// Word
    Docx,
    /// Markdown
    Md,
    /// Excel
    Xlsx,
}

#[derive(Debug, Args)]
pub struct MinutesArgs {
    /// 会議ID（`shinko meeting list` で確認）
    #[arg(long)]
    pub meeting: i64,
    #[arg(long, value_enum, default_value = "docx")]
    pub format: MinutesFormat,
    /// 出力先ファイル（md は省略するか - で標準出力へ）
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// 配布用: 児童の氏名を頭文字に置き換え、記述中の氏名も伏せる
    #[arg(long)]
    pub masked: bool,
    /// 既存のファイルを上書きする
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ScheduleFormat {
    /// iCalendar（Outlook・Googleカレンダー）
    Ics,
    /// CSV（Excel用 UTF-8 BOM付き）
    Csv,
    /// Excel
    Xlsx,
}

#[derive(Debug, Args)]
pub struct ScheduleArgs {
    #[arg(long, value_enum, default_value = "ics")]
    pub format: ScheduleFormat,
    #[arg(long)]
    pub out: PathBuf,
    /// 開始日（既定: 今日。西暦・和暦どちらも可）
    #[arg(long)]
    pub from: Option<String>,
    /// 終了日（既定: 開始日の6か月後）
    #[arg(long)]
    pub to: Option<String>,
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum TableFormat {
    Xlsx,
    Csv,
}

#[derive(Debug, Args)]
pub struct ActionsArgs {
    /// 機関ごとに1ファイルずつ出力する
    #[arg(long, required = true)]
    pub by_agency: bool,
    /// 出力先フォルダ（なければ作成）
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, value_enum, default_value = "xlsx")]
    pub format: TableFormat,
    /// 確認済みの役割分担も含める（既定: 未確認のみ）
    #[arg(long)]
    pub all: bool,
    /// 児童の氏名を頭文字に置き換える
    #[arg(long)]
    pub masked: bool,
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum StatsFormat {
    Md,
    Xlsx,
    Json,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// 年度（西暦。2025 = 令和7年度、2025年4月〜2026年3月）。既定: 今日の年度
    #[arg(long)]
    pub fiscal_year: Option<i32>,
    #[arg(long, value_enum, default_value = "md")]
    pub format: StatsFormat,
    /// 出力先ファイル（省略時は md・json を画面に表示）
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[arg(long)]
    pub force: bool,
}

fn parse_day(label: &str, s: &str) -> Result<NaiveDate> {
    wareki::parse_date(s).map_err(|e| eyre!("{label}: {e}"))
}

fn done(path: &Path, what: &str) {
    eprintln!("{what}を出力しました → {}", path.display());
}

/// The municipality the database belongs to (set at `init`), which names the council in every
/// output; the configuration's only for a database that has none.
fn municipality(ctx: &Ctx, store: &crate::store::Store) -> Result<String> {
    Ok(store.setting("municipality")?.unwrap_or_else(|| ctx.config.municipality.name.clone()))
}

/// The moment stamped in document properties (UTC). With `--today` (a test, a demo), that day
/// at midnight, so the same data gives the same file.
fn created(ctx: &Ctx) -> chrono::NaiveDateTime {
    if chrono::Local::now().date_naive() == ctx.today {
        chrono::Utc::now().naive_utc()
    } else {
        ctx.today.and_time(chrono::NaiveTime::MIN)
    }
}

pub fn minutes(ctx: &Ctx, a: MinutesArgs) -> Result<()> {
    // Markdown may go to standard output (a pipe, a pager): only when no file, or `-`, is named.
    let out = a.out.as_ref().filter(|p| p.as_os_str() != "-");
    if out.is_none() && a.format != MinutesFormat::Md {
        bail!("--out: docx・xlsx の会議録は出力先のファイルを指定してください（標準出力に出せるのは md だけです）");
    }
    if let Some(out) = out {
        output::check_free(out, a.force)?;
    }
    let store = ctx.open_store()?;
    let record = store.meeting_record(a.meeting, a.masked)?;
    let mut doc = minutes::build(&record, &ctx.config, &municipality(ctx, &store)?, a.masked, ctx.today);
    doc.created = Some(created(ctx));
    let bytes = match a.format {
        MinutesFormat::Md => document::to_markdown(&doc).into_bytes(),
        MinutesFormat::Docx => document::to_docx(&doc)?,
        MinutesFormat::Xlsx => document::to_xlsx(&doc, "会議録")?,
    };
    let Some(out) = out else {
        out!("{}", String::from_utf8_lossy(&bytes));
        return Ok(());
    };
    output::write_file(out, &bytes, a.force)?;
    done(out, if a.masked { "会議録（配布用）" } else { "会議録" });
    Ok(())
}

pub fn schedule(ctx: &Ctx, a: ScheduleArgs) -> Result<()> {
    let from = a.from.as_deref().map(|s| parse_day("--from", s)).transpose()?.unwrap_or(ctx.today);
    let to = match a.to.as_deref() {
        Some(s) => parse_day("--to", s)?,
        None => from.checked_add_months(Months::new(6)).unwrap_or(from),
    };
    if to < from {
        bail!("--to（{to}）が --from（{from}）より前です");
    }
    output::check_free(&a.out, a.force)?;
    let store = ctx.open_store()?;
    let (reviews, missing) = store.reviews_due()?;
    let sessions = store.upcoming_sessions(from, to)?;
    let agencies = store.agencies()?.into_iter().map(|x| (x.id, x)).collect();
    let cal = ctx.config.business_calendar();
    let entries = schedule::entries(&reviews, &sessions, &agencies, &cal, (from, to), ctx.today);
    let notice = &ctx.config.confidentiality.notice;
    let bytes = match a.format {
        ScheduleFormat::Ics => {
            let name = format!("{} 次回確認予定", municipality(ctx, &store)?);
            schedule::to_ics(&entries, &name, notice, ctx.today.and_time(chrono::NaiveTime::MIN)).into_bytes()
        }
        ScheduleFormat::Csv => schedule::to_csv(&entries, notice),
        ScheduleFormat::Xlsx => schedule::to_xlsx_bytes(&entries, notice, (from, to), &ctx.config.output)?,
    };
    output::write_file(&a.out, &bytes, a.force)?;
    let overdue = entries.iter().filter(|e| e.overdue).count();
    eprintln!("{from}〜{to}: 次回確認 {} 件・会議 {} 件", entries.len() - sessions.len() - overdue, sessions.len());
    if overdue > 0 {
        eprintln!(
            "注意: 次回確認日を過ぎた継続ケースが {overdue} 件あります（{}として先頭に載せています）",
            schedule::OVERDUE
        );
    }
    if missing > 0 {
        eprintln!("注意: 次回確認日が未設定の継続ケースが {missing} 件あります（台帳で設定してください）");
    }
    done(&a.out, "予定表");
    Ok(())
}

pub fn actions(ctx: &Ctx, a: ActionsArgs) -> Result<()> {
    let store = ctx.open_store()?;
    let agencies = store.agencies()?;
    let cases = store.cases(true)?.into_iter().map(|c| (c.id, c)).collect::<BTreeMap<_, _>>();
    let titles = store.meetings()?.into_iter().map(|m| (m.id, m.title)).collect();
    let masker = a
        .masked
        .then(|| store.case_names().map(|p| Masker::for_ledger(&p, &ctx.config.confidentiality.unmasked_words)))
        .transpose()?;
    let opts = agency_actions::Options { include_reviewed: a.all, masker: masker.as_ref() };
    let lists = agency_actions::lists(&store.all_actions()?, &agencies, &cases, &titles, opts, ctx.today);
    if lists.is_empty() {
        bail!("出力する役割分担がありません");
    }
    let ext = match a.format {
        TableFormat::Xlsx => "xlsx",
        TableFormat::Csv => "csv",
    };
    // Check every target first, so a refusal writes nothing at all.
    let paths: Vec<PathBuf> = lists.iter().map(|l| a.out.join(agency_actions::file_name(&l.agency, ext))).collect();
    for p in &paths {
        output::check_free(p, a.force)?;
    }
    output::ensure_dir(&a.out)?;
    for (l, p) in lists.iter().zip(&paths) {
        let bytes = match a.format {
            TableFormat::Xlsx => document::to_xlsx(
                &agency_actions::document(
                    l,
                    &ctx.config.confidentiality.notice,
                    &ctx.config.municipality.secretariat,
                    ctx.today,
                    &ctx.config.output,
                ),
                "役割分担",
            )?,
            TableFormat::Csv => document::to_csv(&l.grid, &ctx.config.confidentiality.notice),
        };
        output::write_file(p, &bytes, a.force)?;
    }
    eprintln!("{} 機関分の役割分担一覧を出力しました → {}", lists.len(), a.out.display());
    Ok(())
}

pub fn stats(ctx: &Ctx, a: StatsArgs) -> Result<()> {
    let fy = a.fiscal_year.unwrap_or_else(|| stats::fiscal_year_of(ctx.today));
    if !(1990..=2200).contains(&fy) {
        bail!("--fiscal-year は西暦で指定してください（例: 2025 = 令和7年度）");
    }
    if a.format == StatsFormat::Xlsx && a.out.is_none() {
        bail!("xlsx 形式では --out で出力先を指定してください");
    }
    if let Some(p) = &a.out {
        output::check_free(p, a.force)?;
    }
    let store = ctx.open_store()?;
    let year = store.year_stats(fy, ctx.today, &crate::domain::stats::Order::of(&ctx.config))?;
    let municipality = municipality(ctx, &store)?;
    let notice = &ctx.config.confidentiality.notice;
    let doc = || stats_out::document(&year, &municipality, notice, &ctx.config.output);
    let bytes = match a.format {
        StatsFormat::Md => document::to_markdown(&doc()).into_bytes(),
        StatsFormat::Json => (stats_out::to_json(&year, &municipality, notice) + "\n").into_bytes(),
        StatsFormat::Xlsx => document::to_xlsx(&doc(), "年度統計")?,
    };
    match &a.out {
        Some(p) => {
            output::write_file(p, &bytes, a.force)?;
            done(p, "年度統計");
        }
        None => {
            use std::io::Write;
            std::io::stdout().write_all(&bytes)?;
        }
    }
    Ok(())
}
