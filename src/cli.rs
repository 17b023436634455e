//! The command line: `shinko` with no subcommand opens the TUI; every operation the TUI does
//! is also a subcommand. Each area's commands live in their own file under `cli/`.

mod agenda;
mod config;
mod console;
mod contacts;
pub mod japanese;
mod ledger;
mod ledger_birth;
mod ledger_import;
mod ledger_renumber;
mod meeting;
mod outputs;
mod packets;
mod record;
mod replies;
mod reports;
mod sheets;
mod trust;
mod wildcard;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use color_eyre::eyre::{Result, WrapErr, bail, eyre};

use crate::demo::{self, Scale};
use crate::domain::{Config, wareki};
use crate::store::{Store, StoreError};

/// The command line as given, read with Japanese help and errors (see [`japanese`]). A parse
/// error is printed in Japanese and ends the process with status 2, as clap's own would.
pub fn parse_args() -> Cli {
    let mut cmd = japanese::command(Cli::command());
    let parsed = cmd.clone().try_get_matches().and_then(|m| Cli::from_arg_matches(&m));
    match parsed {
        Ok(cli) => cli,
        Err(e) => match japanese::message(&e, &mut cmd) {
            None => e.exit(),
            Some(text) => {
                eprintln!("{text}");
                std::process::exit(2);
            }
        },
    }
}

#[derive(Debug, Parser)]
#[command(name = "shinko", version, about = "要保護児童対策地域協議会 進行管理会議の運営ツール")]
pub struct Cli {
    /// データベースのパス（既定: 利用者のデータフォルダの shinko.db）
    #[arg(long, global = true, env = "SHINKO_DB")]
    pub db: Option<PathBuf>,
    /// 設定ファイル（TOML）のパス
    #[arg(long, global = true, env = "SHINKO_CONFIG")]
    pub config: Option<PathBuf>,
    /// 今日の日付として扱う日（テスト・研修用。西暦・和暦どちらも可）
    #[arg(long, global = true, env = "SHINKO_TODAY", hide = true)]
    pub today: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once per run
pub enum Command {
    /// デモ用の架空の自治体を作成し、TUIで開く
    Demo(DemoArgs),
    /// 新しいデータベースを作成する（--encrypt で暗号化）
    Init(trust::InitArgs),
    /// 進行管理台帳（ケースの一覧・登録・編集・終結・取込・出力）
    #[command(subcommand)]
    Ledger(ledger::LedgerCmd),
    /// 経過記録（家庭訪問・面接・電話などの接触と目視確認）
    #[command(subcommand)]
    Contacts(contacts::ContactsCmd),
    /// アセスメントシート（様式の作成・取込・集約）
    #[command(subcommand)]
    Sheets(sheets::SheetsCmd),
    /// 定期的な情報提供（月次報告の様式・取込・一覧・未提出・随時報告）
    #[command(subcommand)]
    Reports(reports::ReportsCmd),
    /// 会議の作成と一覧
    #[command(subcommand)]
    Meeting(meeting::MeetingCmd),
    /// 議事次第（振り分け・事前送付資料）
    #[command(subcommand)]
    Agenda(agenda::AgendaCmd),
    /// 会議中の記録（出欠・役割分担の確認・協議結果）
    #[command(subcommand)]
    Record(record::RecordCmd),
    /// 会議録を出力する
    Minutes(outputs::MinutesArgs),
    /// 次回確認日の予定表を出力する
    Schedule(outputs::ScheduleArgs),
    /// 機関別の役割分担一覧を出力する
    Actions(outputs::ActionsArgs),
    /// 年度の統計（代表者会議用）
    Stats(outputs::StatsArgs),
    /// 監査ログ（検証・表示）
    #[command(subcommand)]
    Audit(trust::AuditCmd),
    /// データベースのバックアップを作成する
    Backup(trust::BackupArgs),
    /// バックアップからデータベースを復元する（検証してから置き換える）
    Restore(trust::RestoreArgs),
    /// 試験用: 監査つきの書き込みを繰り返し、確定ごとに ack を出力する（クラッシュ試験）
    #[command(hide = true, name = "test-write-loop")]
    TestWriteLoop(trust::WriteLoopArgs),
    /// パスフレーズの設定・変更・暗号化
    #[command(subcommand)]
    Passphrase(trust::PassphraseCmd),
    /// 設定: 使われている設定の表示・台帳との照合・ランク名の変更
    Config(config::ConfigArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum DemoScale {
    /// 高浜町規模（約85ケース）
    Takahama,
    /// 府中市規模（約1,560ケース）
    Fuchu,
}

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// 自治体の規模
    #[arg(long, value_enum, default_value = "takahama")]
    pub scale: DemoScale,
    /// ケース数を直接指定（最大 100,000 件程度まで）
    #[arg(long)]
    pub cases: Option<usize>,
    /// 乱数の種（同じ種なら同じデータ）
    #[arg(long, default_value_t = 2024)]
    pub seed: u64,
    /// 作成だけしてTUIを開かない
    #[arg(long)]
    pub no_tui: bool,
}

/// Output format of listing commands.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
pub enum ListFormat {
    #[default]
    Table,
    Json,
}

/// What every command needs: where the database is, the configuration and today's date.
pub struct Ctx {
    pub db: PathBuf,
    pub config: Config,
    pub today: NaiveDate,
}

impl Ctx {
    /// Opens the database, asking for the passphrase if it is encrypted. Never creates one:
    /// a mistyped `--db` must not quietly start an empty, unencrypted ledger.
    pub fn open_store(&self) -> Result<Store> {
        self.open_store_keeping().map(|(s, _)| s)
    }

