//! `shinko ledger import/export` and `shinko sheets ...`: the edges of the intake flows.
//! Problems go to stderr in Japanese, one per line; nothing is written when any is fatal.

use crate::cli::console::{out, outln};
use std::collections::HashMap;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use color_eyre::eyre::{Result, bail, eyre};

use super::Ctx;
use crate::domain::sheet_merge;
use crate::exchange::ledger_columns::Mapping;
use crate::exchange::problem::Problems;
use crate::exchange::table_reader::{self, Limits};
use crate::exchange::{ledger_export, ledger_import, output, sheet_import, sheet_merged, sheet_template};

#[derive(Debug, Args)]
pub struct LimitArgs {
    /// 1ファイルの最大行数
    #[arg(long, default_value_t = Limits::default().max_rows)]
    pub max_rows: usize,
    /// 1セルの最大バイト数
    #[arg(long, default_value_t = Limits::default().max_cell_bytes)]
    pub max_cell_bytes: usize,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        Limits { max_rows: self.max_rows, max_cell_bytes: self.max_cell_bytes }
    }
}

#[derive(Debug, Args)]
pub struct LedgerImportArgs {
    /// 取り込むファイル（.xlsx/.xls/.csv）
    pub file: PathBuf,
    /// 見出しの対応表（TOML の [columns] "見出し" = "項目"）
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// 確認だけして何も書き込まない
    #[arg(long)]
    pub dry_run: bool,
    /// 問題のない行だけ取り込む（問題のある行は --rejects のファイルへ）
    #[arg(long, requires = "rejects")]
    pub skip_invalid: bool,
    /// 取り込めなかった行を書き出すファイル（.csv）
    #[arg(long)]
    pub rejects: Option<PathBuf>,
    /// --rejects のファイルが既にあれば上書きする
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Debug, Args)]
pub struct LedgerExportArgs {
    /// 出力先（.xlsx/.csv）
    pub file: PathBuf,
    /// 既にあれば上書きする
    #[arg(long)]
    pub force: bool,
}

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
    /// 同じ期間のシートが重複したときに採用する方（new: 新しい方 / old: 先の方）
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

pub fn ledger_import(ctx: &Ctx, a: LedgerImportArgs) -> Result<()> {
    let mapping = match &a.mapping {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|_| eyre!("対応表 {} を読めません", p.display()))?;
            Mapping::from_toml(&text).map_err(|e| eyre!("{}: {e}", p.display()))?
        }
        None => Mapping::default(),
    };
    if let Some(r) = &a.rejects {
        output::check_free(r, a.force)?;
    }
    let table = table_reader::read_path(&a.file, a.limits.limits()).map_err(|p| eyre!("{p}"))?;
    let mut store = ctx.open_store()?;
    let known = ledger_import::Known::from_store(&store)?;
    let plan = ledger_import::plan(&table, &mapping, &ctx.config, ctx.today, &known).map_err(|p| eyre!("{p}"))?;
    for n in &plan.notices {
        eprintln!("注意: {n}");
    }
    if !plan.unknown_columns.is_empty() {
        eprintln!("注意: 読み取らなかった列: {}", plan.unknown_columns.join("、"));
    }
    let problems = plan.problems();
    if !problems.is_empty() && !a.skip_invalid {
        bail!("{}", Problems(problems));
    }
    for p in &problems {
        eprintln!("除外: {p}");
    }
    let new = plan.drafts.iter().filter(|d| d.matched.is_none()).count();
    for d in plan.drafts.iter().filter(|d| d.matched.is_some()) {
        let by = d.matched.map(|m| m.label()).unwrap_or_default();
        eprintln!("一致: {} 行目 → 既存のケース {}（{by}で一致）", d.row, d.case.number);
    }
    if a.dry_run {
        eprintln!(
            "確認のみ（書き込みなし）: 新規 {new} 件 / 既存と一致 {} 件 / 問題のある行 {} 件",
            plan.drafts.len() - new,
            plan.rejected.len()
        );
        return Ok(());
    }
    if let (Some(path), false) = (&a.rejects, plan.rejected.is_empty()) {
        output::write_file(path, &ledger_import::rejects_csv(&plan), a.force)?;
        eprintln!("取り込めなかった {} 行を {} に書き出しました", plan.rejected.len(), path.display());
    }
    let rep = ledger_import::apply(&mut store, &plan)?;
    tracing::info!(created = rep.created, updated = rep.updated, "ledger imported");
    eprintln!(
        "取り込みました: 新規 {} 件 / 更新 {} 件 / 変更なし {} 件 / 除外 {} 行",
        rep.created,
        rep.updated,
        rep.unchanged,
        plan.rejected.len()
    );
    Ok(())
}

pub fn ledger_export(ctx: &Ctx, a: LedgerExportArgs) -> Result<()> {
    output::check_free(&a.file, a.force)?;
    let store = ctx.open_store()?;
    let (bytes, n) = ledger_export::ledger_bytes(&store, &a.file, &ctx.config.confidentiality.notice)?;
    output::write_file(&a.file, &bytes, a.force)?;
    eprintln!("{n} 件を {} に出力しました", a.file.display());
    Ok(())
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
    let mut problems = Vec::new();
    let mut files = Vec::new();
    for path in &super::wildcard::expand(&a.files)? {
        match table_reader::read_path(path, a.limits.limits()) {
            Ok(t) => {
                if let Some(n) = t.formula_notice() {
                    eprintln!("注意: {n}");
                }
                match sheet_import::parse(&t, &ctx.config.sheet_items) {
                    Ok(f) => files.push(f),
                    Err(ps) => problems.extend(ps),
                }
            }
            Err(p) => problems.push(p),
        }
    }
    if !problems.is_empty() {
        bail!("{}", Problems(problems));
    }
    let mut store = ctx.open_store()?;
    let prefer = a.prefer.map(|p| match p {
        PreferArg::New => sheet_import::Prefer::New,
        PreferArg::Old => sheet_import::Prefer::Old,
    });
    let plan = sheet_import::plan(&store, &files, prefer).map_err(|p| eyre!("{p}"))?;
    let summary = format!(
        "シート {} 件（うち置き換え {} 件）/ 採用しなかった重複 {} 件 / 未記入の行 {} 件",
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
    let sheets = store.all_sheets()?;
    let requests = store.sheet_requests(None)?;
    let mut reports = Vec::new();
    for c in &cases {
        let m = sheet_merge::merge(c.id, &sheets, &requests);
        if a.case.is_none() && m.is_empty() {
            continue;
        }
        reports.push(sheet_merged::report(&c.number, &m, &agencies, &ctx.config.sheet_items));
    }
    match a.format {
        super::ListFormat::Json => {
            if a.case.is_some() {
                outln!("{}", serde_json::to_string_pretty(&reports[0])?);
            } else {
                outln!("{}", serde_json::to_string_pretty(&reports)?);
            }
        }
        super::ListFormat::Table => {
            for r in &reports {
                out!("{}", sheet_merged::text(r));
            }
        }
    }
    Ok(())
}
