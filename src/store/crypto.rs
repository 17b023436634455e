//! Encryption at rest with SQLCipher: keying a connection, changing the passphrase, and
//! encrypting an existing plaintext database in place.
//!
//! The passphrase is handed to SQLCipher through `sqlite3_key`/`sqlite3_rekey` rather than a
//! `PRAGMA key = '…'` string, so no copy of it lands in SQL text we cannot wipe; callers keep it
//! in `Zeroizing` memory and nothing here stores it.

use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::{Result, Store, StoreError, busy_aware};

/// The first 16 bytes of every plaintext SQLite file; an encrypted file starts with its salt.
const PLAIN_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// SQLCipher's settings as the bundled build reports them (for `docs/security.md` and tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CipherSettings {
    pub version: String,
    pub cipher: String,
    pub kdf: String,
    pub kdf_iter: String,
    pub hmac: String,
    pub page_size: String,
}

/// Whether the file at `path` is an encrypted (not plaintext) SQLite database. A file too short
/// to hold a header is treated as plaintext (a fresh, empty database).
pub fn is_encrypted(path: &Path) -> std::io::Result<bool> {
    use std::io::Read;
    let mut head = [0u8; 16];
    let mut f = File::open(path)?;
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..])? {
            0 => return Ok(false),
            k => n += k,
        }
    }
    Ok(&head != PLAIN_HEADER)
}

/// Keys a fresh connection with `passphrase` before its first read.
pub(crate) fn key(conn: &Connection, passphrase: &str) -> Result<()> {
    // SAFETY: the handle is valid for the connection's life, and the pointer/length pair
    // describes the passphrase's bytes, which SQLCipher copies before returning.
    let rc = unsafe {
        rusqlite::ffi::sqlite3_key(conn.handle(), passphrase.as_ptr().cast(), passphrase.len() as std::ffi::c_int)
    };
    check(conn, rc)
}

fn check(conn: &Connection, rc: std::ffi::c_int) -> Result<()> {
    if rc == rusqlite::ffi::SQLITE_OK {
        Ok(())
    } else {
        // SAFETY: as above; errmsg only reads the connection's last error.
        let msg = unsafe { std::ffi::CStr::from_ptr(rusqlite::ffi::sqlite3_errmsg(conn.handle())) };
        Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rc),
            Some(msg.to_string_lossy().into_owned()),
        )))
    }
}

impl Store {
    /// Whether this connection's main database is encrypted.
    pub fn is_encrypted(&self) -> Result<bool> {
        match self.db_path() {
            Some(p) => Ok(is_encrypted(&p).map_err(|e| StoreError::Corrupt(e.to_string()))?),
            None => Ok(false),
        }
    }

    pub fn cipher_settings(&self) -> Result<CipherSettings> {
        let get = |q: &str| -> Result<String> { Ok(self.conn.query_row(q, [], |r| r.get::<_, String>(0))?) };
        Ok(CipherSettings {
            version: get("PRAGMA cipher_version")?,
            cipher: get("PRAGMA cipher")?,
            kdf: get("PRAGMA cipher_kdf_algorithm")?,
            kdf_iter: get("PRAGMA kdf_iter")?,
            hmac: get("PRAGMA cipher_hmac_algorithm")?,
            page_size: get("PRAGMA cipher_page_size")?,
        })
    }

    /// Re-encrypts every page under a new passphrase in one transaction (SQLCipher's rekey),
    /// then folds the WAL back so no page under the old key stays beside the file.
    pub fn change_passphrase(&mut self, new: &str) -> Result<()> {
        if !self.is_encrypted()? {
            return Err(StoreError::invalid("パスフレーズ", "このデータベースは暗号化されていません"));
        }
        self.ensure_alone()?;
        // SAFETY: as in `key`.
        let rc = unsafe {
            rusqlite::ffi::sqlite3_rekey(self.conn.handle(), new.as_ptr().cast(), new.len() as std::ffi::c_int)
        };
        check(&self.conn, rc).map_err(|e| match e {
            StoreError::Sqlite(e) => busy_aware(e),
            e => e,
        })?;
        self.conn.execute_batch("PRAGMA journal_mode = WAL;").map_err(busy_aware)?;
        Ok(())
    }

    /// Fails with Busy while another connection (another shinko window) has the database open,
    /// because leaving WAL mode needs exclusive access. Re-keying or replacing the file under an
    /// open connection would leave it writing to a file that is no longer the database.
    pub(crate) fn ensure_alone(&self) -> Result<()> {
        let mode: String = self.conn.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0)).map_err(busy_aware)?;
        if mode != "delete" { Err(StoreError::Busy) } else { Ok(()) }
    }

    /// Moves every committed page from the WAL into the main file and empties the WAL. Refuses
    /// (Busy) while another process still reads, because then the WAL cannot be emptied.
    pub fn checkpoint(&self) -> Result<()> {
        let busy: i64 = self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0)).map_err(busy_aware)?;
        if busy != 0 { Err(StoreError::Busy) } else { Ok(()) }
    }
}

