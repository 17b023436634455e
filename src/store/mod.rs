//! SQLite storage through rusqlite: migrations, one module per aggregate, the audit log.
//!
//! Every change goes through [`Store::write`], which opens one immediate transaction, lets the
//! caller change rows and record what changed, and appends the audit entries in that same
//! transaction; a crash leaves either all of it or none of it.

pub mod actions;
pub mod agencies;
pub mod agenda;
pub mod audit;
pub mod audit_data;
pub mod backup;
pub mod births;
pub mod capacity;
pub mod cases;
pub mod config_data;
pub mod contacts;
pub mod crypto;
pub mod households;
pub mod lease_lock;
pub mod meeting_live;
pub mod meetings;
pub mod migrations;
pub mod monthly_reports;
pub mod open_lock;

pub mod replies;
pub mod reports;
pub mod sheets;

use std::path::Path;
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

pub use audit::AuditEntry;
pub use cases::{CaseFilter, CaseRow, CaseSort};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("データベースの操作に失敗しました: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{entity} (ID {id}) が見つかりません")]
    NotFound { entity: &'static str, id: i64 },
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error(
        "パスフレーズが違うか、暗号化の有無が違うデータベースです（SHINKO_PASSPHRASE を確認してください）。何も変更していません"
    )]
    WrongPassphrase,
    #[error("データベースのバージョン {found} はこの shinko（対応 {supported} まで）より新しいため開けません")]
    TooNew { found: usize, supported: usize },
    #[error("別の shinko がこのデータベースを使用中です。しばらく待ってから再度お試しください")]
    Busy,
    #[error("データの形式が壊れています ({0})")]
    Corrupt(String),
    /// Another live shinko runs this meeting (its lease is fresh and its process alive).
    #[error(
        "この会議は別の shinko（PID {pid}）で進行中のため開けません（コンピューター名 {host}、最終応答 {last_seen}）。そちらを終了してから開いてください（応答が{stale_secs}秒途絶えた場合は引き継げます）"
    )]
    LeaseHeld { pid: u32, host: String, last_seen: String, stale_secs: i64 },
    /// A change to a running meeting's agenda or records, refused inside the write transaction
    /// because another live shinko holds the meeting's lease.
    #[error(
        "この会議は別の shinko（PID {pid}）で進行中のため、議事次第と記録は変更できません（コンピューター名 {host}、{since} から進行、最終応答 {last_seen}）。進行している画面で操作してください（応答が{stale_secs}秒途絶えた場合は引き継げます）。何も変更していません"
    )]
    MeetingLive { pid: u32, host: String, since: String, last_seen: String, stale_secs: i64 },
    /// A save based on a read that is no longer current: someone else changed the record since.
    /// Names the record by its number and the differing fields by label, never their values.
    #[error(
        "{entity} {number} は開いた後にほかの画面かコマンドで変更されました（違う項目: {}）。読み込み直してからやり直してください。何も保存していません",
        .fields.join("、")
    )]
    Stale { entity: &'static str, number: String, fields: Vec<&'static str> },
    /// A typed agency name that no registered agency fits; creating one needs an explicit yes.
    #[error("機関「{name}」は登録されていません（似た名前の機関もありません）")]
    UnknownAgency { name: String },
    /// A typed agency name that several registered agencies fit.
    #[error("機関「{name}」に当たる機関が複数あります（{}）。どれか一つの名前で入力してください", .candidates.join("、"))]
    AmbiguousAgency { name: String, candidates: Vec<String> },
    /// This process's lease was taken over by another shinko.
    #[error("この会議の進行を別の shinko が引き継ぎました。画面を閉じてください")]
    LeaseLost,
    /// The file is in use by another program (Windows sharing violation, or open connections).
    #[error(
        "{what}: ほかの shinko（または別のプログラム）がこのファイルを開いています。すべての shinko の画面を閉じてから、もう一度実行してください"
    )]
    InUse { what: String },
    /// Another shinko (a window or a command) has the database open, so it cannot be replaced.
    #[error(
        "別の shinko（画面かコマンド）がこのデータベースを開いています。すべての shinko を閉じてから、もう一度実行してください"
    )]
    OpenElsewhere,
    /// A restore is replacing the database right now.
    #[error("このデータベースは別の shinko が復元している最中です。終わってからもう一度開いてください")]
    Restoring,
    /// A file operation failed; names the operation, never the data.
    #[error("{what}に失敗しました: {cause}")]
    Io { what: String, cause: std::io::Error },
}

