//! Online backups and restoring from them.
//!
//! A backup is `VACUUM INTO`: one read transaction, so the copy is consistent while others keep
//! writing (WAL), and SQLCipher writes it under the same key as the source, so an encrypted
//! database never yields a plaintext copy. A restore checks the copy (integrity, audit chain)
//! beside the target before one atomic rename puts it in place; a journal lets the next open
//! finish a restore a crash interrupted.

use std::path::{Path, PathBuf};

use super::crypto::{is_encrypted, remove_sidecars, sidecars, sync_dir};
use super::{Result, Store, StoreError, open_lock};

/// What a checked backup holds (counts only, no personal data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    pub cases: i64,
    pub audit_entries: u64,
    pub encrypted: bool,
    /// The database it replaced was under another passphrase than the backup (the backup was
    /// made before a passphrase change): the restored file keeps the backup's.
    pub key_differs: bool,
    /// Rows the backup's audit log does not explain, and schema changes (`audit verify` lists
    /// them): a backup taken after tampering restores, but says so.
    pub unexplained: usize,
}

impl Store {
    /// Writes a consistent copy of the whole database into `dest`, which must be an empty file
    /// (a fresh temporary file; the caller renames it into place).
    pub fn backup_into(&self, dest: &Path) -> Result<()> {
        self.conn.execute("VACUUM INTO ?1", [dest.to_string_lossy()]).map_err(super::busy_aware)?;
        Ok(())
    }

    /// Counts and checks this database as a restore does: integrity, the audit chain, and
    /// whether the log explains the data.
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
        let data = self.audit_explains_data()?;
        Ok(BackupSummary {
            cases: self.case_count(true)?,
            audit_entries,
            encrypted: self.is_encrypted()?,
            key_differs: false,
            unexplained: data.unexplained.len() + data.schema.len(),
        })
    }
}

/// Puts the backup at `from` in place of the database at `target`.
///
/// Refused with [`StoreError::OpenElsewhere`] while any shinko has `target` open (its later
/// writes would land in the file kept aside and be lost): the restore holds the open lock
/// exclusively from start to end.
///
/// The backup is copied into `<target>.restore-new` (so the backup itself is never changed),
/// opened with `passphrase` if it is encrypted, migrated if it is older, checked, folded into
/// one file with no WAL and flushed. Only then does the swap begin, recorded first in
/// `<target>.restore-journal` so that a crash at any later point is finished by the next open
/// (see [`recover`]): the old database gets a second name `keep` (a hard link, or a copy where
/// links are not possible) and its WAL and shared memory follow it there, then the new file
/// is renamed over `target`. The target therefore always has a database, and the old one keeps
/// every committed page, WAL included.
pub fn restore(from: &Path, target: &Path, passphrase: Option<&str>, keep: Option<&Path>) -> Result<BackupSummary> {
    let _lock = open_lock::exclusive(target, open_lock::PATIENCE)?;
    finish_swap(target)?;
    let staged = staged_path(target);
    discard(&staged);
    let prepared = prepare(from, &staged, passphrase);
    let summary = match prepared {
        Ok(s) => s,
        Err(e) => {
            discard(&staged);
            return Err(e);
        }
    };
    fail_point("prepared");
    if !target.exists() {
        std::fs::rename(&staged, target).map_err(StoreError::io("復元したデータベースの配置"))?;
        sync_dir(dir_of(target));
        return Ok(summary);
    }
    let keep = match keep {
        Some(k) if dir_of(k) == dir_of(target) && !k.exists() => k,
        _ => {
            discard(&staged);
            return Err(StoreError::invalid(
                "復元先",
                "既存のデータベースの退避先（同じフォルダーの、まだない名前）がありません",
            ));
        }
    };
    let settled = settle(target, passphrase);
    let key_differs = match settled {
        Ok(d) => d,
        Err(e) => {
            discard(&staged);
            return Err(e);
        }
    };
    write_journal(target, keep)?;
    fail_point("journaled");
    swap(target, keep)?;
    Ok(BackupSummary { key_differs, ..summary })
}

/// Copies the backup to `staged`, checks it and leaves it as one flushed file without a WAL.
fn prepare(from: &Path, staged: &Path, passphrase: Option<&str>) -> Result<BackupSummary> {
    std::fs::copy(from, staged).map_err(StoreError::io("バックアップの読み込み"))?;
    let _ = crate::platform::restrict_file(staged);
    fail_point("copied");
    let encrypted = is_encrypted(staged).map_err(StoreError::io("バックアップの読み込み"))?;
    let summary = {
        let store = Store::open_unlocked(staged, if encrypted { passphrase } else { None })?;
        let s = store.check_whole()?;
        store.checkpoint()?;
        store.ensure_alone()?;
        s
    };
    remove_sidecars(staged);
    flush(staged).map_err(StoreError::io("復元するデータベースの書き込み"))?;
    sync_dir(dir_of(staged));
    Ok(summary)
}

