//! The OS lock that says whether any shinko has a database open.
//!
//! Every store opened on a file holds a shared lock on a small empty file beside it
//! (`<db>.open-lock`) for as long as it is open; a restore takes that lock exclusively, so it
//! cannot replace a file another window still writes to. The OS drops the lock when the process
//! ends, however it ends (flock on unix, LockFileEx on Windows). A sidecar file rather than the
//! database itself, so SQLite's own locking of the database is left alone.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

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

/// How long opening waits for a restore (or a finished restore's lock) to go away. A process
/// that forks while holding the lock (a spawned program, before it starts) keeps the lock for
/// that moment too, so a refusal at the first try would be wrong.
pub(crate) const PATIENCE: Duration = Duration::from_secs(3);

/// Tries `lock` until it is free or `patience` has passed.
fn take(
    f: File,
    patience: Duration,
    lock: impl Fn(&File) -> Result<(), TryLockError>,
) -> std::io::Result<Option<File>> {
    let started = Instant::now();
    loop {
        match lock(&f) {
            Ok(()) => return Ok(Some(f)),
            Err(TryLockError::WouldBlock) if started.elapsed() < patience => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(TryLockError::WouldBlock) => return Ok(None),
            Err(TryLockError::Error(e)) => return Err(e),
        }
    }
}

/// Held while a store has the database open. Refused while a restore holds it exclusively.
pub(crate) fn shared(db: &Path) -> Result<File, StoreError> {
    take(open_file(db)?, PATIENCE, File::try_lock_shared)
        .map_err(StoreError::io("データベースの使用中ロック"))?
        .ok_or(StoreError::Restoring)
}

/// Held by a restore: refused while any shinko (this process included) has the database open.
/// `patience`: how long to wait for it (a restore asks at once; finishing one waits).
pub(crate) fn exclusive(db: &Path, patience: Duration) -> Result<File, StoreError> {
    take(open_file(db)?, patience, File::try_lock)
        .map_err(StoreError::io("データベースの使用中ロック"))?
        .ok_or(StoreError::OpenElsewhere)
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
        assert!(matches!(exclusive(&db, Duration::ZERO), Err(StoreError::OpenElsewhere)));
        drop(a);
        assert!(matches!(exclusive(&db, Duration::ZERO), Err(StoreError::OpenElsewhere)));
        drop(b);
        let x = exclusive(&db, Duration::ZERO).unwrap();
        assert!(matches!(shared(&db), Err(StoreError::Restoring)));
        drop(x);
        shared(&db).unwrap();
    }
}
