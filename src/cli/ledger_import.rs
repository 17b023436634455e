//! `shinko ledger import/export`: the ledger as a file, in and out. Problems go to stderr in
//! Japanese, one per line; nothing is written when any is fatal.

use std::path::PathBuf;

use clap::Args;
use color_eyre::eyre::{Result, bail, eyre};

use super::Ctx;
use crate::exchange::ledger_columns::Mapping;
use crate::exchange::problem::Problems;
use crate::exchange::table_reader::{self, Limits};
use crate::exchange::{ledger_export, ledger_import, output};

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
    pub(super) fn limits(&self) -> Limits {
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