    /// [`Ctx::open_store`], handing back the passphrase it was opened with (see
    /// [`trust::open_store_keeping`]).
    pub fn open_store_keeping(&self) -> Result<(Store, Option<zeroize::Zeroizing<String>>)> {
        if !self.db.exists() {
            bail!(
                "データベース {} がありません。`shinko init` で作成するか、`shinko demo` でデモを開いてください",
                self.db.display()
            );
        }
        let (mut store, passphrase) = trust::open_store_keeping(&self.db)?;
        store.set_actor(&self.config.municipality.user);
        Ok((store, passphrase))
    }
}

/// Ends the process quietly if `e` says the reader of standard output has gone.
pub fn end_on_closed_pipe(e: &std::io::Error) {
    console::end_on(e);
}

pub fn default_db_path() -> PathBuf {
    data_dir().join("shinko.db")
}

fn data_dir() -> PathBuf {
    directories::ProjectDirs::from("jp", "shinko", "shinko")
        .map(|d| d.data_local_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("."))
}

fn default_config_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("jp", "shinko", "shinko").map(|d| d.config_dir().join("config.toml"))
}

fn load_config(explicit: Option<&Path>) -> Result<Config> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => match default_config_path() {
            Some(p) if p.exists() => p,
            _ => return Ok(Config::default()),
        },
    };
    let text = crate::exchange::settings_file::read(&path, "設定ファイル").map_err(|e| eyre!(e))?;
    Config::from_toml(&text).map_err(|e| eyre!("{}: {e}", path.display()))
}

/// Logs go to a file in the data folder (never the screen) and hold ids, never case text.
fn init_logging() -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let dir = data_dir().join("logs");
    crate::exchange::output::ensure_dir(&dir).ok()?;
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("shinko")
        .filename_suffix("log")
        .max_log_files(14)
        .build(&dir)
        .ok()?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = tracing_subscriber::EnvFilter::try_from_env("SHINKO_LOG").unwrap_or_else(|_| "info".into());
    tracing_subscriber::fmt().with_writer(writer).with_ansi(false).with_env_filter(filter).try_init().ok()?;
    Some(guard)
}

pub fn run(cli: Cli) -> Result<()> {
    let _log = init_logging();
    let config = load_config(cli.config.as_deref())?;
    let today = match &cli.today {
        Some(s) => wareki::parse_date(s).map_err(|e| eyre!("--today: {e}"))?,
        None => chrono::Local::now().date_naive(),
    };
    let explicit_db = cli.db.is_some();
    let db = cli.db.clone().unwrap_or_else(default_db_path);
    let ctx = Ctx { db, config, today };
    tracing::info!(command = ?cli.command.as_ref().map(command_name), "start");
    match cli.command {
        None => open_tui(&ctx),
        Some(Command::Demo(args)) => run_demo(ctx, explicit_db, args),
        Some(Command::Init(a)) => trust::init(&ctx, a),
        Some(Command::Ledger(c)) => ledger::run(&ctx, c),
        Some(Command::Contacts(c)) => contacts::run(&ctx, c),
        Some(Command::Sheets(c)) => sheets::run_sheets(&ctx, c),
        Some(Command::Reports(c)) => reports::run_reports(&ctx, c),
        Some(Command::Meeting(c)) => meeting::run_meeting(&ctx, c),
        Some(Command::Agenda(c)) => agenda::run_agenda(&ctx, c),
        Some(Command::Record(c)) => record::run(&ctx, c),
        Some(Command::Minutes(a)) => outputs::minutes(&ctx, a),
        Some(Command::Schedule(a)) => outputs::schedule(&ctx, a),
        Some(Command::Actions(a)) => outputs::actions(&ctx, a),
        Some(Command::Stats(a)) => outputs::stats(&ctx, a),
        Some(Command::Audit(c)) => trust::audit(&ctx, c),
        Some(Command::Backup(a)) => trust::backup(&ctx, a),
        Some(Command::Restore(a)) => trust::restore(&ctx, a),
        Some(Command::TestWriteLoop(a)) => trust::write_loop(&ctx, a),
        Some(Command::Passphrase(c)) => trust::passphrase(&ctx, c),
        Some(Command::Config(a)) => config::run(&ctx, a),
    }
}

