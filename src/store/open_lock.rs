//! The OS lock that says whether any shinko has a database open.
//!
//! Every store opened on a file holds a shared lock on a small empty file beside it
//! (`<db>.open-lock`) for as long as it is open; a restore takes that lock exclusively, so it
//! cannot replace a file another window still writes to. The OS drops the lock when the process
//! ends, however it ends (flock on unix, LockFileEx on Windows). A sidecar file rather than the
//! database itself, so SQLite's own locking of the database is left alone.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use super::StoreError;

/// The lock file beside the database at `db`.
pub fn lock_path(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(".open-lock");
    PathBuf::from(p)
}

fn open_file(db: &Path) -> Result<File, StoreError> {
    let path = lock_path(db);
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(StoreError::io("データベースの使用中ロックの作成"))?;
    let _ = crate::platform::restrict_file(&path);
    Ok(f)
}

/// Held while a store has the database open. Refused while a restore holds it exclusively.
pub(crate) fn shared(db: &Path) -> Result<File, StoreError> {
    let f = open_file(db)?;
    match f.try_lock_shared() {
        Ok(()) => Ok(f),
        Err(TryLockError::WouldBlock) => Err(StoreError::Restoring),
        Err(TryLockError::Error(e)) => Err(StoreError::io("データベースの使用中ロック")(e)),
    }
}

/// Held by a restore: refused while any shinko (this process included) has the database open.
pub(crate) fn exclusive(db: &Path) -> Result<File, StoreError> {
    let f = open_file(db)?;
    match f.try_lock() {
        Ok(()) => Ok(f),
        Err(TryLockError::WouldBlock) => Err(StoreError::OpenElsewhere),
        Err(TryLockError::Error(e)) => Err(StoreError::io("データベースの使用中ロック")(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_holders_keep_out_an_exclusive_one_and_the_reverse() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("a.db");
        let a = shared(&db).unwrap();
        let b = shared(&db).unwrap();
        assert!(matches!(exclusive(&db), Err(StoreError::OpenElsewhere)));
        drop(a);
        assert!(matches!(exclusive(&db), Err(StoreError::OpenElsewhere)));
        drop(b);
        let x = exclusive(&db).unwrap();
        assert!(matches!(shared(&db), Err(StoreError::Restoring)));
        drop(x);
        shared(&db).unwrap();
    }
}
