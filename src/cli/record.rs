//! `shinko record ...`: what the meeting screen records, for scripts.

use clap::Subcommand;
use color_eyre::eyre::{Result, bail};

use super::Ctx;

#[derive(Debug, Subcommand)]
pub enum RecordCmd {
    /// 出欠を記録する
    Attend,
}

pub fn run(_ctx: &Ctx, _c: RecordCmd) -> Result<()> {
    bail!("record はまだ使えません")
}
