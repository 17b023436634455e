//! `shinko sheets ...`: assessment sheet templates, importing the filled ones, the merged view.
//! Problems go to stderr in Japanese, one per line; nothing is written when any is fatal.

use std::collections::HashMap;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use color_eyre::eyre::{Result, bail, eyre};

use super::Ctx;
use super::ledger_import::LimitArgs;
use crate::cli::console::{out, outln};
use crate::domain::sheet_merge;
use crate::exchange::problem::Problems;
use crate::exchange::sheet_plan::FileOutcome;
use crate::exchange::table_reader;
use crate::exchange::{sheet_import, sheet_merged, sheet_template};

#[derive(Debug, Subcommand)]
pub enum SheetsCmd {
    /// 機関ごとのアセスメントシート様式を作成する
    Templates(TemplatesArgs),
    /// 記入済みのアセスメントシート（.xlsx/.csv）を取り込む
    Import(SheetsImportArgs),
    /// ケースごとに各機関の最新シートを並べ、前回からの変化と未提出を示す
    Merged(MergedArgs),
}

#[derive(Debug, Args)]
pub struct TemplatesArgs {
    /// 提出期限（対象期間の末日。2026/12/10, R8.12.10 など）
    #[arg(long)]
    pub due: String,
    /// 出力先フォルダ
    #[arg(long)]
    pub out: PathBuf,
    /// 同名のファイルがあれば上書きする
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct SheetsImportArgs {
    /// 取り込むファイル（複数可）
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// 同じシートが重複したときに採用する方（new: 記入日の新しい方 / old: 古い方。同じ日ならファイルの更新日時）
    #[arg(long, value_enum)]
    pub prefer: Option<PreferArg>,
    /// 確認だけして何も書き込まない
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum PreferArg {
    New,
    Old,
}

#[derive(Debug, Args)]
pub struct MergedArgs {
    /// ケース番号（省略すると、シートのある継続中の全ケース）
    #[arg(long)]
    pub case: Option<String>,
    /// 次回確認日がこの日以前のケースだけ（次の会議で扱うケース）
    #[arg(long, conflicts_with = "case")]
    pub due: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: super::ListFormat,
}

pub fn run_sheets(ctx: &Ctx, c: SheetsCmd) -> Result<()> {
    match c {
        SheetsCmd::Templates(a) => templates(ctx, a),
        SheetsCmd::Import(a) => sheets_import(ctx, a),
        SheetsCmd::Merged(a) => merged(ctx, a),
    }
}

fn templates(ctx: &Ctx, a: TemplatesArgs) -> Result<()> {
    let due = crate::domain::wareki::parse_date(&a.due).map_err(|e| eyre!("--due: {e}"))?;
    let mut store = ctx.open_store()?;
    let written = sheet_template::write_templates(&mut store, &ctx.config, due, &a.out, a.force)?;
    for w in &written {
        eprintln!("{}: {} 人 → {}", w.agency, w.children, w.path.display());
    }
    let n: usize = written.iter().map(|w| w.children).sum();
    tracing::info!(files = written.len(), children = n, "sheet templates written");
    eprintln!("{} 機関・{n} 人分の様式を作成し、提出依頼を記録しました", written.len());
    Ok(())
}

fn sheets_import(ctx: &Ctx, a: SheetsImportArgs) -> Result<()> {
    let (tables, unread) = read_tables(&a.files, &a.limits, &sheet_import::is_sheet)?;
    let files: Vec<_> = tables
        .iter()
        .map(|(path, t)| {
            let mut f = sheet_import::parse(t, &ctx.config.sheet_items);
            f.file_time = file_time(path);
            f
        })
        .collect();
    let mut store = ctx.open_store()?;
    let prefer = a.prefer.map(|p| match p {
        PreferArg::New => sheet_import::Prefer::New,
        PreferArg::Old => sheet_import::Prefer::Old,
    });
    let plan = sheet_import::plan(&store, &files, prefer)?;
    say_outcomes(&plan.files, unread, &plan.problems, &plan.choices)?;
    let summary = format!(
        "シート {} 件（うち置き換え {} 件）/ 採用しなかった版 {} 件 / 未記入の行 {} 件",
        plan.sheets.len(),
        plan.replacing,
        plan.kept_old,
        plan.blank_rows
    );
    if a.dry_run {
        eprintln!("確認のみ（書き込みなし）: {summary}");
        return Ok(());
    }
    let n = sheet_import::apply(&mut store, &plan)?;
    tracing::info!(sheets = n, "sheets imported");
    eprintln!("取り込みました: {summary}");
    Ok(())
}

/// Prints the per-file table, or stops with every problem and the table when there are any.
pub(super) fn say_outcomes(
    files: &[FileOutcome],
    unread: Vec<crate::exchange::problem::Problem>,
    problems: &[crate::exchange::problem::Problem],
    choices: &[crate::exchange::sheet_plan::Choice],
) -> Result<()> {
    let mut table = String::from("ファイルごとの結果:\n");
    for o in files.iter().cloned().chain(unread.iter().map(|p| FileOutcome::unread(&p.file))) {
        table += &format!("  {}\n", o.line());
    }
    for c in choices {
        table += &format!("  {}\n", c.text());
    }
    let problems: Vec<_> = unread.into_iter().chain(problems.iter().cloned()).collect();
    if !problems.is_empty() {
        bail!("{}{}", Problems(problems), table.trim_end());
    }
    eprint!("{table}");
    Ok(())
}

/// The files that read, with their paths, and a problem for each that did not.
pub(super) type ReadTables = (Vec<(PathBuf, table_reader::Table)>, Vec<crate::exchange::problem::Problem>);

/// Reads every file (wildcards expanded, as Windows' shell does not), saying the workbook's
/// notices on stderr; a file that cannot be read is a problem, and the others are still read.
pub(super) fn read_tables(
    files: &[PathBuf],
    limits: &LimitArgs,
    wanted: &dyn Fn(&table_reader::Table) -> bool,
) -> Result<ReadTables> {
    let mut unread = Vec::new();
    let mut tables = Vec::new();
    for path in &super::wildcard::expand(files)? {
        match table_reader::read_path_where(path, limits.limits(), wanted) {
            Ok(t) => {
                for n in [t.sheet_notice(), t.formula_notice()].into_iter().flatten() {
                    eprintln!("注意: {n}");
                }
                tables.push((path.clone(), t));
            }
            Err(p) => unread.push(p),
        }
    }
    Ok((tables, unread))
}

/// A file's modification time in seconds, the tie-break between two versions of one sheet.
pub(super) fn file_time(path: &std::path::Path) -> Option<i64> {
    let t = std::fs::metadata(path).ok()?.modified().ok()?;
    t.duration_since(std::time::UNIX_EPOCH).ok().and_then(|d| i64::try_from(d.as_secs()).ok())
}

/// Cases whose sheets `sheets merged` reads in one statement.
const MERGED_CHUNK: usize = 500;

fn merged(ctx: &Ctx, a: MergedArgs) -> Result<()> {
    let store = ctx.open_store()?;
    let agencies: HashMap<_, _> = store.agencies()?.into_iter().map(|a| (a.id, a)).collect();
    let cases = match &a.case {
        Some(n) => vec![store.case_by_number(n)?.ok_or_else(|| eyre!("ケース番号「{n}」は台帳にありません"))?],
        None => {
            let due = match &a.due {
                Some(d) => Some(crate::domain::wareki::parse_date(d).map_err(|e| eyre!("--due: {e}"))?),
                None => None,
            };
            let mut all = store.cases(false)?;
            if let Some(due) = due {
                all.retain(|c| c.next_review.is_some_and(|n| n <= due));
            }
            all
        }
    };
    // Sheets and requests are read a chunk of cases at a time, through the case index: all of
    // them at once with their notes would be most of the memory at 100,000 cases.
    let mut json = super::console::JsonArray::new();
    for chunk in cases.chunks(MERGED_CHUNK) {
        let ids: Vec<_> = chunk.iter().map(|c| c.id).collect();
        let mut sheets = store.sheets_of_cases(&ids)?;
        let mut requests = store.sheet_requests_of_cases(&ids)?;
        for c in chunk {
            let sheets = sheets.remove(&c.id).unwrap_or_default();
            let requests = requests.remove(&c.id).unwrap_or_default();
            let m = sheet_merge::merge(c.id, &sheets, &requests);
            if a.case.is_none() && m.is_empty() {
                continue;
            }
            let report = sheet_merged::report(&c.number, &m, &agencies, &ctx.config.sheet_items);
            match a.format {
                super::ListFormat::Json if a.case.is_some() => outln!("{}", serde_json::to_string_pretty(&report)?),
                super::ListFormat::Json => json.push(&report)?,
                super::ListFormat::Table => out!("{}", sheet_merged::text(&report)),
            }
        }
    }
    if a.case.is_none() && matches!(a.format, super::ListFormat::Json) {
        json.finish();
    }
    Ok(())
}
