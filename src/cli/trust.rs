//! `shinko init / audit / backup / restore / passphrase` and opening a possibly encrypted
//! database.
//!
//! Passphrases come from the terminal without echo, or from SHINKO_PASSPHRASE (and
//! SHINKO_NEW_PASSPHRASE for a new one) in scripts and tests. They live in `Zeroizing` strings,
//! are handed to SQLCipher and are never written anywhere.

use crate::cli::console::outln;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use color_eyre::eyre::{Result, bail, eyre};
use zeroize::Zeroizing;

use super::{Ctx, ListFormat};
use crate::domain::{Attendance, Meeting};
use crate::domain::{AttendanceStatus, Case, MeetingKind, MeetingStatus, Registration, wareki};
use crate::exchange::output;
use crate::store::{AuditEntry, Store, StoreError, backup, crypto};

/// Shortest passphrase accepted for a new key.
const MIN_PASSPHRASE_CHARS: usize = 8;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// パスフレーズで暗号化する
    #[arg(long)]
    pub encrypt: bool,
}

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// 監査ログの連鎖を検証し、データとスキーマを監査ログと照合する（異常があれば記録の番号とケース番号を示す）
    Verify {
        /// 末尾の記録の番号とハッシュ（控え用のアンカー）を表示する
        #[arg(long)]
        anchor: bool,
        /// 以前に控えたアンカー「番号:ハッシュ」が今も連鎖に含まれるか確かめる
        #[arg(long, value_name = "番号:ハッシュ")]
        check: Option<String>,
    },
    /// 変更の履歴を表示する（値は --values を付けたときだけ）
    Log {
        /// このケース番号の履歴だけ
        #[arg(long)]
        case: Option<String>,
        /// 変更前・変更後の値も表示する
        #[arg(long)]
        values: bool,
        /// 表示する件数（新しい順）
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
    },
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// バックアップの保存先（暗号化されたデータベースは同じ鍵で暗号化されたまま保存）
    #[arg(long)]
    pub out: PathBuf,
    /// 既存のファイルを上書きする
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// 復元するバックアップファイル
    #[arg(long)]
    pub from: PathBuf,
    /// 既存のデータベースを置き換える（元のファイルは「.restore前-日時」として残す）
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub enum PassphraseCmd {
    /// パスフレーズを変更する（暗号化されたデータベース）
    Change,
    /// 暗号化されていないデータベースを暗号化する
    Encrypt,
}

/// Test-only: N audited writes, an acknowledgement line after each commit (crash tests).
#[derive(Debug, Args)]
pub struct WriteLoopArgs {
    /// ケース番号の接頭辞（同時に動かす書き手を区別する）
    #[arg(long, default_value = "W")]
    pub prefix: String,
    /// 最初の連番
    #[arg(long, default_value_t = 0)]
    pub start: u32,
    /// 書き込みの回数
    #[arg(long, default_value_t = 100)]
    pub count: u32,
}

/// The passphrase from SHINKO_PASSPHRASE, or asked on the terminal without echo.
fn ask_passphrase(prompt: &str) -> Result<Option<Zeroizing<String>>> {
    if let Ok(p) = std::env::var("SHINKO_PASSPHRASE") {
        return Ok(Some(Zeroizing::new(p)));
    }
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    Ok(Some(prompt_password(prompt)?))
}

/// Asks without echo. The prompt goes through the standard error stream, which the standard
/// library writes to a Windows console as UTF-16 (WriteConsoleW), so Japanese shows correctly
/// under code page 932; rpassword then only reads (ReadConsoleW on Windows).
fn prompt_password(prompt: &str) -> Result<Zeroizing<String>> {
    eprint!("{prompt}");
    std::io::stderr().flush()?;
    Ok(Zeroizing::new(rpassword::read_password()?))
}

/// A new passphrase: from `env` in scripts, otherwise asked twice on the terminal.
fn ask_new_passphrase(env: &str) -> Result<Zeroizing<String>> {
    let p = match std::env::var(env) {
        Ok(p) => Zeroizing::new(p),
        Err(_) => {
            if !std::io::stdin().is_terminal() {
                bail!("新しいパスフレーズが入力されていません（端末から実行するか {env} を設定してください）");
            }
            let a = prompt_password("新しいパスフレーズ: ")?;
            let b = prompt_password("もう一度入力してください: ")?;
            if a != b {
                bail!("2回の入力が一致しません。何も変更していません");
            }
            a
        }
    };
    if p.chars().count() < MIN_PASSPHRASE_CHARS {
        bail!("パスフレーズは{MIN_PASSPHRASE_CHARS}文字以上にしてください。何も変更していません");
    }
    Ok(p)
}

