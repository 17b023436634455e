//! The OS lock that says whether a meeting's lease holder still runs on this machine.
//!
//! A pid alone cannot say it: Windows reuses pids quickly, and a closed window must free the
//! meeting at once rather than after the heartbeat times out. The process that holds a lease
//! also holds an exclusive lock on a small empty file beside the database
//! (`<db>-meeting<ID>.lock`); the OS drops the lock when the process ends, however it ends.
//! Another process that can take the lock knows the holder is gone. The lease row in the
//! database stays the arbiter of who holds the meeting; the lock only answers "alive?".

use std::collections::HashMap;
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use crate::domain::Id;

/// What probing a meeting's lock found.
pub(crate) enum Probe {
    /// Nobody held it; we hold it now (None for an in-memory database, which has no file).
    Taken(Option<File>),
    /// Another process (or another connection in this one) holds it: the holder runs.
    HeldElsewhere,
    /// This store already holds it.
    HeldHere,
}

/// The locks this store holds, one per meeting it runs, with the pid it took the lease for.
#[derive(Default)]
pub(crate) struct LeaseLocks {
    held: HashMap<Id, (Option<File>, u32)>,
}

/// The lock file of `meeting_id` beside the database at `db`.
pub fn lock_path(db: &Path, meeting_id: Id) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(format!("-meeting{meeting_id}.lock"));
    PathBuf::from(p)
}

impl LeaseLocks {
    /// Tries to take the lock of `meeting_id` without waiting. `db` is None in memory.
    pub(crate) fn probe(&self, db: Option<&Path>, meeting_id: Id) -> std::io::Result<Probe> {
        if self.held.contains_key(&meeting_id) {
            return Ok(Probe::HeldHere);
        }
        let Some(db) = db else { return Ok(Probe::Taken(None)) };
        let path = lock_path(db, meeting_id);
        let f = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path)?;
        let _ = crate::platform::restrict_file(&path);
        match f.try_lock() {
            Ok(()) => Ok(Probe::Taken(Some(f))),
            Err(TryLockError::WouldBlock) => Ok(Probe::HeldElsewhere),
            Err(TryLockError::Error(e)) => Err(e),
        }
    }

    /// Keeps a lock taken by [`probe`](Self::probe) for as long as the lease of `pid` is held.
    /// A lease taken over from a hung holder that still has the lock is held without it.
    pub(crate) fn keep(&mut self, meeting_id: Id, probe: Probe, pid: u32) {
        match probe {
            Probe::Taken(f) => {
                self.held.insert(meeting_id, (f, pid));
            }
            Probe::HeldHere => {
                if let Some(h) = self.held.get_mut(&meeting_id) {
                    h.1 = pid;
                }
            }
            Probe::HeldElsewhere => {
                self.held.insert(meeting_id, (None, pid));
            }
        }
    }

    /// The pid this store holds the lease of `meeting_id` for (None: it holds none).
    pub(crate) fn pid_of(&self, meeting_id: Id) -> Option<u32> {
        self.held.get(&meeting_id).map(|h| h.1)
    }

    /// Lets go of the lock (the lease was released or lost).
    pub(crate) fn release(&mut self, meeting_id: Id) {
        self.held.remove(&meeting_id);
    }

    /// Lets go of the lock and removes its file (the meeting is over and will not run again).
    pub(crate) fn forget(&mut self, db: Option<&Path>, meeting_id: Id) {
        self.release(meeting_id);
        if let Some(db) = db {
            let _ = std::fs::remove_file(lock_path(db, meeting_id));
        }
    }
}
