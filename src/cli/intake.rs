//! `shinko ledger import/export` and `shinko sheets ...`.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use color_eyre::eyre::{Result, bail};

use super::Ctx;

#[derive(Debug, Args)]
pub struct LedgerImportArgs {
    /// 取り込むファイル（.xlsx/.xls/.csv）
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct LedgerExportArgs {
    /// 出力先（.xlsx/.csv）
    pub file: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum SheetsCmd {
    /// 機関ごとのアセスメントシート様式を作成する
    Templates,
}

pub fn ledger_import(_ctx: &Ctx, _a: LedgerImportArgs) -> Result<()> {
    bail!("ledger import はまだ使えません")
}

pub fn ledger_export(_ctx: &Ctx, _a: LedgerExportArgs) -> Result<()> {
    bail!("ledger export はまだ使えません")
}

pub fn run_sheets(_ctx: &Ctx, _c: SheetsCmd) -> Result<()> {
    bail!("sheets はまだ使えません")
}
