//! `shinko init / audit / backup / passphrase` and opening a possibly encrypted database.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use color_eyre::eyre::{Result, bail};
use zeroize::Zeroizing;

use super::Ctx;
use crate::store::{Store, StoreError};

#[derive(Debug, Args)]
pub struct InitArgs {
    /// パスフレーズで暗号化する
    #[arg(long)]
    pub encrypt: bool,
}

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// 監査ログの連鎖を検証する
    Verify,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum PassphraseCmd {
    /// パスフレーズを変更する
    Change,
}

/// The passphrase from SHINKO_PASSPHRASE, or asked on the terminal without echo.
fn ask_passphrase(prompt: &str) -> Result<Option<Zeroizing<String>>> {
    if let Ok(p) = std::env::var("SHINKO_PASSPHRASE") {
        return Ok(Some(Zeroizing::new(p)));
    }
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    Ok(Some(Zeroizing::new(rpassword::prompt_password(prompt)?)))
}

pub fn open_store(db: &Path) -> Result<Store> {
    match Store::open(db, None) {
        Ok(s) => Ok(s),
        Err(StoreError::WrongPassphrase) => match ask_passphrase("パスフレーズ: ")? {
            Some(p) => Ok(Store::open(db, Some(p.as_str()))?),
            None => bail!("データベースは暗号化されています。SHINKO_PASSPHRASE を設定するか端末から実行してください"),
        },
        Err(e) => Err(e.into()),
    }
}

pub fn init(ctx: &Ctx, a: InitArgs) -> Result<()> {
    if ctx.db.exists() {
        bail!("{} は既に存在します", ctx.db.display());
    }
    let pass = if a.encrypt { ask_passphrase("新しいパスフレーズ: ")? } else { None };
    if a.encrypt && pass.is_none() {
        bail!("パスフレーズが入力されていません");
    }
    if let Some(dir) = ctx.db.parent().filter(|p| !p.as_os_str().is_empty()) {
        crate::exchange::output::ensure_dir(dir)?;
    }
    Store::open(&ctx.db, pass.as_ref().map(|p| p.as_str()))?;
    eprintln!("データベースを作成しました: {}", ctx.db.display());
    Ok(())
}

pub fn audit(ctx: &Ctx, c: AuditCmd) -> Result<()> {
    let store = ctx.open_store()?;
    match c {
        AuditCmd::Verify => match store.audit_verify()? {
            Ok(n) => {
                println!("監査ログは正常です（{n} 件）");
                Ok(())
            }
            Err(b) => bail!("監査ログの {} 番目の記録で異常を検出しました: {}", b.seq, b.reason),
        },
    }
}

pub fn backup(_ctx: &Ctx, _a: BackupArgs) -> Result<()> {
    bail!("backup はまだ使えません")
}

pub fn passphrase(_ctx: &Ctx, _c: PassphraseCmd) -> Result<()> {
    bail!("passphrase はまだ使えません")
}
