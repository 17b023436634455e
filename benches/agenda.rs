//! Agenda build on a 100,000-case database: triage of every case, household blocks, sessions,
//! and the audited write of every agenda item. The database is generated once by the demo
//! generator and cached under target/bench-data; each run works on a copy.
//!
//! Run: cargo bench --bench agenda
#![allow(clippy::unwrap_used)] // a benchmark may stop at its first failure

mod common;

use std::path::PathBuf;
use std::sync::OnceLock;

use common::today;
use shinko::domain::Config;
use shinko::store::Store;

const CASES: usize = 100_000;

/// A working copy of the cached 100k database (generated on first use) and its next meeting.
fn db() -> &'static (PathBuf, i64) {
    static DB: OnceLock<(PathBuf, i64)> = OnceLock::new();
    DB.get_or_init(|| {
        let cached = common::cached_demo("agenda", CASES);
        let work = common::dir().join("agenda-work.db");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", work.display()));
        }
        std::fs::copy(&cached, &work).unwrap();
        let s = Store::open(&work, None).unwrap();
        let next = s.meetings().unwrap().first().unwrap().id;
        (work, next)
    })
}

fn main() {
    db();
    divan::main();
}

/// The first build: every due case triaged, planned and written with its audit entry.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn build_from_empty(bencher: divan::Bencher) {
    let (path, meeting) = db();
    let cfg = Config::default();
    bencher
        .with_inputs(|| {
            let s = Store::open(path, None).unwrap();
            // Bench set-up only: an empty agenda without going through the audited API.
            s.conn().execute("DELETE FROM agenda_items WHERE meeting_id = ?1", [meeting]).unwrap();
            s
        })
        .bench_local_values(|mut s| s.build_agenda(*meeting, today(), &cfg).unwrap().sessions.len());
}

/// Re-planning an existing agenda (the secretariat presses 作り直す): nothing changed, so
/// the cost is reading and triage.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn rebuild_unchanged(bencher: divan::Bencher) {
    let (path, meeting) = db();
    let cfg = Config::default();
    let mut s = Store::open(path, None).unwrap();
    s.build_agenda(*meeting, today(), &cfg).unwrap();
    bencher.bench_local(|| s.build_agenda(*meeting, today(), &cfg).unwrap().sessions.len());
}

/// Reading the stored plan (what `agenda show` and the preparation screen load).
#[divan::bench(sample_count = 10)]
fn load_plan() -> usize {
    let (path, meeting) = db();
    let s = Store::open(path, None).unwrap();
    s.agenda_plan(*meeting, &Config::default()).unwrap().sessions.len()
}
