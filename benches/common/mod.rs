//! Shared by the benches: the day the demo is made for, and demo databases generated once and
//! cached under target/bench-data.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::Connection;

use chrono::NaiveDate;
use shinko::demo::{self, Scale};
use shinko::store::Store;

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

/// target/bench-data, created if needed.
pub fn dir() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `{name}-{cases}-v1.db`: a demo municipality of `cases` cases, generated on first use (into
/// a temporary file renamed at the end, so an interrupted run never leaves a half database).
pub fn cached_demo(name: &str, cases: usize) -> PathBuf {
    let path = dir().join(format!("{name}-{cases}-v1.db"));
    if !path.exists() {
        let tmp = dir().join(format!("{name}-building.db"));
        let _ = std::fs::remove_file(&tmp);
        let start = std::time::Instant::now();
        let mut s = Store::open(&tmp, None).unwrap();
        demo::generate(&mut s, Scale::Cases(cases), 1, today()).unwrap();
        drop(s);
        std::fs::rename(&tmp, &path).unwrap();
        eprintln!("generated {cases} cases in {:.1?}", start.elapsed());
    }
    path
}

/// An encrypted copy of the cached demo `plain`, made once beside it (`{stem}-encrypted.db`).
pub fn cached_encrypted(plain: &std::path::Path, passphrase: &str) -> PathBuf {
    let stem = plain.file_stem().unwrap().to_string_lossy();
    let enc = dir().join(format!("{stem}-encrypted.db"));
    if !enc.exists() {
        let tmp = dir().join(format!("{stem}-encrypting.db"));
        std::fs::copy(plain, &tmp).unwrap();
        shinko::store::crypto::encrypt_in_place(&tmp, passphrase).unwrap();
        std::fs::rename(&tmp, &enc).unwrap();
    }
    enc
}

/// Rows of `tables` in `after` that `before` does not have (by rowid).
pub fn new_rows(before: &Path, after: &Path, tables: &[&str]) -> Vec<(String, Vec<rusqlite::types::Value>)> {
    let b = Connection::open(before).unwrap();
    let a = Connection::open(after).unwrap();
    let mut out = Vec::new();
    for t in tables {
        let max: i64 = b.query_row(&format!("SELECT coalesce(max(rowid), 0) FROM {t}"), [], |r| r.get(0)).unwrap();
        let mut st = a.prepare(&format!("SELECT * FROM {t} WHERE rowid > ?1 ORDER BY rowid")).unwrap();
        let n = st.column_count();
        let rows = st.query_map([max], |r| (0..n).map(|i| r.get::<_, rusqlite::types::Value>(i)).collect()).unwrap();
        out.extend(rows.map(|r| (t.to_string(), r.unwrap())));
    }
    out
}

/// The same rows inserted into `before` in one transaction, one prepared statement per table:
/// the floor of a write.
pub fn write_floor(before: &Path, rows: &[(String, Vec<rusqlite::types::Value>)], prelude: &str) -> Duration {
    let c = Connection::open(before).unwrap();
    c.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;").unwrap();
    c.execute_batch(prelude).unwrap();
    let start = Instant::now();
    let tx = c.unchecked_transaction().unwrap();
    for (t, values) in rows {
        let marks = (1..=values.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(",");
        let mut st = tx.prepare_cached(&format!("INSERT INTO {t} VALUES ({marks})")).unwrap();
        st.execute(rusqlite::params_from_iter(values)).unwrap();
    }
    tx.commit().unwrap();
    start.elapsed()
}