/// Folds the target's WAL into it and leaves WAL mode, so that nothing of it is left in a WAL
/// that could be separated from its database. A target this passphrase does not open (it is
/// under another key: the backup was made under an older passphrase) is left as it is, and its
/// WAL is moved with it; the result says so (true).
fn settle(target: &Path, passphrase: Option<&str>) -> Result<bool> {
    let encrypted = is_encrypted(target).map_err(StoreError::io("復元先の確認"))?;
    let store = match Store::open_unlocked(target, if encrypted { passphrase } else { None }) {
        Ok(s) => s,
        Err(StoreError::WrongPassphrase) => return Ok(encrypted && passphrase.is_some()),
        Err(StoreError::Busy) => return Err(in_use()),
        Err(e) => return Err(e),
    };
    store.checkpoint().map_err(|e| if matches!(e, StoreError::Busy) { in_use() } else { e })?;
    store.ensure_alone().map_err(|e| if matches!(e, StoreError::Busy) { in_use() } else { e })?;
    Ok(false)
}

fn in_use() -> StoreError {
    StoreError::InUse { what: "復元先のデータベース".into() }
}

/// Finishes a restore a crash interrupted after its journal was written; called on every open
/// before the database is touched. Nothing to do without a journal.
pub(crate) fn recover(target: &Path) -> Result<()> {
    if !journal_path(target).exists() {
        return Ok(());
    }
    let _lock = open_lock::exclusive(target, open_lock::PATIENCE).map_err(|e| match e {
        StoreError::OpenElsewhere => StoreError::Restoring,
        e => e,
    })?;
    finish_swap(target)
}

/// With the open lock held: completes a journaled swap, if one was interrupted.
fn finish_swap(target: &Path) -> Result<()> {
    let Some(keep) = read_journal(target)? else { return Ok(()) };
    if staged_path(target).exists() {
        swap(target, &keep)
    } else {
        // The new database is in place already; only the journal was left.
        remove_journal(target)
    }
}

/// The journaled part of a restore; each step can be repeated after a crash.
fn swap(target: &Path, keep: &Path) -> Result<()> {
    if !keep.exists() && target.exists() {
        keep_old(target, keep)?;
    }
    fail_point("kept");
    for (a, b) in sidecars(target).iter().zip(sidecars(keep).iter()) {
        if a.exists() {
            std::fs::rename(a, b).map_err(StoreError::io("復元前のデータベースの退避"))?;
        }
    }
    sync_dir(dir_of(target));
    fail_point("sidecars");
    std::fs::rename(staged_path(target), target).map_err(StoreError::io("復元したデータベースの配置"))?;
    sync_dir(dir_of(target));
    fail_point("renamed");
    remove_journal(target)
}

/// Gives the old database the name `keep`: a hard link (instant, and the file stays where it
/// is), or a flushed copy where the volume has no links (FAT32/exFAT).
fn keep_old(target: &Path, keep: &Path) -> Result<()> {
    if std::fs::hard_link(target, keep).is_ok() {
        return Ok(());
    }
    let part = with_suffix(keep, ".part");
    std::fs::copy(target, &part)
        .and_then(|_| flush(&part))
        .and_then(|_| std::fs::rename(&part, keep))
        .map_err(StoreError::io("復元前のデータベースの退避"))
}

/// Records where the old database goes, flushed before the swap starts.
fn write_journal(target: &Path, keep: &Path) -> Result<()> {
    let journal = journal_path(target);
    let part = with_suffix(&journal, ".part");
    let io = StoreError::io("復元の記録");
    // Only the file name: the kept file sits beside the target, wherever the target is reached from.
    let name = keep.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    std::fs::write(&part, name.as_bytes())
        .and_then(|_| flush(&part))
        .and_then(|_| std::fs::rename(&part, &journal))
        .map_err(io)?;
    let _ = crate::platform::restrict_file(&journal);
    sync_dir(dir_of(target));
    Ok(())
}

fn read_journal(target: &Path) -> Result<Option<PathBuf>> {
    match std::fs::read_to_string(journal_path(target)) {
        Ok(s) if !s.is_empty() => Ok(Some(dir_of(target).join(s))),
        Ok(_) => Err(StoreError::Corrupt("復元の記録が空です".into())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StoreError::io("復元の記録の読み込み")(e)),
    }
}