impl StoreError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        StoreError::Invalid { field: field.into(), message: message.into() }
    }

    /// A file error of `what` (an operation, e.g. 「復元先の置き換え」); sharing and lock
    /// violations, which Windows reports while another process has the file open, say so.
    pub fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> StoreError {
        move |cause| {
            let what = what.into();
            // ERROR_SHARING_VIOLATION (32), ERROR_LOCK_VIOLATION (33): another process holds
            // the file open without sharing it for replacement.
            if cfg!(windows) && matches!(cause.raw_os_error(), Some(32) | Some(33)) {
                StoreError::InUse { what }
            } else {
                StoreError::Io { what, cause }
            }
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Maps SQLITE_BUSY to a message the user understands.
fn busy_aware(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy) | Some(rusqlite::ErrorCode::DatabaseLocked) => StoreError::Busy,
        Some(rusqlite::ErrorCode::NotADatabase) => StoreError::WrongPassphrase,
        _ => StoreError::Sqlite(e),
    }
}

pub struct Store {
    conn: Connection,
    actor: String,
    /// Fixed time for tests and the demo generator; None = the real clock.
    clock: Option<NaiveDateTime>,
    /// The OS locks of the meetings this store runs (see [`lease_lock`]).
    lease_locks: lease_lock::LeaseLocks,
    /// SQLite's `data_version` when last looked at, to notice other writers' commits.
    seen_version: std::cell::Cell<Option<i64>>,
    /// The shared lock held while the file is open (see [`open_lock`]); None in memory and
    /// for a restore's own connections.
    _open_lock: Option<std::fs::File>,
}

/// Reads over a connection: the store's own, or an open write transaction's (which sees its
/// own writes and holds the write lock, so what it reads cannot change before it commits).
pub(crate) struct Reader<'c>(pub(crate) &'c Connection);

/// An open write transaction with the actor and time every audit entry gets, and what it
/// needs to know which running meetings this store holds (see [`meeting_live`]).
pub struct Tx<'a> {
    pub(crate) tx: rusqlite::Transaction<'a>,
    actor: &'a str,
    at: String,
    now: NaiveDateTime,
    lease_locks: &'a lease_lock::LeaseLocks,
    db: Option<std::path::PathBuf>,
    /// The chain's last (seq, hash), read once and then kept as entries are appended, so a
    /// transaction of many entries does not re-read it per entry.
    audit_last: Option<(i64, String)>,
}

/// Search keys are derived from the name, reading and number by `search::fold`; when the
/// folding changes (a variant kanji learnt), every stored key is computed again, once, in one
/// transaction. The keys are not data anyone typed, so the audit log does not record them.
fn rekey_if_folding_changed(conn: &mut Connection) -> Result<()> {
    use rusqlite::OptionalExtension;
    let key = "search_fold_version";
    let seen: Option<String> =
        conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?;
    if seen.as_deref() == Some(crate::domain::search::FOLD_VERSION) {
        return Ok(());
    }
    let tx = conn.transaction()?;
    {
        let rows: Vec<(i64, String, String, String)> = {
            let mut st = tx.prepare("SELECT id, number, name, kana FROM cases")?;
            st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?.collect::<rusqlite::Result<_>>()?
        };
        let mut up = tx.prepare("UPDATE cases SET search_key = ?1 WHERE id = ?2")?;
        for (id, number, name, kana) in rows {
            up.execute(rusqlite::params![crate::domain::search::case_key(&number, &name, &kana), id])?;
        }
        tx.exec_cached(
            "INSERT INTO settings(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, crate::domain::search::FOLD_VERSION],
        )?;
    }
    tx.commit()?;
    Ok(())
}

