//! Online backups and restoring from them.
//!
//! A backup is `VACUUM INTO`: one read transaction, so the copy is consistent while others keep
//! writing (WAL), and SQLCipher writes it under the same key as the source, so an encrypted
//! database never yields a plaintext copy. A restore checks the copy (integrity, audit chain)
//! beside the target before one atomic rename puts it in place.

use std::path::{Path, PathBuf};

use super::crypto::{is_encrypted, remove_sidecars, sidecars, sync_dir};
use super::{Result, Store, StoreError};

/// What a checked backup holds (counts only, no personal data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    pub cases: i64,
    pub audit_entries: u64,
    pub encrypted: bool,
}

impl Store {
    /// Writes a consistent copy of the whole database into `dest`, which must be an empty file
    /// (a fresh temporary file; the caller renames it into place).
    pub fn backup_into(&self, dest: &Path) -> Result<()> {
        self.conn.execute("VACUUM INTO ?1", [dest.to_string_lossy()]).map_err(super::busy_aware)?;
        Ok(())
    }

    /// Counts and checks this database as a restore does: integrity and the audit chain.
    pub fn check_whole(&self) -> Result<BackupSummary> {
        let ok = self.integrity_check()?;
        if ok != "ok" {
            return Err(StoreError::Corrupt(format!("integrity_check: {ok}")));
        }
        let audit_entries = match self.audit_verify()? {
            Ok(n) => n,
            Err(b) => {
                return Err(StoreError::Corrupt(format!("監査ログの {} 番目の記録: {}", b.seq, b.reason)));
            }
        };
        Ok(BackupSummary { cases: self.case_count(true)?, audit_entries, encrypted: self.is_encrypted()? })
    }
}

/// Puts the backup at `from` in place of the database at `target`.
///
/// The backup is copied into a temporary file beside `target` (so the backup itself is never
/// changed), opened with `passphrase` if it is encrypted, migrated if it is older, checked, and
/// only then renamed over `target`. An existing target is kept, with its WAL, as `keep`.
///
/// Refused with [`StoreError::InUse`] while another shinko has `target` open: its later writes
/// would land in the file kept aside and be lost.
pub fn restore(from: &Path, target: &Path, passphrase: Option<&str>, keep: Option<&Path>) -> Result<BackupSummary> {
    let dir = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let tmp = tempfile::Builder::new()
        .prefix(".shinko-restore-")
        .suffix(".part")
        .tempfile_in(dir)
        .map_err(StoreError::io("復元用の一時ファイルの作成"))?;
    std::fs::copy(from, tmp.path()).map_err(StoreError::io("バックアップの読み込み"))?;
    let encrypted = is_encrypted(tmp.path()).map_err(StoreError::io("バックアップの読み込み"))?;
    let summary = {
        let store = Store::open(tmp.path(), if encrypted { passphrase } else { None })?;
        let s = store.check_whole()?;
        store.checkpoint()?;
        s
    };
    remove_sidecars(tmp.path());
    let _ = crate::platform::restrict_file(tmp.path());
    tmp.as_file().sync_all().map_err(StoreError::io("復元するデータベースの書き込み"))?;
    if target.exists() {
        let keep = keep.ok_or_else(|| StoreError::invalid("復元先", "既存のデータベースの退避先がありません"))?;
        settle(target, passphrase)?;
        set_aside(target, keep)?;
    }
    tmp.persist_noclobber(target).map_err(|e| StoreError::io("復元したデータベースの配置")(e.error))?;
    sync_dir(dir);
    Ok(summary)
}

/// Folds the target's WAL into it and leaves WAL mode, which needs every other connection
/// gone: so a restore under a running shinko is refused, and nothing is left in a WAL that a
/// kill between two renames could separate from its database. A target this passphrase does
/// not open (another key) is left as it is; [`set_aside`] then moves its WAL with it.
fn settle(target: &Path, passphrase: Option<&str>) -> Result<()> {
    let encrypted = is_encrypted(target).map_err(StoreError::io("復元先の確認"))?;
    let store = match Store::open(target, if encrypted { passphrase } else { None }) {
        Ok(s) => s,
        Err(StoreError::WrongPassphrase) => return Ok(()),
        Err(StoreError::Busy) => return Err(in_use()),
        Err(e) => return Err(e),
    };
    store.checkpoint().map_err(|e| if matches!(e, StoreError::Busy) { in_use() } else { e })?;
    store.ensure_alone().map_err(|e| if matches!(e, StoreError::Busy) { in_use() } else { e })?;
    Ok(())
}

fn in_use() -> StoreError {
    StoreError::InUse { what: "復元先のデータベース".into() }
}

/// Renames the database at `target` (and any WAL beside it) to `keep`. The database goes
/// first, so a file another process holds open stops it before anything moved; a WAL that
/// cannot follow puts the database back.
fn set_aside(target: &Path, keep: &Path) -> Result<()> {
    std::fs::rename(target, keep).map_err(StoreError::io("復元先のデータベースの退避"))?;
    for (a, b) in sidecars(target).iter().zip(sidecars(keep).iter()) {
        if a.exists()
            && let Err(e) = std::fs::rename(a, b)
        {
            for (a2, b2) in sidecars(target).iter().zip(sidecars(keep).iter()) {
                if b2.exists() {
                    let _ = std::fs::rename(b2, a2);
                }
            }
            let _ = std::fs::rename(keep, target);
            return Err(StoreError::io("復元先のデータベースの退避")(e));
        }
    }
    Ok(())
}

/// Where an existing database is kept when a restore replaces it.
pub fn kept_path(target: &Path, stamp: &str) -> PathBuf {
    let mut p = target.as_os_str().to_owned();
    p.push(format!(".restore前-{stamp}"));
    PathBuf::from(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backup_of_an_encrypted_database_is_encrypted_and_restores() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("a.db");
        let pass = "バックアップの合言葉";
        let mut s = Store::open(&db, Some(pass)).unwrap();
        s.write(|t| t.set_setting("k", "一")).unwrap();
        let bk = tempfile::NamedTempFile::new_in(dir.path()).unwrap();
        s.backup_into(bk.path()).unwrap();
        s.write(|t| t.set_setting("k", "二")).unwrap();
        drop(s);
        assert!(is_encrypted(bk.path()).unwrap());
        assert!(matches!(restore(bk.path(), &db, None, Some(&kept_path(&db, "x"))), Err(StoreError::WrongPassphrase)));
        {
            // While another shinko has the database open, nothing is replaced.
            let open = Store::open(&db, Some(pass)).unwrap();
            let err = restore(bk.path(), &db, Some(pass), Some(&kept_path(&db, "x"))).unwrap_err();
            assert!(matches!(err, StoreError::InUse { .. }), "{err}");
            assert_eq!(open.setting("k").unwrap().as_deref(), Some("二"));
            assert!(!kept_path(&db, "x").exists());
        }
        let sum = restore(bk.path(), &db, Some(pass), Some(&kept_path(&db, "x"))).unwrap();
        assert_eq!(sum, BackupSummary { cases: 0, audit_entries: 1, encrypted: true });
        let s = Store::open(&db, Some(pass)).unwrap();
        assert_eq!(s.setting("k").unwrap().as_deref(), Some("一"));
        let kept = Store::open(&kept_path(&db, "x"), Some(pass)).unwrap();
        assert_eq!(kept.setting("k").unwrap().as_deref(), Some("二"), "the replaced database is kept whole");
    }
}
