//! `shinko agenda packets --meeting ID --out DIR`: the pre-send packets, one per institution.

use crate::cli::console::outln;
use std::path::PathBuf;

use clap::Args;
use color_eyre::eyre::Result;

use super::Ctx;
use crate::exchange::packets;

/// 機関別の事前送付資料（.docx と .xlsx）を出力する
#[derive(Debug, Args)]
pub struct PacketsArgs {
    /// 会議の番号（shinko meeting list で確認）
    #[arg(long)]
    pub meeting: i64,
    /// 出力先フォルダ（なければ作成）
    #[arg(long)]
    pub out: PathBuf,
    /// 既存のファイルを上書きする
    #[arg(long)]
    pub force: bool,
}

pub fn run(ctx: &Ctx, a: PacketsArgs) -> Result<()> {
    let store = ctx.open_store()?;
    let written = packets::write_packets(&store, a.meeting, &a.out, a.force, &ctx.config)?;
    for (number, agency) in packets::unsent_questions(&store, a.meeting)? {
        eprintln!("注意: ケース {number} の「{agency}」への質問は、その機関がケースに関わっていないため送付されません");
    }
    tracing::info!(meeting = a.meeting, files = written.len(), "packets written");
    eprintln!("事前送付資料を {} 件（{} 機関分）出力しました → {}", written.len(), written.len() / 2, a.out.display());
    for p in &written {
        outln!("{}", p.display());
    }
    Ok(())
}
