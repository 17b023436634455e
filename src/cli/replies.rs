//! `shinko agenda replies ...`: the 事前確認 round trip. Institutions return their packet's
//! Excel file with 了承 / 要協議 / 修正あり per 一括確認 item; `import` reads them back (all or
//! nothing, every problem in one run), `status` says who has replied and who has not.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use color_eyre::eyre::{Result, bail};

use super::ledger_import::LimitArgs;
use super::{Ctx, ListFormat};
use crate::cli::console::outln;
use crate::domain::Id;
use crate::exchange::problem::Problems;
use crate::exchange::{reply_import, table_reader};

#[derive(Debug, Subcommand)]
pub enum RepliesCmd {
    /// 返送された事前送付資料（.xlsx）の事前確認の回答を取り込む
    Import(ImportArgs),
    /// 機関ごとの回答状況（回答済み・未回答）を示す
    Status {
        #[arg(long)]
        meeting: Id,
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
    },
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// 取り込むファイル（複数可）
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// この会議の回答だけを受け付ける（別の会議のファイルはエラー）
    #[arg(long)]
    pub meeting: Option<Id>,
    /// 確認だけして何も書き込まない
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub limits: LimitArgs,
}

pub fn run(ctx: &Ctx, c: RepliesCmd) -> Result<()> {
    match c {
        RepliesCmd::Import(a) => import(ctx, a),
        RepliesCmd::Status { meeting, format } => status(ctx, meeting, format),
    }
}

fn import(ctx: &Ctx, a: ImportArgs) -> Result<()> {
    let mut problems = Vec::new();
    let mut files = Vec::new();
    for path in &super::wildcard::expand(&a.files)? {
        match table_reader::read_path_where(path, a.limits.limits(), &reply_import::is_reply_sheet) {
            Ok(t) => {
                for n in [t.sheet_notice(), t.formula_notice()].into_iter().flatten() {
                    eprintln!("注意: {n}");
                }
                let mut f = reply_import::parse(&t);
                f.file_time = super::sheets::file_time(path);
                files.push(f);
            }
            Err(p) => problems.push(p),
        }
    }
    let mut store = ctx.open_store()?;
    let plan = reply_import::plan(&store, &files, a.meeting, ctx.today, &ctx.config)?;
    let mut table = String::from("ファイルごとの結果:\n");
    for o in &plan.files {
        table += &format!("  {}\n", o.line());
    }
    problems.extend(plan.problems.iter().cloned());
    if !problems.is_empty() {
        bail!("{}{}", Problems(problems), table.trim_end());
    }
    eprint!("{table}");
    if a.dry_run {
        eprintln!("確認のみ（書き込みなし）: 回答 {} 件", plan.replies.len());
        return Ok(());
    }
    let n = reply_import::apply(&mut store, &plan)?;
    tracing::info!(replies = n.stored, "replies imported");
    let mut line = format!("取り込みました: 回答 {} 件（うち置き換え {} 件）", n.stored, n.replaced);
    if n.to_deep > 0 {
        line += &format!("／要協議により重点協議へ移した議題 {} 件", n.to_deep);
    }
    if n.kept_newer > 0 {
        line += &format!("／後に記入された回答が登録済みのため使わなかった回答 {} 件", n.kept_newer);
    }
    eprintln!("{line}");
    Ok(())
}

fn status(ctx: &Ctx, meeting: Id, format: ListFormat) -> Result<()> {
    let store = ctx.open_store()?;
    let rows = reply_import::reply_status(&store, meeting, &ctx.config)?;
    match format {
        ListFormat::Json => outln!("{}", serde_json::to_string_pretty(&rows)?),
        ListFormat::Table => {
            for r in &rows {
                outln!("{}\t{}\t{}", r.code, r.agency, r.status());
            }
            let waiting = rows.iter().filter(|r| !r.is_complete()).count();
            outln!("回答待ち {waiting} 機関 / {} 機関", rows.len());
        }
    }
    Ok(())
}