fn no_passphrase() -> color_eyre::Report {
    eyre!("データベースは暗号化されています。端末から実行するか SHINKO_PASSPHRASE を設定してください")
}

/// Opens the store, asking for the passphrase when the file is encrypted; hands the
/// passphrase back (the TUI keys a second, read-only connection with it, then wipes it).
pub fn open_store_keeping(db: &Path) -> Result<(Store, Option<Zeroizing<String>>)> {
    match Store::open(db, None) {
        Ok(s) => Ok((s, None)),
        Err(StoreError::WrongPassphrase) => match ask_passphrase("パスフレーズ: ")? {
            Some(p) => Ok((Store::open(db, Some(p.as_str()))?, Some(p))),
            None => Err(no_passphrase()),
        },
        Err(e) => Err(e.into()),
    }
}

fn ensure_parent(path: &Path) -> Result<()> {
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        output::ensure_dir(dir)?;
    }
    Ok(())
}

pub fn init(ctx: &Ctx, a: InitArgs) -> Result<()> {
    if ctx.db.exists() {
        bail!("{} は既に存在します", ctx.db.display());
    }
    let pass = if a.encrypt { Some(ask_new_passphrase("SHINKO_PASSPHRASE")?) } else { None };
    ensure_parent(&ctx.db)?;
    Store::open(&ctx.db, pass.as_ref().map(|p| p.as_str()))?;
    let how = if a.encrypt { "暗号化した" } else { "" };
    eprintln!("{how}データベースを作成しました: {}", ctx.db.display());
    Ok(())
}

pub fn audit(ctx: &Ctx, c: AuditCmd) -> Result<()> {
    let store = ctx.open_store()?;
    match c {
        AuditCmd::Verify { anchor, check } => verify(&store, anchor, check.as_deref()),
        AuditCmd::Log { case, values, limit, format } => log(&store, case.as_deref(), values, limit, format),
    }
}

fn verify(store: &Store, anchor: bool, check: Option<&str>) -> Result<()> {
    let n = match store.audit_verify()? {
        Ok(n) => n,
        Err(b) => bail!("監査ログの {} 番目の記録で異常を検出しました: {}", b.seq, b.reason),
    };
    if let Some(c) = check {
        let (seq, hash) = c
            .split_once(':')
            .and_then(|(s, h)| Some((s.trim().parse::<i64>().ok()?, h.trim().to_ascii_lowercase())))
            .ok_or_else(|| eyre!("--check は「番号:ハッシュ」の形で指定してください"))?;
        let found = store.audit_entry(seq)?;
        match found {
            Some(e) if e.hash == hash => outln!("アンカー {seq} は連鎖に含まれています"),
            Some(_) => bail!("監査ログの {seq} 番目の記録が控えたアンカーと一致しません（書き換えの疑い）"),
            None => bail!("監査ログに {seq} 番目の記録がありません（控えた後に削除された疑い）"),
        }
    }
    let data = store.audit_explains_data()?;
    if !data.is_clean() {
        const SHOWN: usize = 100;
        let lines: Vec<String> = data
            .unexplained
            .iter()
            .map(|u| format!("  {} {}: {}", u.table, u.row, u.reason))
            .chain(data.schema.iter().map(|c| format!("  {} {} {}", c.kind, c.name, c.what)))
            .collect();
        for l in lines.iter().take(SHOWN) {
            eprintln!("{l}");
        }
        if lines.len() > SHOWN {
            eprintln!("  ほか {} 件", lines.len() - SHOWN);
        }
        bail!(
            "監査ログの連鎖（{n} 件）は正常ですが、監査ログで説明できない行が {} 件、スキーマの変更が {} 件あります（SQLite ツールなどで shinko を通さずに変更された疑い）",
            data.unexplained.len(),
            data.schema.len()
        );
    }
    outln!("監査ログは正常です（{n} 件）");
    outln!(
        "データ {} 行は監査ログと一致し、スキーマ（保護用のトリガーを含む）は shinko が作ったままです",
        data.rows_checked
    );
    if anchor {
        let h = store.audit_head()?;
        outln!("アンカー（紙などに控えてください）: {}:{}", h.last_seq, h.last_hash);
    }
    Ok(())
}