impl Store {
    /// Opens (creating if needed) the database at `path`. With a passphrase the file is
    /// encrypted with SQLCipher; a wrong one is reported without changing anything.
    pub fn open(path: &Path, passphrase: Option<&str>) -> Result<Store> {
        backup::recover(path)?;
        let lock = open_lock::shared(path)?;
        let mut store = Self::open_unlocked(path, passphrase)?;
        store._open_lock = Some(lock);
        Ok(store)
    }

    /// As [`Store::open`] without the open lock: for a restore, which holds it exclusively.
    pub(crate) fn open_unlocked(path: &Path, passphrase: Option<&str>) -> Result<Store> {
        let fresh = !path.exists();
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        if fresh {
            restrict_to_owner(path);
        }
        Self::init(conn, passphrase)
    }

    pub fn open_in_memory() -> Result<Store> {
        Self::init(Connection::open_in_memory()?, None)
    }

    /// A second, read-only connection to the database at `path`, for reading on another thread
    /// while this process's [`Store`] writes (the ledger's index is built on one). It neither
    /// migrates nor takes the open lock: the writing store already did both.
    pub fn open_reader(path: &Path, passphrase: Option<&str>) -> Result<Store> {
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        Self::connect(&conn, passphrase)?;
        Ok(Self::with_conn(conn))
    }