fn remove_journal(target: &Path) -> Result<()> {
    match std::fs::remove_file(journal_path(target)) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(StoreError::io("復元の記録の削除")(e)),
    }
    sync_dir(dir_of(target));
    Ok(())
}

/// Removes a staged copy left by an earlier, unjournaled attempt (never the target).
fn discard(staged: &Path) {
    remove_sidecars(staged);
    let _ = std::fs::remove_file(staged);
}

/// Test builds only: `SHINKO_RESTORE_FAIL_AT=<step>` ends the process at that step as a crash
/// would (no clean-up runs), for tests/crash.rs.
fn fail_point(step: &str) {
    #[cfg(debug_assertions)]
    if std::env::var("SHINKO_RESTORE_FAIL_AT").as_deref() == Ok(step) {
        std::process::abort();
    }
    #[cfg(not(debug_assertions))]
    let _ = step;
}

/// The checked copy a restore puts in place.
pub fn staged_path(target: &Path) -> PathBuf {
    with_suffix(target, ".restore-new")
}

/// Present while a restore swaps files; holds where the old database goes.
pub fn journal_path(target: &Path) -> PathBuf {
    with_suffix(target, ".restore-journal")
}

/// Flushes a closed file to the disk (Windows needs write access for that).
fn flush(p: &Path) -> std::io::Result<()> {
    std::fs::OpenOptions::new().write(true).open(p)?.sync_all()
}

fn with_suffix(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn dir_of(p: &Path) -> &Path {
    p.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

/// Where an existing database is kept when a restore replaces it.
pub fn kept_path(target: &Path, stamp: &str) -> PathBuf {
    with_suffix(target, &format!(".restore前-{stamp}"))
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
            assert!(matches!(err, StoreError::OpenElsewhere), "{err}");
            assert_eq!(open.setting("k").unwrap().as_deref(), Some("二"));
            assert!(!kept_path(&db, "x").exists());
        }
        let sum = restore(bk.path(), &db, Some(pass), Some(&kept_path(&db, "x"))).unwrap();
        assert_eq!(
            sum,
            BackupSummary { cases: 0, audit_entries: 1, encrypted: true, key_differs: false, unexplained: 0 }
        );
        let s = Store::open(&db, Some(pass)).unwrap();
        assert_eq!(s.setting("k").unwrap().as_deref(), Some("一"));
        let kept = Store::open(&kept_path(&db, "x"), Some(pass)).unwrap();
        assert_eq!(kept.setting("k").unwrap().as_deref(), Some("二"), "the replaced database is kept whole");
    }

    /// A restore cut short after its journal: the next open finishes it, whichever step it
    /// reached, and the old database (with the commits its WAL held) is kept whole.
    #[test]
    fn an_interrupted_swap_is_finished_by_the_next_open() {
        for stopped_after in 0..3 {
            let dir = tempfile::tempdir().unwrap();
            let db = dir.path().join("a.db");
            let keep = kept_path(&db, "x");
            let mut s = Store::open(&db, None).unwrap();
            s.write(|t| t.set_setting("k", "古い")).unwrap();
            let bk = dir.path().join("b.db");
            s.backup_into(&bk).unwrap();
            drop(s);
            let mut s = Store::open(&db, None).unwrap();
            s.write(|t| t.set_setting("k", "新しい方の古い")).unwrap();
            drop(s);
            let _lock = open_lock::exclusive(&db, std::time::Duration::ZERO).unwrap();
            prepare(&bk, &staged_path(&db), None).unwrap();
            write_journal(&db, &keep).unwrap();
            if stopped_after >= 1 {
                keep_old(&db, &keep).unwrap();
            }
            if stopped_after >= 2 {
                for (a, b) in sidecars(&db).iter().zip(sidecars(&keep).iter()) {
                    if a.exists() {
                        std::fs::rename(a, b).unwrap();
                    }
                }
            }
            assert!(matches!(Store::open(&db, None), Err(StoreError::Restoring)), "not while the restore runs");
            drop(_lock);
            let s = Store::open(&db, None).unwrap();
            assert_eq!(s.setting("k").unwrap().as_deref(), Some("古い"), "after step {stopped_after}");
            assert!(!journal_path(&db).exists() && !staged_path(&db).exists());
            let kept = Store::open(&keep, None).unwrap();
            assert_eq!(kept.setting("k").unwrap().as_deref(), Some("新しい方の古い"), "after step {stopped_after}");
            assert_eq!(kept.audit_verify().unwrap(), Ok(2));
        }
    }
}