fn log(store: &Store, case: Option<&str>, values: bool, limit: usize, format: ListFormat) -> Result<()> {
    let entries = match case {
        Some(number) => {
            let id = store.case_by_number(number)?.ok_or_else(|| eyre!("ケース番号「{number}」は台帳にありません"))?.id;
            store.audit_entries_of_case(id, limit)?
        }
        None => store.audit_entries(None, None, limit)?,
    };
    let shown: Vec<AuditEntry> = entries
        .into_iter()
        .map(|mut e| {
            if !values {
                e.before = e.before.map(|_| "（非表示）".into());
                e.after = e.after.map(|_| "（非表示）".into());
            }
            e
        })
        .collect();
    match format {
        ListFormat::Json => outln!("{}", serde_json::to_string_pretty(&shown)?),
        ListFormat::Table => {
            let mut out = std::io::stdout().lock();
            for e in &shown {
                let id = e.entity_id.map(|i| i.to_string()).unwrap_or_default();
                write!(out, "{}\t{}\t{}\t{}\t{}\t{}", e.seq, e.at, e.actor, e.entity, id, e.field)?;
                if values {
                    write!(out, "\t{}\t→\t{}", e.before.as_deref().unwrap_or("-"), e.after.as_deref().unwrap_or("-"))?;
                }
                writeln!(out)?;
            }
            eprintln!("{} 件（新しい順。値は --values で表示）", shown.len());
        }
    }
    Ok(())
}

pub fn backup(ctx: &Ctx, a: BackupArgs) -> Result<()> {
    let store = ctx.open_store()?;
    ensure_parent(&a.out)?;
    output::write_via(&a.out, a.force, |tmp| store.backup_into(tmp).map_err(std::io::Error::other))?;
    let enc = if store.is_encrypted()? {
        "（同じパスフレーズで暗号化済み）"
    } else {
        "（暗号化なし）"
    };
    eprintln!("バックアップを作成しました{enc}: {}", a.out.display());
    Ok(())
}

pub fn restore(ctx: &Ctx, a: RestoreArgs) -> Result<()> {
    if !a.from.is_file() {
        bail!("バックアップファイル {} がありません", a.from.display());
    }
    if ctx.db.exists() && !a.force {
        bail!(
            "{} は既に存在します。置き換える場合は --force を指定してください（元のファイルは残します）",
            ctx.db.display()
        );
    }
    ensure_parent(&ctx.db)?;
    let encrypted = crypto::is_encrypted(&a.from)?;
    let pass = if encrypted {
        Some(ask_passphrase("バックアップのパスフレーズ: ")?.ok_or_else(no_passphrase)?)
    } else {
        None
    };
    let stamp = chrono::Local::now().format("%Y%m%d%H%M%S").to_string();
    let keep = (1..)
        .map(|n| backup::kept_path(&ctx.db, &if n == 1 { stamp.clone() } else { format!("{stamp}-{n}") }))
        .find(|p| !p.exists())
        .expect("a free name");
    let run = |p: Option<&str>| backup::restore(&a.from, &ctx.db, p, Some(&keep));
    let sum = match run(pass.as_ref().map(|p| p.as_str())) {
        Err(StoreError::WrongPassphrase) if pass.is_some() && opens_under(&ctx.db, pass.as_ref().map(|p| p.as_str())) => {
            // The passphrase of today's database: the backup was made before a change.
            if !std::io::stdin().is_terminal() {
                bail!(
                    "このバックアップは、今のデータベースとは違うパスフレーズ（変更する前のものなど）で暗号化されています。バックアップを作成した時のパスフレーズを SHINKO_PASSPHRASE に指定してください（復元の後 `shinko passphrase change` で今のパスフレーズに変えられます）。何も変更していません"
                );
            }
            eprintln!("このバックアップは、今のデータベースとは違うパスフレーズ（変更する前のものなど）で暗号化されています");
            let older = prompt_password("バックアップを作成した時のパスフレーズ: ")?;
            run(Some(older.as_str()))
        }
        other => other,
    }
    .map_err(|e| eyre!("{e}。何も変更していません"))?;
    eprintln!(
        "復元しました: ケース {} 件、監査ログ {} 件（検証済み）→ {}",
        sum.cases,
        sum.audit_entries,
        ctx.db.display()
    );
    if keep.exists() {
        eprintln!("置き換える前のデータベースは {} に残しました", keep.display());
    }
    if sum.unexplained > 0 {
        eprintln!(
            "注意: このバックアップには、監査ログで説明できない行かスキーマの変更が {} 件あります（shinko を通さずに変更された疑い）。`shinko audit verify` で一覧を確かめてください",
            sum.unexplained
        );
    }
    if sum.key_differs {
        offer_rekey(ctx)?;
    }
    Ok(())
}

/// Whether the database at `db` opens under `pass` (false for a missing file).
fn opens_under(db: &Path, pass: Option<&str>) -> bool {
    db.exists() && Store::open(db, pass).is_ok()
}