    /// Keys the connection, checks the key with a first read, and sets what every connection
    /// of the store shares.
    fn connect(conn: &Connection, passphrase: Option<&str>) -> Result<()> {
        // SQLCipher logs to stderr, which would scribble over the TUI.
        conn.execute_batch("PRAGMA cipher_log_level = NONE;").ok();
        if let Some(p) = passphrase {
            crypto::key(conn, p)?;
        }
        // A wrong key (or a plaintext/encrypted mismatch) only shows at the first read.
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)).map_err(busy_aware)?;
        if passphrase.is_some() {
            // SQLCipher decrypts a page again each time it leaves the cache: 32 MiB instead of
            // SQLite's 2 MiB holds the ledger's working set at 100,000 cases.
            conn.execute_batch("PRAGMA cache_size = -32768;")?;
        }
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        // Sorts and temporary tables stay in memory, never in a plaintext temp file.
        conn.execute_batch("PRAGMA temp_store = MEMORY;").map_err(busy_aware)?;
        Ok(())
    }

    fn init(mut conn: Connection, passphrase: Option<&str>) -> Result<Store> {
        Self::connect(&conn, passphrase)?;
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
            .map_err(busy_aware)?;
        // Freed pages are zeroed so deleted text does not linger in a plaintext database.
        conn.execute_batch("PRAGMA secure_delete = ON;").map_err(busy_aware)?;
        migrations::migrate(&mut conn)?;
        rekey_if_folding_changed(&mut conn)?;
        Ok(Self::with_conn(conn))
    }

    fn with_conn(conn: Connection) -> Store {
        Store {
            conn,
            actor: "事務局".into(),
            clock: None,
            lease_locks: Default::default(),
            seen_version: Default::default(),
            _open_lock: None,
        }
    }

    /// The name written to the audit log for changes made through this store.
    pub fn set_actor(&mut self, actor: &str) {
        self.actor = actor.to_string();
    }

    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// Pins the clock (tests, demo generation).
    pub fn set_clock(&mut self, at: Option<NaiveDateTime>) {
        self.clock = at;
    }

    pub fn now(&self) -> NaiveDateTime {
        self.clock.unwrap_or_else(|| chrono::Local::now().naive_local())
    }

    pub fn today(&self) -> NaiveDate {
        self.now().date()
    }

    /// The SQLite connection, for this crate's tests and the benchmarks only: the store's API
    /// (what the screens and commands use) never hands out a backend type.
    #[doc(hidden)]
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Whether another connection (another window, a command) committed since the last call;
    /// this store's own commits do not count. The first call only takes the mark.
    pub fn changed_elsewhere(&self) -> Result<bool> {
        let v: i64 = self.conn.row_cached("PRAGMA data_version", [], |r| r.get(0))?;
        Ok(self.seen_version.replace(Some(v)).is_some_and(|old| old != v))
    }

    /// Where this store's database lives (None in memory).
    pub fn db_path(&self) -> Option<std::path::PathBuf> {
        self.conn.path().filter(|p| !p.is_empty()).map(std::path::PathBuf::from)
    }

    /// Runs `f` in one immediate transaction; audit entries it records commit with it.
    pub fn write<T>(&mut self, f: impl FnOnce(&mut Tx<'_>) -> Result<T>) -> Result<T> {
        let now = self.now();
        let at = now.format("%Y-%m-%dT%H:%M:%S").to_string();
        let db = self.db_path();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(busy_aware)?;
        let mut t = Tx { tx, actor: &self.actor, at, now, lease_locks: &self.lease_locks, db, audit_last: None };
        let out = f(&mut t)?;
        t.tx.commit().map_err(busy_aware)?;
        Ok(out)
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        Ok(self.conn.row_cached("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    pub fn integrity_check(&self) -> Result<String> {
        Ok(self.conn.row_cached("PRAGMA integrity_check", [], |r| r.get(0))?)
    }
}

/// Statements run once per row (an import, an agenda build, the audit entry of each change)
/// are prepared once per connection and then taken from rusqlite's statement cache: parsing
/// the SQL again for every row cost more than the writes.
pub(crate) trait Cached {
    fn exec_cached<P: rusqlite::Params>(&self, sql: &str, p: P) -> rusqlite::Result<usize>;
    fn row_cached<T, P, F>(&self, sql: &str, p: P, f: F) -> rusqlite::Result<T>
    where
        P: rusqlite::Params,
        F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>;
}

impl Cached for Connection {
    fn exec_cached<P: rusqlite::Params>(&self, sql: &str, p: P) -> rusqlite::Result<usize> {
        self.prepare_cached(sql)?.execute(p)
    }

    fn row_cached<T, P, F>(&self, sql: &str, p: P, f: F) -> rusqlite::Result<T>
    where
        P: rusqlite::Params,
        F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    {
        self.prepare_cached(sql)?.query_row(p, f)
    }
}

/// Enough cached statements for the widest write (a case with its 関係機関, sheets and audit).
const STATEMENT_CACHE: usize = 64;

impl Tx<'_> {
    /// The transaction's connection, for tests only (see [`Store::conn`]).
    #[doc(hidden)]
    pub fn conn(&self) -> &rusqlite::Transaction<'_> {
        &self.tx
    }

    /// Reads inside this transaction.
    pub(crate) fn read(&self) -> Reader<'_> {
        Reader(&self.tx)
    }

    pub fn at(&self) -> &str {
        &self.at
    }

    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        let before: Option<String> = {
            use rusqlite::OptionalExtension;
            self.tx.row_cached("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?
        };
        self.tx.exec_cached(
            "INSERT INTO settings(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        if before.as_deref() != Some(value) {
            self.audit("setting", None, key, before.as_deref(), Some(value))?;
        }
        Ok(())
    }
}

/// Children's data: the database file is readable by its owner only. On unix SQLite gives the
/// WAL and shared-memory files the same permissions as the database; on Windows they inherit
/// the folder's ACL, which is why the data folder itself is made owner-only.
fn restrict_to_owner(path: &Path) {
    let _ = crate::platform::restrict_file(path);
}

