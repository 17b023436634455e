//! `shinko ledger birth`: records the birth on a 特定妊婦 case (what the TUI's birth form
//! records): the newborns become cases in the mother's household, and the mother's
//! registration continues or closes, as one audited change.

use clap::Args;
use color_eyre::eyre::{Result, bail, eyre};

use super::Ctx;
use crate::domain::birth::{Birth, MotherAfter, Newborn};
use crate::domain::{Sex, wareki};

#[derive(Debug, Args)]
pub struct BirthArgs {
    /// 母（特定妊婦）のケース番号
    pub case: String,
    /// 出生日（西暦・和暦どちらも可）
    #[arg(long)]
    pub date: String,
    /// 新生児の氏名（双子などは人数分くり返す）
    #[arg(long = "name", required = true)]
    pub names: Vec<String>,
    /// 新生児のふりがな（氏名と同じ順に、同じ数だけ）
    #[arg(long = "kana")]
    pub kanas: Vec<String>,
    /// 新生児の性別: 男 / 女（氏名と同じ順に、同じ数だけ）
    #[arg(long = "sex")]
    pub sexes: Vec<String>,
    /// 母の登録: continue（継続）/ close（終結）
    #[arg(long, value_name = "continue|close")]
    pub mother: String,
}

pub fn birth(ctx: &Ctx, a: BirthArgs) -> Result<()> {
    let born_on = wareki::parse_date(&a.date).map_err(|e| eyre!("--date: {e}"))?;
    let mother = MotherAfter::parse(&a.mother)
        .ok_or_else(|| eyre!("--mother: 「{}」は読めません（continue＝継続 / close＝終結）", a.mother.trim()))?;
    let n = a.names.len();
    for (flag, given) in [("--kana", a.kanas.len()), ("--sex", a.sexes.len())] {
        if given != 0 && given != n {
            bail!("{flag} は --name と同じ数（{n}）だけ指定してください（{given} 個あります）");
        }
    }
    let mut newborns = Vec::with_capacity(n);
    for (i, name) in a.names.iter().enumerate() {
        let sex = match a.sexes.get(i) {
            Some(s) => Sex::parse(s).ok_or_else(|| eyre!("--sex: 「{s}」は 男/女 で指定してください"))?,
            None => Sex::Unknown,
        };
        let kana = a.kanas.get(i).cloned().unwrap_or_default();
        newborns.push(Newborn { name: name.clone(), kana, sex });
    }
    let mut store = ctx.open_store()?;
    let case = store.case_by_number(&a.case)?.ok_or_else(|| eyre!("ケース番号「{}」は台帳にありません", a.case))?;
    let b = Birth { mother_case: case.id, born_on, newborns, mother };
    let kids = store.write(|t| t.record_birth(&b, ctx.today, &ctx.config))?;
    tracing::info!(case_id = case.id, newborns = kids.len(), "birth recorded");
    let numbers: Vec<&str> = kids.iter().map(|(_, n)| n.as_str()).collect();
    eprintln!(
        "ケース {} の出生（{}）を記録しました。新生児のケース: {}。母の登録: {}",
        case.number,
        wareki::format_short(born_on),
        numbers.join("、"),
        mother.label()
    );
    Ok(())
}
