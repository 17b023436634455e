//! `shinko meeting ...` and `shinko agenda ...`: meeting preparation.

use clap::Subcommand;
use color_eyre::eyre::{Result, bail};

use super::Ctx;

#[derive(Debug, Subcommand)]
pub enum MeetingCmd {
    /// 会議の一覧
    List,
}

#[derive(Debug, Subcommand)]
pub enum AgendaCmd {
    /// 議事次第を作成する（一括確認/重点協議の振り分け）
    Build,
    Packets(super::packets::PacketsArgs),
}

pub fn run_meeting(_ctx: &Ctx, _c: MeetingCmd) -> Result<()> {
    bail!("meeting はまだ使えません")
}

pub fn run_agenda(_ctx: &Ctx, _c: AgendaCmd) -> Result<()> {
    bail!("agenda はまだ使えません")
}