/// The plan SQLite chooses for `sql` (`EXPLAIN QUERY PLAN`, its parameters unbound), one
/// line per step: the tests read it to catch a scan where an index should serve.
#[cfg(test)]
pub(crate) fn query_plan(conn: &Connection, sql: &str) -> Vec<String> {
    let mut st = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    let nulls = std::iter::repeat_n(rusqlite::types::Null, st.parameter_count());
    st.query_map(rusqlite::params_from_iter(nulls), |r| r.get::<_, String>(3)).unwrap().map(|r| r.unwrap()).collect()
}

#[cfg(test)]
thread_local! {
    /// Statements a traced connection ran on this test's thread.
    static RAN: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Starts recording every statement `conn` runs (triggers' statements too) on this thread;
/// [`traced_statements`] stops and hands them over. The tests count them.
#[cfg(test)]
pub(crate) fn trace_statements(conn: &Connection) {
    fn record(e: rusqlite::trace::TraceEvent<'_>) {
        if let rusqlite::trace::TraceEvent::Stmt(_, sql) = e {
            RAN.with(|r| r.borrow_mut().push(sql.to_string()));
        }
    }
    RAN.with(|r| r.borrow_mut().clear());
    conn.trace_v2(rusqlite::trace::TraceEventCodes::SQLITE_TRACE_STMT, Some(record));
}

#[cfg(test)]
pub(crate) fn traced_statements(conn: &Connection) -> Vec<String> {
    conn.trace_v2(rusqlite::trace::TraceEventCodes::empty(), None);
    RAN.with(|r| r.take())
}

/// Date columns are ISO text; NULL stays None.
pub(crate) fn date_col(s: Option<String>) -> rusqlite::Result<Option<NaiveDate>> {
    s.as_deref().map(parse_iso_date).transpose()
}

/// A date column read in place, without copying its text (the ledger's index reads 300,000
/// of them before it is complete).
pub(crate) fn date_ref(r: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Option<NaiveDate>> {
    match r.get_ref(idx)? {
        rusqlite::types::ValueRef::Null => Ok(None),
        v => parse_iso_date(v.as_str()?).map(Some),
    }
}

/// `YYYY-MM-DD` read digit by digit (chrono's format parser was an eighth of the index load);
/// anything else goes to chrono, which also words the error.
fn parse_iso_date(t: &str) -> rusqlite::Result<NaiveDate> {
    let b = t.as_bytes();
    let num = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    let fast = (b.len() == 10 && b[4] == b'-' && b[7] == b'-')
        .then(|| Some((num(0..4)?, num(5..7)?, num(8..10)?)))
        .flatten()
        .and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y as i32, m, d));
    match fast {
        Some(d) => Ok(d),
        None => NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))),
    }
}

