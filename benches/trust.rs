//! The cost of trust (issue 7): opening with the key derivation, verifying the whole audit
//! chain, one audited edit (commit + fsync) with and without encryption, an online backup, and
//! the text checks on every case save. Databases are generated once under target/bench-data.
//!
//! Run: cargo bench --bench trust
#![allow(clippy::unwrap_used)] // a benchmark may stop at its first failure

mod common;

use std::path::PathBuf;

use std::sync::OnceLock;

use shinko::store::Store;

const CASES: usize = 20_000;
const PASS: &str = "ベンチマーク用の合言葉";

/// The plaintext and the encrypted copy of the same demo municipality.
fn db(encrypted: bool) -> &'static PathBuf {
    static DBS: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    let (plain, enc) = DBS.get_or_init(|| {
        let plain = common::cached_demo("trust", CASES);
        let enc = common::cached_encrypted(&plain, PASS);
        (plain, enc)
    });
    if encrypted { enc } else { plain }
}

fn open(encrypted: bool) -> Store {
    Store::open(db(encrypted), encrypted.then_some(PASS)).unwrap()
}

fn main() {
    let s = open(false);
    eprintln!("{CASES} cases, {} audit entries", s.audit_head().unwrap().count);
    db(true);
    divan::main();
}

/// Opening: with encryption this includes PBKDF2-HMAC-SHA512 with 256,000 iterations.
#[divan::bench(args = [false, true], sample_count = 10)]
fn open_database(encrypted: bool) -> usize {
    open(encrypted).case_count(true).unwrap() as usize
}

/// `shinko audit verify`: every entry re-hashed, plus the head.
#[divan::bench(args = [false, true], sample_count = 10)]
fn audit_verify_all(bencher: divan::Bencher, encrypted: bool) {
    let s = open(encrypted);
    bencher.bench_local(|| s.audit_verify().unwrap().unwrap());
}

/// One edit as the ledger makes it: validate, write, audit, commit with fsync (WAL, FULL).
#[divan::bench(args = [false, true], sample_count = 30)]
fn audited_edit(bencher: divan::Bencher, encrypted: bool) {
    let work = tempfile::tempdir_in(common::dir()).unwrap();
    let path = work.path().join("edit.db");
    std::fs::copy(db(encrypted), &path).unwrap();
    let mut s = Store::open(&path, encrypted.then_some(PASS)).unwrap();
    let mut c = s.cases(false).unwrap().into_iter().next().unwrap();
    let mut i = 0u64;
    bencher.bench_local(|| {
        i += 1;
        c.support_policy = format!("見守り {i}");
        let id = s.write(|t| t.save_case(&c)).unwrap();
        // The next save is based on this one (a save from an older read is refused).
        c.version += 1;
        id
    });
}

/// `shinko backup`: a consistent copy of the whole database (VACUUM INTO).
#[divan::bench(args = [false, true], sample_count = 5)]
fn backup(bencher: divan::Bencher, encrypted: bool) {
    let s = open(encrypted);
    let work = tempfile::tempdir_in(common::dir()).unwrap();
    let mut n = 0;
    bencher.bench_local(|| {
        n += 1;
        let out = work.path().join(format!("b{n}.db"));
        s.backup_into(&out).unwrap();
    });
}

/// The text checks (controls, direction marks, length) on a whole case, as every save runs them.
#[divan::bench]
fn validate_case(bencher: divan::Bencher) {
    let c = open(false).cases(false).unwrap().into_iter().next().unwrap();
    bencher.bench_local(|| c.validate().is_ok());
}