/// The restored database keeps the passphrase the backup was made under; offers to change it
/// to today's (on a terminal), or says how.
fn offer_rekey(ctx: &Ctx) -> Result<()> {
    eprintln!(
        "復元したデータベースのパスフレーズは、バックアップを作成した時のものです（置き換える前のデータベースとは違います）"
    );
    if !std::io::stdin().is_terminal() {
        eprintln!("今のパスフレーズに揃えるには `shinko passphrase change` を実行してください");
        return Ok(());
    }
    eprint!("今のパスフレーズに変更しますか？ [y/N]: ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    if !matches!(answer.trim(), "y" | "Y" | "はい") {
        eprintln!("変更していません。後で `shinko passphrase change` で変更できます");
        return Ok(());
    }
    passphrase(ctx, PassphraseCmd::Change)
}

pub fn passphrase(ctx: &Ctx, c: PassphraseCmd) -> Result<()> {
    if !ctx.db.exists() {
        bail!("データベース {} がありません", ctx.db.display());
    }
    match c {
        PassphraseCmd::Change => {
            if !crypto::is_encrypted(&ctx.db)? {
                bail!("このデータベースは暗号化されていません。`shinko passphrase encrypt` で暗号化してください");
            }
            let old = ask_passphrase("現在のパスフレーズ: ")?.ok_or_else(no_passphrase)?;
            let mut store = Store::open(&ctx.db, Some(old.as_str()))?;
            let new = ask_new_passphrase("SHINKO_NEW_PASSPHRASE")?;
            store.change_passphrase(new.as_str()).map_err(alone)?;
            eprintln!("パスフレーズを変更しました。新しいパスフレーズを忘れると復元できません");
        }
        PassphraseCmd::Encrypt => {
            if crypto::is_encrypted(&ctx.db)? {
                bail!("このデータベースは既に暗号化されています（変更は `shinko passphrase change`）");
            }
            let new = ask_new_passphrase("SHINKO_PASSPHRASE")?;
            match crypto::encrypt_in_place(&ctx.db, new.as_str()).map_err(alone)? {
                crypto::PlaintextFate::Wiped => eprintln!(
                    "データベースを暗号化しました。暗号化前のファイルは上書きして削除しましたが、SSD などでは古い内容が残る場合があります（docs/security.md）"
                ),
                crypto::PlaintextFate::ReplacedOnly => eprintln!(
                    "データベースを暗号化しました。ただし暗号化前のファイルはこのドライブでは上書きできず、置き換えただけです。古い内容がディスクに残っている可能性があります（docs/security.md）"
                ),
            }
        }
    }
    Ok(())
}

/// Re-keying and encrypting need the database to themselves.
fn alone(e: StoreError) -> color_eyre::Report {
    match e {
        StoreError::Busy => eyre!(
            "他の shinko（TUI など）がこのデータベースを開いています。すべて閉じてから再度実行してください。何も変更していません"
        ),
        e => e.into(),
    }
}

/// Test-only writer for tests/crash.rs: each step, in one transaction, registers a case, sets
/// the previous case's 援助方針 and records attendance at a meeting; then prints `ack N`.
pub fn write_loop(ctx: &Ctx, a: WriteLoopArgs) -> Result<()> {
    // Never by accident into a real ledger: the tests set this.
    if std::env::var("SHINKO_TEST_WRITES").as_deref() != Ok("1") {
        bail!("試験用のコマンドです（SHINKO_TEST_WRITES=1 のときだけ動きます）");
    }
    let mut store = ctx.open_store()?;
    let title = format!("試験会議 {}", a.prefix);
    let meeting = match store.meetings()?.into_iter().find(|m| m.title == title) {
        Some(m) => m.id,
        None => store.write(|t| {
            t.save_meeting(&Meeting {
                id: 0,
                kind: MeetingKind::Progress,
                title: title.clone(),
                place: String::new(),
                chair: String::new(),
                recorder: String::new(),
                status: MeetingStatus::InProgress,
                current_item: None,
            })
        })?,
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready")?;
    out.flush()?;
    for i in a.start..a.start + a.count {
        let number = format!("{}-{i:05}", a.prefix);
        let previous = if i > 0 { store.case_by_number(&format!("{}-{:05}", a.prefix, i - 1))? } else { None };
        let mut c = Case::blank(ctx.today);
        c.number = number;
        c.name = format!("試験 {i}");
        c.birth_date = Some(wareki::parse_date("2018-04-02").map_err(|e| eyre!(e))?);
        c.registration = Registration::NeedsSupport;
        c.rank = "C".into();
        store.write(|t| {
            t.save_case(&c)?;
            if let Some(mut p) = previous {
                p.support_policy = format!("方針 {i}");
                t.save_case(&p)?;
            }
            let agency = t.agency_by_name_or_create("試験機関")?;
            t.save_attendance(&Attendance {
                meeting_id: meeting,
                agency_id: agency,
                status: AttendanceStatus::Present,
                person: format!("記録 {i}"),
                info_received_on: None,
            })
        })?;
        writeln!(out, "ack {i}")?;
        out.flush()?;
    }
    Ok(())
}