pub(crate) fn json_col<T: serde::de::DeserializeOwned>(s: String) -> rusqlite::Result<T> {
    serde_json::from_str(&s)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

/// Ids as one SQL parameter for `… IN (SELECT value FROM json_each(?1))`: one statement for a
/// whole screen's cases instead of one per case.
pub(crate) fn id_list(ids: &[crate::domain::Id]) -> String {
    to_json(&ids)
}

/// Rows of a batched read grouped by the case they belong to.
pub(crate) fn by_case<T>(
    rows: impl IntoIterator<Item = (crate::domain::Id, T)>,
) -> std::collections::HashMap<crate::domain::Id, Vec<T>> {
    let mut out: std::collections::HashMap<crate::domain::Id, Vec<T>> = std::collections::HashMap::new();
    for (id, row) in rows {
        out.entry(id).or_default().push(row);
    }
    out
}

pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("plain data serialises")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_from_empty_to_latest() {
        let store = Store::open_in_memory().unwrap();
        assert_eq!(migrations::current_version(store.conn()).unwrap(), migrations::MIGRATIONS.len());
        assert_eq!(store.integrity_check().unwrap(), "ok");
        let fk: i64 = store.conn().query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
        assert_eq!(fk, 1);
    }

    #[test]
    fn refuses_a_newer_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.db");
        {
            let s = Store::open(&path, None).unwrap();
            s.conn().pragma_update(None, "user_version", 999).unwrap();
        }
        assert!(matches!(Store::open(&path, None), Err(StoreError::TooNew { found: 999, .. })));
    }

    #[test]
    fn encrypted_database_needs_the_right_passphrase() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("enc.db");
        {
            let mut s = Store::open(&path, Some("正しい合言葉")).unwrap();
            s.write(|t| t.set_setting("k", "児童")).unwrap();
        }
        let raw = std::fs::read(&path).unwrap();
        assert!(!raw.starts_with(b"SQLite format 3"), "file header must not be plaintext");
        assert!(matches!(Store::open(&path, Some("違う")), Err(StoreError::WrongPassphrase)));
        assert!(matches!(Store::open(&path, None), Err(StoreError::WrongPassphrase)));
        let s = Store::open(&path, Some("正しい合言葉")).unwrap();
        assert_eq!(s.setting("k").unwrap().as_deref(), Some("児童"));
        let cache: i64 = s.conn().query_row("PRAGMA cache_size", [], |r| r.get(0)).unwrap();
        assert_eq!(cache, -32768, "an encrypted file keeps more pages decrypted");
        let mut reader = Store::open_reader(&path, Some("正しい合言葉")).unwrap();
        assert_eq!(reader.setting("k").unwrap().as_deref(), Some("児童"));
        assert!(reader.write(|t| t.set_setting("k", "x")).is_err(), "the second connection only reads");
        assert!(matches!(Store::open_reader(&path, Some("違う")), Err(StoreError::WrongPassphrase)));
    }

    #[test]
    fn dates_read_digit_by_digit_agree_with_chrono() {
        for t in ["2024-02-29", "1999-12-31", "0001-01-01", "2026-11-24"] {
            assert_eq!(parse_iso_date(t).unwrap(), NaiveDate::parse_from_str(t, "%Y-%m-%d").unwrap());
        }
        for t in ["2023-02-29", "2024-13-01", "２０２４-01-01", "", "2024/01/01"] {
            assert!(parse_iso_date(t).is_err(), "{t}");
        }
    }
}

#[cfg(test)]
mod change_tests {
    use super::*;

    #[test]
    fn another_connections_commit_is_noticed_and_ones_own_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let mut a = Store::open(&path, None).unwrap();
        let mut b = Store::open(&path, None).unwrap();
        assert!(!a.changed_elsewhere().unwrap(), "the first look only takes the mark");
        a.write(|t| t.set_setting("municipality", "甲町")).unwrap();
        assert!(!a.changed_elsewhere().unwrap(), "its own commit is not news");
        b.write(|t| t.set_setting("municipality", "乙町")).unwrap();
        assert!(a.changed_elsewhere().unwrap());
        assert!(!a.changed_elsewhere().unwrap(), "told once");
    }

    #[test]
    fn search_keys_follow_a_changed_folding_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        {
            let mut s = Store::open(&path, None).unwrap();
            crate::demo::generate(
                &mut s,
                crate::demo::Scale::Takahama,
                2024,
                chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
            )
            .unwrap();
            // As a database written under the older folding: keys that no longer match.
            s.conn().execute_batch("UPDATE cases SET search_key = 'old'; UPDATE settings SET value = '1' WHERE key = 'search_fold_version';").unwrap();
        }
        let s = Store::open(&path, None).unwrap();
        let stale: i64 =
            s.conn().query_row("SELECT count(*) FROM cases WHERE search_key = 'old'", [], |r| r.get(0)).unwrap();
        assert_eq!(stale, 0, "every key computed again on opening");
        let rows = s.case_rows().unwrap();
        let r = &rows[0];
        let c = s.case(r.id).unwrap();
        assert_eq!(r.search_key, crate::domain::search::case_key(&c.number, &c.name, &c.kana));
        assert_eq!(s.setting("search_fold_version").unwrap().as_deref(), Some(crate::domain::search::FOLD_VERSION));
    }
}
