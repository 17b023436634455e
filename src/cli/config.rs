//! `shinko config`: the configuration in force, checked against the data, and a rank renamed
//! in the data after it was renamed in the file.

use clap::{Args, Subcommand};
use color_eyre::eyre::{Result, bail};

use super::Ctx;
use crate::cli::console::{out, outln};

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub cmd: Option<ConfigCmd>,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCmd {
    /// 使われている設定（設定ファイルと既定値を合わせたもの）を表示する（省略時も同じ）
    Effective,
    /// 台帳・議事次第が、設定にないコード（名前を変えた・消したランクや部会）を使っていないか調べる
    Check,
    /// 設定ファイルで名前を変えたランクを、台帳と議事次第でも変える（監査ログに記録）
    RenameRank(RenameRankArgs),
}

#[derive(Debug, Args)]
pub struct RenameRankArgs {
    /// 元のランク（設定ファイルからは消したもの）
    pub from: String,
    /// 新しいランク（設定ファイルにあるもの）
    pub to: String,
    /// 特定妊婦のランク（expectant_ranks）を変える
    #[arg(long)]
    pub expectant: bool,
}

pub fn run(ctx: &Ctx, a: ConfigArgs) -> Result<()> {
    match a.cmd.unwrap_or(ConfigCmd::Effective) {
        ConfigCmd::Effective => {
            out!("{}", ctx.config.to_toml());
            Ok(())
        }
        ConfigCmd::Check => check(ctx),
        ConfigCmd::RenameRank(r) => rename_rank(ctx, r),
    }
}

fn check(ctx: &Ctx) -> Result<()> {
    let store = ctx.open_store()?;
    let found = store.config_mismatches(&ctx.config)?;
    if found.is_empty() {
        outln!("設定と台帳・議事次第は合っています（設定にないコードは使われていません）");
        return Ok(());
    }
    for m in &found {
        let shown: Vec<&str> = m.used_by.iter().take(10).map(String::as_str).collect();
        let more = m.used_by.len().saturating_sub(shown.len());
        let more = if more > 0 { format!(" ほか{more}件") } else { String::new() };
        outln!("{}「{}」は設定にありません: {}件（{}{more}）", m.what, m.code, m.used_by.len(), shown.join("、"));
    }
    outln!("ランクの名前を変えたときは: shinko config rename-rank 旧 新（特定妊婦は --expectant）");
    bail!("設定にないコードが {} 種類使われています", found.len())
}

fn rename_rank(ctx: &Ctx, r: RenameRankArgs) -> Result<()> {
    let mut store = ctx.open_store()?;
    let (cases, drafts) = store.rename_rank(&r.from, &r.to, r.expectant, &ctx.config)?;
    tracing::info!(cases, drafts, "rank renamed");
    outln!(
        "ランク「{}」を「{}」に変えました: ケース {cases} 件、事務局案 {drafts} 件（これまでの協議記録はそのまま）",
        r.from,
        r.to
    );
    Ok(())
}
