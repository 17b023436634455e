//! `shinko minutes / schedule / actions / stats`.

use clap::Args;
use color_eyre::eyre::{Result, bail};

use super::Ctx;

#[derive(Debug, Args)]
pub struct MinutesArgs {
    #[arg(long)]
    pub meeting: i64,
}

#[derive(Debug, Args)]
pub struct ScheduleArgs {}

#[derive(Debug, Args)]
pub struct ActionsArgs {}

#[derive(Debug, Args)]
pub struct StatsArgs {}

pub fn minutes(_ctx: &Ctx, _a: MinutesArgs) -> Result<()> {
    bail!("minutes はまだ使えません")
}
pub fn schedule(_ctx: &Ctx, _a: ScheduleArgs) -> Result<()> {
    bail!("schedule はまだ使えません")
}
pub fn actions(_ctx: &Ctx, _a: ActionsArgs) -> Result<()> {
    bail!("actions はまだ使えません")
}
pub fn stats(_ctx: &Ctx, _a: StatsArgs) -> Result<()> {
    bail!("stats はまだ使えません")
}