/// What became of the plaintext file after [`encrypt_in_place`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaintextFate {
    /// Its blocks were overwritten with zeros and flushed, then it was removed.
    Wiped,
    /// It was replaced but could not be overwritten first (e.g. a volume without hard links);
    /// its old blocks may remain on the disk until reused.
    ReplacedOnly,
}

/// Encrypts the plaintext database at `path` under `passphrase`, in place.
///
/// The encrypted copy is written with `sqlcipher_export` into a temporary file in the same
/// folder (owner-only, never plaintext), checked, and renamed over the original in one atomic
/// step: a crash leaves either the plaintext or the encrypted database, never half of one.
///
/// No handle to the original may stay open across that rename (Windows refuses to replace a
/// file that is open). So a second name (a hard link) is made for the original first; once the
/// encrypted copy holds the database's name, the plaintext is reached through that second name,
/// overwritten with zeros, flushed and removed. That overwrite is best effort: SSDs,
/// copy-on-write file systems, snapshots and backups may keep the old blocks (see
/// docs/security.md). The result says whether it happened at all.
pub fn encrypt_in_place(path: &Path, passphrase: &str) -> Result<PlaintextFate> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let store = Store::open(path, None)?;
    store.checkpoint()?;
    store.ensure_alone()?;
    let version: i64 = store.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let entries = store.audit_head()?.count;
    let tmp = tempfile::Builder::new()
        .prefix(".shinko-encrypt-")
        .suffix(".part")
        .tempfile_in(dir)
        .map_err(StoreError::io("暗号化用の一時ファイルの作成"))?;
    let tmp_path = tmp.path().to_string_lossy().into_owned();
    store.conn.execute("ATTACH DATABASE ?1 AS encrypted KEY ?2", [tmp_path.as_str(), passphrase])?;
    let exported = store
        .conn
        .query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))
        .and_then(|_| store.conn.pragma_update(Some("encrypted"), "user_version", version));
    store.conn.execute("DETACH DATABASE encrypted", [])?;
    exported.map_err(busy_aware)?;
    drop(store);

    // Check the copy before it replaces anything.
    {
        let enc = Store::open_unlocked(tmp.path(), Some(passphrase))?;
        let ok = enc.integrity_check()?;
        if ok != "ok" || enc.audit_verify()?.ok() != Some(entries as u64) {
            return Err(StoreError::Corrupt("暗号化したコピーの検査に失敗しました".into()));
        }
        enc.checkpoint()?;
    }
    remove_sidecars(tmp.path());

    let plain = plaintext_name(path);
    if plain.exists() {
        // Left by a crash during an earlier encryption: an older plaintext copy. Wipe it now.
        wipe_and_remove(&plain);
    }
    let linked = std::fs::hard_link(path, &plain).is_ok();
    tmp.as_file().sync_all().map_err(StoreError::io("暗号化したコピーの書き込み"))?;
    if let Err(e) = tmp.persist(path) {
        if linked {
            let _ = std::fs::remove_file(&plain);
        }
        return Err(StoreError::io("暗号化したデータベースへの置き換え")(e.error));
    }
    sync_dir(dir);
    remove_sidecars(path);
    let fate = if linked && wipe_and_remove(&plain) { PlaintextFate::Wiped } else { PlaintextFate::ReplacedOnly };
    sync_dir(dir);
    Ok(fate)
}

/// The second name the plaintext has while [`encrypt_in_place`] replaces it.
fn plaintext_name(path: &Path) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(".plaintext-wipe");
    PathBuf::from(p)
}

/// Overwrites a closed file with zeros, flushes and removes it; whether the overwrite and the
/// flush both succeeded (it is removed either way, if it can be).
fn wipe_and_remove(path: &Path) -> bool {
    let wiped = match OpenOptions::new().write(true).open(path) {
        Ok(mut f) => {
            let len = f.metadata().map(|m| m.len()).unwrap_or(0);
            wipe(&mut f, len)
        }
        Err(_) => false,
    };
    std::fs::remove_file(path).is_ok() && wiped
}

/// Overwrites `len` bytes of an open file with zeros and flushes them; whether it all worked.
fn wipe(f: &mut File, len: u64) -> bool {
    let zeros = vec![0u8; 64 * 1024];
    if f.seek(SeekFrom::Start(0)).is_err() {
        return false;
    }
    let mut left = len;
    while left > 0 {
        let n = left.min(zeros.len() as u64) as usize;
        if f.write_all(&zeros[..n]).is_err() {
            return false;
        }
        left -= n as u64;
    }
    f.sync_all().is_ok()
}

/// The WAL and shared-memory files SQLite keeps beside a database.
pub fn sidecars(path: &Path) -> [PathBuf; 2] {
    ["-wal", "-shm"].map(|s| {
        let mut p = path.as_os_str().to_owned();
        p.push(s);
        PathBuf::from(p)
    })
}

/// Removes a closed database's WAL and shared-memory files, wiping them first.
pub(crate) fn remove_sidecars(path: &Path) {
    for p in sidecars(path) {
        if p.exists() {
            wipe_and_remove(&p);
        }
    }
}

