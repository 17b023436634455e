//! `shinko ledger renumber`: gives cases new numbers, one pair on the command line or many from
//! a two-column file (旧ケース番号, 新ケース番号), all in one audited transaction.

use std::collections::HashMap;
use std::path::PathBuf;

use clap::Args;
use color_eyre::eyre::{Result, bail};

use super::Ctx;
use super::ledger_import::LimitArgs;
use crate::exchange::problem::{Problem, Problems};
use crate::exchange::table_reader;

#[derive(Debug, Args)]
pub struct RenumberArgs {
    /// 今のケース番号
    #[arg(required_unless_present = "file", requires = "new")]
    pub old: Option<String>,
    /// 新しいケース番号
    pub new: Option<String>,
    /// 旧番号と新番号の2列の表（.xlsx/.csv。見出し行は省略可）
    #[arg(long, conflicts_with = "old")]
    pub file: Option<PathBuf>,
    /// 確認だけして何も書き込まない
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// (file, row) of each pair, for messages.
type Pair = (String, usize, String, String);

fn pairs(a: &RenumberArgs) -> Result<Vec<Pair>> {
    let Some(path) = &a.file else {
        return Ok(vec![("コマンド".into(), 0, a.old.clone().unwrap_or_default(), a.new.clone().unwrap_or_default())]);
    };
    let t = table_reader::read_path(path, a.limits.limits()).map_err(|p| color_eyre::eyre::eyre!("{p}"))?;
    Ok(t.rows
        .iter()
        .map(|r| (t.file.clone(), r.number, r.get(0).text(), r.get(1).text()))
        // A header row (旧ケース番号, 新ケース番号) is not a pair.
        .filter(|(_, _, old, _)| !old.contains("番号"))
        .collect())
}

pub fn renumber(ctx: &Ctx, a: RenumberArgs) -> Result<()> {
    let pairs = pairs(&a)?;
    let mut store = ctx.open_store()?;
    let mut problems = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let at = |file: &str, row: usize, reason: String| match row {
        0 => Problem::file(file, reason),
        r => Problem::row(file, r, reason),
    };
    for (file, row, old, new) in &pairs {
        if old.is_empty() || new.is_empty() {
            problems.push(at(file, *row, "旧番号と新番号の両方が必要です".into()));
            continue;
        }
        if store.case_by_number(old)?.is_none() {
            problems.push(at(file, *row, format!("ケース番号「{old}」は台帳にありません")));
        }
        if store.case_by_number(new)?.is_some() {
            problems.push(at(file, *row, format!("新しい番号「{new}」は既に使われています")));
        }
        for n in [old, new] {
            if let Some(first) = seen.insert(n.clone(), *row) {
                problems.push(at(file, *row, format!("番号「{n}」が {first} 行目にもあります")));
            }
        }
    }
    if !problems.is_empty() {
        bail!("{}", Problems(problems));
    }
    if a.dry_run {
        eprintln!("確認のみ（書き込みなし）: {} 件の番号を付け替えられます", pairs.len());
        return Ok(());
    }
    let n = store.write(|t| {
        for (_, _, old, new) in &pairs {
            t.renumber_case(old, new)?;
        }
        Ok(pairs.len())
    })?;
    tracing::info!(cases = n, "cases renumbered");
    for (_, _, old, new) in &pairs {
        eprintln!("{old} → {new}");
    }
    eprintln!("{n} 件のケース番号を付け替えました（監査記録に残ります）");
    Ok(())
}