/// For the log: which command ran (never its arguments, which may hold names).
fn command_name(c: &Command) -> &'static str {
    match c {
        Command::Demo(_) => "demo",
        Command::Init(_) => "init",
        Command::Ledger(_) => "ledger",
        Command::Contacts(_) => "contacts",
        Command::Sheets(_) => "sheets",
        Command::Reports(_) => "reports",
        Command::Meeting(_) => "meeting",
        Command::Agenda(_) => "agenda",
        Command::Record(_) => "record",
        Command::Minutes(_) => "minutes",
        Command::Schedule(_) => "schedule",
        Command::Actions(_) => "actions",
        Command::Stats(_) => "stats",
        Command::Audit(_) => "audit",
        Command::Backup(_) => "backup",
        Command::Restore(_) => "restore",
        Command::TestWriteLoop(_) => "test-write-loop",
        Command::Passphrase(_) => "passphrase",
        Command::Config(_) => "config",
    }
}

fn open_tui(ctx: &Ctx) -> Result<()> {
    if !std::io::stdout().is_terminal() {
        bail!("TUIは端末でのみ起動できます。スクリプトからはサブコマンドを使ってください（shinko --help）");
    }
    let (store, passphrase) = ctx.open_store_keeping()?;
    crate::tui::run(store, ctx.config.clone(), ctx.today, passphrase)
}

fn run_demo(mut ctx: Ctx, explicit_db: bool, args: DemoArgs) -> Result<()> {
    if !explicit_db {
        ctx.db = data_dir().join("demo.db");
    }
    let scale = match (args.cases, args.scale) {
        (Some(n), _) => Scale::Cases(n),
        (None, DemoScale::Takahama) => Scale::Takahama,
        (None, DemoScale::Fuchu) => Scale::Fuchu,
    };
    if let Some(dir) = ctx.db.parent().filter(|p| !p.as_os_str().is_empty()) {
        crate::exchange::output::ensure_dir(dir)?;
    }
    if ctx.db.exists() {
        // Only ever replace a database that is itself a demo: never real case data.
        let is_demo = match Store::open(&ctx.db, None) {
            Ok(s) => s.setting("demo")?.as_deref() == Some("1"),
            Err(StoreError::WrongPassphrase) => false,
            Err(e) => return Err(e.into()),
        };
        if !is_demo {
            bail!("{} はデモ用ではないデータベースです。別の --db を指定してください", ctx.db.display());
        }
        remove_db_files(&ctx.db)?;
    }
    let mut store = Store::open(&ctx.db, None)?;
    store.set_actor("デモ生成");
    let sum = demo::generate_with(&mut store, scale, args.seed, ctx.today, &ctx.config)?;
    eprintln!(
        "デモ自治体を作成しました: {} ケース / {} 世帯 / {} 機関 / シート {} 件 / 月次報告 {} 件（要確認 {} 件） → {}",
        sum.cases,
        sum.households,
        sum.agencies,
        sum.sheets,
        sum.reports,
        sum.report_alerts,
        ctx.db.display()
    );
    drop(store);
    if args.no_tui || !std::io::stdout().is_terminal() {
        return Ok(());
    }
    open_tui(&ctx)
}

fn remove_db_files(db: &Path) -> Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{suffix}", db.display()));
        if p.exists() {
            std::fs::remove_file(&p).wrap_err_with(|| format!("{} を削除できません", p.display()))?;
        }
    }
    Ok(())
}