/// Makes a rename durable (unix: fsync the folder).
pub(crate) fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_sqlcipher_uses_the_documented_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("c.db"), Some("かぎ-passphrase")).unwrap();
        let c = s.cipher_settings().unwrap();
        assert!(c.version.starts_with('4'), "{c:?}");
        assert_eq!(c.cipher, "AES-256-CBC");
        assert_eq!(c.kdf, "PBKDF2_HMAC_SHA512");
        assert_eq!(c.kdf_iter, "256000");
        assert_eq!(c.hmac, "HMAC_SHA512");
        assert_eq!(c.page_size, "4096");
    }

    #[test]
    fn encrypts_in_place_and_changes_the_passphrase() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.db");
        {
            let mut s = Store::open(&path, None).unwrap();
            s.write(|t| t.set_setting("k", "児童の名前")).unwrap();
            s.write(|t| t.set_setting("k", "別の名前")).unwrap();
        }
        assert!(!is_encrypted(&path).unwrap());
        assert_eq!(encrypt_in_place(&path, "最初の合言葉です").unwrap(), PlaintextFate::Wiped);
        assert!(is_encrypted(&path).unwrap());
        let raw = std::fs::read(&path).unwrap();
        assert!(!raw.windows("別の名前".len()).any(|w| w == "別の名前".as_bytes()));
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| !n.ends_with(".open-lock"))
            .collect();
        assert_eq!(left, ["p.db"], "no temporary file left behind");
        assert!(matches!(Store::open(&path, None), Err(StoreError::WrongPassphrase)));
        {
            let mut s = Store::open(&path, Some("最初の合言葉です")).unwrap();
            assert_eq!(s.setting("k").unwrap().as_deref(), Some("別の名前"));
            assert_eq!(s.audit_verify().unwrap(), Ok(2));
            s.change_passphrase("新しい合言葉です").unwrap();
        }
        assert!(matches!(Store::open(&path, Some("最初の合言葉です")), Err(StoreError::WrongPassphrase)));
        let s = Store::open(&path, Some("新しい合言葉です")).unwrap();
        assert_eq!(s.integrity_check().unwrap(), "ok");
        assert_eq!(s.audit_verify().unwrap(), Ok(2));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    /// The plaintext's own blocks are zeroed, not only its name replaced: a second name made
    /// for the file before encrypting (as a backup tool or a snapshot might keep) reads zeros.
    #[cfg(unix)]
    #[test]
    fn the_plaintext_file_itself_is_overwritten_and_no_second_name_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.db");
        {
            let mut s = Store::open(&path, None).unwrap();
            s.write(|t| t.set_setting("k", "山田 花子")).unwrap();
        }
        let witness = dir.path().join("witness");
        std::fs::hard_link(&path, &witness).unwrap();
        let len = std::fs::metadata(&witness).unwrap().len();
        assert_eq!(encrypt_in_place(&path, "合言葉です合言葉").unwrap(), PlaintextFate::Wiped);
        let old = std::fs::read(&witness).unwrap();
        assert_eq!(old.len() as u64, len);
        assert!(old.iter().all(|b| *b == 0), "the old file's bytes are zeros");
        assert!(!plaintext_name(&path).exists());
        // A second name left by a crash mid-way is wiped by the next encryption.
        std::fs::remove_file(&witness).unwrap();
        let other = dir.path().join("q.db");
        Store::open(&other, None).unwrap().write(|t| t.set_setting("k", "佐藤")).unwrap();
        std::fs::write(plaintext_name(&other), b"SQLite format 3\0 leftover").unwrap();
        encrypt_in_place(&other, "合言葉です合言葉").unwrap();
        assert!(!plaintext_name(&other).exists());
    }

    #[test]
    fn refuses_while_another_connection_has_it_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.db");
        let mut a = Store::open(&path, None).unwrap();
        a.write(|t| t.set_setting("k", "一")).unwrap();
        assert!(matches!(encrypt_in_place(&path, "合言葉です合言葉"), Err(StoreError::Busy)));
        assert!(!is_encrypted(&path).unwrap());
        a.write(|t| t.set_setting("k", "二")).unwrap();
        drop(a);
        encrypt_in_place(&path, "合言葉です合言葉").unwrap();
        let mut a = Store::open(&path, Some("合言葉です合言葉")).unwrap();
        let b = Store::open(&path, Some("合言葉です合言葉")).unwrap();
        assert!(matches!(a.change_passphrase("別の合言葉です"), Err(StoreError::Busy)));
        assert_eq!(b.setting("k").unwrap().as_deref(), Some("二"));
        drop(b);
        a.change_passphrase("別の合言葉です").unwrap();
        a.write(|t| t.set_setting("k", "三")).unwrap();
        let mode: String = a.conn().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        drop(a);
        let s = Store::open(&path, Some("別の合言葉です")).unwrap();
        assert_eq!(s.setting("k").unwrap().as_deref(), Some("三"));
    }

    #[test]
    fn a_plaintext_database_cannot_be_rekeyed() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("p.db"), None).unwrap();
        assert!(matches!(s.change_passphrase("x"), Err(StoreError::Invalid { .. })));
    }
}
