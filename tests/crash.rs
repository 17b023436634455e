//! Crash safety: the real binary writes (register a case, edit the previous one's 援助方針,
//! record attendance at a meeting — one transaction per step, `ack N` after each commit) and is
//! killed with SIGKILL at random points. After every kill the database must open, pass
//! `PRAGMA integrity_check`, verify its audit chain, and hold every acknowledged change.
//!
//! SHINKO_CRASH_ITERATIONS (default 24) sets the kills per mode; the totals are printed for
//! docs/security.md. Two writers at once must both finish (busy timeout) or be refused with
//! a clear message, with nothing corrupted.
#![allow(clippy::unwrap_used)] // tests may unwrap
#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use shinko::store::Store;

mod trust_support;

use trust_support::{Env, PASS};

impl Env {
    fn writer(&self, prefix: &str, start: u32, count: u32) -> Child {
        self.cmd()
            .env("SHINKO_TEST_WRITES", "1")
            .args(["test-write-loop", "--prefix", prefix, "--start", &start.to_string(), "--count", &count.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }
}

fn iterations() -> u32 {
    std::env::var("SHINKO_CRASH_ITERATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(24)
}

fn number(prefix: &str, i: u32) -> String {
    format!("{prefix}-{i:05}")
}

/// Checks the database after a crash and returns how many steps of `prefix` are committed.
/// `acked` steps (0..acked) must all be there; none past `attempted` may exist.
fn check(store: &Store, prefix: &str, acked: u32, attempted: u32) -> u32 {
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let chain = store.audit_verify().unwrap();
    assert!(chain.is_ok(), "audit chain broken: {chain:?}");
    let mut committed = 0;
    while store.case_by_number(&number(prefix, committed)).unwrap().is_some() {
        committed += 1;
    }
    assert!(committed >= acked, "acknowledged step lost: {committed} committed, {acked} acknowledged");
    assert!(committed <= attempted, "more committed than was ever attempted");
    for i in 1..committed {
        let prev = store.case_by_number(&number(prefix, i - 1)).unwrap().unwrap();
        assert_eq!(prev.support_policy, format!("方針 {i}"), "edit of step {i} lost");
    }
    if committed > 0 {
        let m = store.meetings().unwrap().into_iter().find(|m| m.title == format!("試験会議 {prefix}")).unwrap();
        let a = store.attendance(m.id).unwrap();
        assert_eq!(a[0].person, format!("記録 {}", committed - 1), "meeting record out of step");
    }
    committed
}

type Acks = std::io::Lines<BufReader<std::process::ChildStdout>>;

/// The writer's output; kept open until the writer is dead, so it never dies of SIGPIPE.
fn acks_of(child: &mut Child) -> Acks {
    BufReader::new(child.stdout.take().unwrap()).lines()
}

/// Reads `ack` lines until `target` acks were seen (or the writer ends); returns the count.
/// Target 0 waits until the writer has opened the database and is about to write.
fn read_acks(lines: &mut Acks, target: Option<u32>) -> u32 {
    let mut acks = 0;
    for l in lines.by_ref() {
        let l = l.unwrap();
        if l == "ready" && target == Some(0) {
            return 0;
        }
        if l.starts_with("ack ") {
            acks += 1;
            if Some(acks) == target {
                break;
            }
        }
    }
    acks
}

struct Tally {
    kills: u32,
    finished: u32,
    acked: u32,
}

fn kill_loop(encrypted: bool) -> Tally {
    let env = Env::new(encrypted);
    let mut rng = fastrand::Rng::with_seed(if encrypted { 7 } else { 3 });
    let mut tally = Tally { kills: 0, finished: 0, acked: 0 };
    let mut committed = 0;
    for _ in 0..iterations() {
        let count = 30;
        let mut child = env.writer("K", committed, count);
        let mut lines = acks_of(&mut child);
        // Kill while opening/migrating, before the first step, mid-stream, or near the end.
        let acked = match rng.u32(0..10) {
            0 => {
                std::thread::sleep(Duration::from_micros(rng.u64(0..40_000)));
                0
            }
            _ => read_acks(&mut lines, Some(rng.u32(0..=count))),
        };
        std::thread::sleep(Duration::from_micros(rng.u64(0..3_000)));
        match child.try_wait().unwrap() {
            Some(status) => {
                assert!(status.success(), "writer failed on its own: {status}");
                tally.finished += 1;
            }
            None => {
                child.kill().unwrap();
                tally.kills += 1;
            }
        }
        child.wait().unwrap();
        drop(lines);
        let store = env.open();
        let now = check(&store, "K", committed + acked, committed + count);
        tally.acked += acked;
        committed = now;
    }
    eprintln!(
        "crash ({}): {} kills, {} runs finished, {} acknowledged steps, {} committed, none lost",
        if encrypted { "encrypted" } else { "plaintext" },
        tally.kills,
        tally.finished,
        tally.acked,
        committed
    );
    tally
}

#[test]
fn kill_9_during_writes_loses_nothing_acknowledged() {
    let t = kill_loop(false);
    assert!(t.kills > 0);
}

#[test]
fn kill_9_during_encrypted_writes_loses_nothing_acknowledged() {
    let t = kill_loop(true);
    assert!(t.kills > 0);
}

#[test]
fn kill_9_while_encrypting_leaves_one_whole_database() {
    let env = Env::new(false);
    let mut w = env.writer("E", 0, 5);
    assert_eq!(read_acks(&mut acks_of(&mut w), None), 5);
    assert!(w.wait().unwrap().success());
    // The writer closed cleanly, so the whole database is in the main file: keep a copy, and
    // time one uninterrupted run to spread the kills over all of it.
    let pristine = env.root.join("pristine.db");
    std::fs::copy(&env.db, &pristine).unwrap();
    let timed = env.db.with_file_name("timed.db");
    std::fs::copy(&pristine, &timed).unwrap();
    let started = Instant::now();
    let out = env.cmd_for(&timed).env("SHINKO_PASSPHRASE", PASS).args(["passphrase", "encrypt"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let full = started.elapsed().as_micros() as u64;
    std::fs::remove_file(&timed).unwrap();

    let mut rng = fastrand::Rng::with_seed(11);
    let mut states = (0, 0);
    for _ in 0..(iterations() / 4).max(3) {
        std::fs::copy(&pristine, &env.db).unwrap();
        let mut c = env.cmd();
        c.env("SHINKO_PASSPHRASE", PASS).args(["passphrase", "encrypt"]).stdout(Stdio::null()).stderr(Stdio::null());
        let mut child = c.spawn().unwrap();
        std::thread::sleep(Duration::from_micros(rng.u64(0..full + full / 4)));
        let _ = child.kill();
        child.wait().unwrap();
        let enc = shinko::store::crypto::is_encrypted(&env.db).unwrap();
        let store = Store::open(&env.db, enc.then_some(PASS)).unwrap();
        assert_eq!(check(&store, "E", 5, 5), 5);
        drop(store);
        if enc { states.1 += 1 } else { states.0 += 1 }
    }
    // Leftovers of killed runs are the encrypted copy in progress, never plaintext.
    for e in std::fs::read_dir(env.db.parent().unwrap()).unwrap() {
        let p = e.unwrap().path();
        if p.file_name().unwrap().to_string_lossy().starts_with(".shinko-encrypt-") {
            let head = std::fs::read(&p).unwrap();
            assert!(!head.starts_with(b"SQLite format 3"), "plaintext temporary file {}", p.display());
        }
    }
    // A later run completes.
    if !shinko::store::crypto::is_encrypted(&env.db).unwrap() {
        let out = env.cmd().env("SHINKO_PASSPHRASE", PASS).args(["passphrase", "encrypt"]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let store = Store::open(&env.db, Some(PASS)).unwrap();
    check(&store, "E", 5, 5);
    eprintln!(
        "encrypt killed at random within {} ms: {} times still plaintext, {} times encrypted; whole every time",
        full / 1000,
        states.0,
        states.1
    );
}

#[test]
fn kill_9_while_changing_the_passphrase_leaves_one_whole_database() {
    const NEW: &str = "変更後の合言葉です";
    let env = Env::new(true);
    let mut w = env.writer("P", 0, 5);
    assert_eq!(read_acks(&mut acks_of(&mut w), None), 5);
    assert!(w.wait().unwrap().success());
    let pristine = env.root.join("pristine.db");
    std::fs::copy(&env.db, &pristine).unwrap();
    let started = Instant::now();
    let out = env.cmd().env("SHINKO_NEW_PASSPHRASE", NEW).args(["passphrase", "change"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let full = started.elapsed().as_micros() as u64;

    let mut rng = fastrand::Rng::with_seed(13);
    let mut states = (0, 0);
    for _ in 0..(iterations() / 4).max(3) {
        for p in [&env.db].into_iter().cloned().chain(["-journal", "-wal", "-shm"].map(|s| {
            let mut p = env.db.as_os_str().to_owned();
            p.push(s);
            p.into()
        })) {
            let _ = std::fs::remove_file(p);
        }
        std::fs::copy(&pristine, &env.db).unwrap();
        let mut c = env.cmd();
        c.env("SHINKO_NEW_PASSPHRASE", NEW).args(["passphrase", "change"]).stdout(Stdio::null()).stderr(Stdio::null());
        let mut child = c.spawn().unwrap();
        std::thread::sleep(Duration::from_micros(rng.u64(0..full + full / 4)));
        let _ = child.kill();
        child.wait().unwrap();
        let (store, changed) = match Store::open(&env.db, Some(PASS)) {
            Ok(s) => (s, false),
            Err(_) => (Store::open(&env.db, Some(NEW)).expect("opens with the old or the new passphrase"), true),
        };
        assert_eq!(check(&store, "P", 5, 5), 5);
        if changed { states.1 += 1 } else { states.0 += 1 }
    }
    eprintln!(
        "passphrase change killed at random within {} ms: {} times old key, {} times new key; whole every time",
        full / 1000,
        states.0,
        states.1
    );
}

/// Runs a writer to the end and returns its stderr if it failed.
fn finish(mut child: Child) -> (u32, Result<(), String>) {
    let acks = read_acks(&mut acks_of(&mut child), None);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    (acks, if out.status.success() { Ok(()) } else { Err(err) })
}

fn two_writers(encrypted: bool) {
    let env = Env::new(encrypted);
    // Create the database first so the two do not race to create it.
    let mut w = env.writer("A", 0, 1);
    assert_eq!(read_acks(&mut acks_of(&mut w), None), 1);
    assert!(w.wait().unwrap().success());
    let a = env.writer("A", 1, 60);
    let b = env.writer("B", 0, 60);
    let (ha, hb) = (std::thread::spawn(move || finish(a)), std::thread::spawn(move || finish(b)));
    let ((acks_a, ra), (acks_b, rb)) = (ha.join().unwrap(), hb.join().unwrap());
    for r in [&ra, &rb] {
        if let Err(e) = r {
            assert!(e.contains("別の shinko がこのデータベースを使用中です"), "unclear refusal: {e}");
        }
    }
    let store = env.open();
    check(&store, "A", 1 + acks_a, 61);
    check(&store, "B", acks_b, 60);
    eprintln!("two writers: A {acks_a} + B {acks_b} steps, {ra:?} / {rb:?}");
}

#[test]
fn two_writers_at_once_both_wait_their_turn() {
    two_writers(false);
}

#[test]
fn two_encrypted_writers_at_once_both_wait_their_turn() {
    two_writers(true);
}

fn held_lock(env: &Env) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(&env.db).unwrap();
    if let Some(p) = env.pass {
        c.pragma_update(None, "key", p).unwrap();
    }
    c.execute_batch("BEGIN IMMEDIATE; INSERT INTO settings(key, value) VALUES ('lock', 'held');").unwrap();
    c
}

#[test]
fn a_writer_locked_out_too_long_is_refused_clearly_and_changes_nothing() {
    let env = Env::new(true);
    let mut w = env.writer("L", 0, 2);
    assert_eq!(read_acks(&mut acks_of(&mut w), None), 2);
    assert!(w.wait().unwrap().success());
    let before = env.open().audit_head().unwrap();
    let lock = held_lock(&env);
    let started = Instant::now();
    let out = env
        .cmd()
        .args(["ledger", "add", "--number", "L-99999", "--name", "試験 花子", "--birth", "2019-05-05"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("別の shinko がこのデータベースを使用中です"), "{err}");
    assert!(started.elapsed() >= Duration::from_secs(4), "waits for the busy timeout first");
    lock.execute_batch("ROLLBACK").unwrap();
    drop(lock);
    let store = env.open();
    assert_eq!(store.audit_head().unwrap(), before);
    assert!(store.case_by_number("L-99999").unwrap().is_none());
    check(&store, "L", 2, 2);
}

#[test]
fn held_lock_helper_does_not_leave_a_journal() {
    // Guards the helper above: a rolled-back lock leaves the database as it was.
    let env = Env::new(false);
    drop(env.open());
    let lock = held_lock(&env);
    lock.execute_batch("ROLLBACK").unwrap();
    drop(lock);
    assert_eq!(env.open().setting("lock").unwrap(), None);
    assert!(Path::new(&env.db).exists());
}

/// Where `restore` can be stopped (`SHINKO_RESTORE_FAIL_AT`, debug builds only), in order; from
/// `journaled` on, the next open finishes the restore.
const RESTORE_STEPS: [&str; 6] = ["copied", "prepared", "journaled", "kept", "sidecars", "renamed"];

/// What the target holds after a restore stopped at a step and the next open.
#[derive(Debug, PartialEq)]
enum Outcome {
    Old,
    New,
}

/// Judges the target (and the kept file) after an interrupted restore: it opens, is whole, and
/// holds either the replaced database with every acknowledged step or the backup — with the
/// replaced one then kept whole beside it.
fn judge(env: &Env, acked: u32) -> Result<Outcome, String> {
    let caught = |f: &dyn Fn() -> u32| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|e| {
            e.downcast_ref::<String>().cloned().or(e.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default()
        })
    };
    let store = Store::open(&env.db, env.pass).map_err(|e| format!("target does not open: {e}"))?;
    caught(&|| check(&store, "B", 3, 3))?;
    let k = caught(&|| check(&store, "K", 0, 30))?;
    if k > 0 {
        return if k >= acked { Ok(Outcome::Old) } else { Err(format!("{k} steps of {acked} acknowledged")) };
    }
    drop(store);
    let kept: Vec<_> = std::fs::read_dir(env.db.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.to_string_lossy();
            n.contains(".restore前-") && !n.ends_with("-wal") && !n.ends_with("-shm") && !n.ends_with(".open-lock")
        })
        .collect();
    let [kept] = kept.as_slice() else { return Err(format!("kept files: {kept:?}")) };
    let old = Store::open(kept, env.pass).map_err(|e| format!("kept file does not open: {e}"))?;
    caught(&|| check(&old, "K", acked, 30))?;
    Ok(Outcome::New)
}

/// A database whose WAL holds committed steps of a writer killed mid-stream (a restore must
/// never separate them from their database), and a backup taken before them. Returns the
/// backup and the number of acknowledged steps.
fn restore_setup(env: &Env) -> (std::path::PathBuf, u32) {
    let mut w = env.writer("B", 0, 3);
    assert_eq!(read_acks(&mut acks_of(&mut w), None), 3);
    assert!(w.wait().unwrap().success());
    let bk = env.root.join("b.db");
    env.ok(&["backup", "--out", bk.to_str().unwrap()]);
    let mut w = env.writer("K", 0, 30);
    let mut lines = acks_of(&mut w);
    let acked = read_acks(&mut lines, Some(10));
    w.kill().unwrap();
    w.wait().unwrap();
    drop(lines);
    let wal = trust_support::sidecar(&env.db, "-wal");
    assert!(std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0), "the killed writer leaves a WAL");
    (bk, acked)
}

/// After an interrupted restore, a later one goes through and leaves no `.restore-*` file.
fn restore_again_cleanly(env: &Env, bk: &Path) -> Result<(), Vec<String>> {
    env.ok(&["restore", "--from", bk.to_str().unwrap(), "--force"]);
    let names: Vec<_> = std::fs::read_dir(env.db.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".restore-"))
        .collect();
    if names.is_empty() { Ok(()) } else { Err(names) }
}

fn kill_restore_at_each_step(encrypted: bool) -> (u32, u32) {
    let (mut runs, mut bad) = (0, 0);
    for (n, step) in RESTORE_STEPS.iter().enumerate() {
        let env = Env::new(encrypted);
        let (bk, acked) = restore_setup(&env);
        let out = env
            .cmd()
            .env("SHINKO_RESTORE_FAIL_AT", step)
            .args(["restore", "--from", bk.to_str().unwrap(), "--force"])
            .output()
            .unwrap();
        assert!(!out.status.success(), "stopped at {step}: {}", String::from_utf8_lossy(&out.stderr));
        runs += 1;
        let expected = if n < 2 { Outcome::Old } else { Outcome::New };
        match judge(&env, acked) {
            Ok(o) if o == expected => {}
            other => {
                bad += 1;
                eprintln!("restore stopped at {step}: {other:?}, expected {expected:?}");
            }
        }
        if let Err(left) = restore_again_cleanly(&env, &bk) {
            bad += 1;
            eprintln!("left after a restore that followed a crash at {step}: {left:?}");
        }
    }
    eprintln!(
        "restore ({}) stopped at each of {} steps: {runs} runs, {bad} bad outcomes",
        if encrypted { "encrypted" } else { "plaintext" },
        RESTORE_STEPS.len()
    );
    (runs, bad)
}

/// `restore` killed with SIGKILL at a random moment within one uninterrupted run's duration.
fn kill_restore_at_random(encrypted: bool) -> [u32; 3] {
    let mut rng = fastrand::Rng::with_seed(if encrypted { 19 } else { 17 });
    let mut tally = [0; 3]; // old, new, bad
    let mut full = None;
    for _ in 0..(iterations() / 4).max(4) {
        let env = Env::new(encrypted);
        let (bk, acked) = restore_setup(&env);
        let mut c = env.cmd();
        c.args(["restore", "--from", bk.to_str().unwrap(), "--force"]).stdout(Stdio::null()).stderr(Stdio::null());
        let started = Instant::now();
        let mut child = c.spawn().unwrap();
        match full {
            None => {
                assert!(child.wait().unwrap().success());
                full = Some(started.elapsed().as_micros() as u64);
            }
            Some(f) => {
                std::thread::sleep(Duration::from_micros(rng.u64(0..f + f / 4)));
                let _ = child.kill();
                child.wait().unwrap();
            }
        }
        match judge(&env, acked) {
            Ok(Outcome::Old) => tally[0] += 1,
            Ok(Outcome::New) => tally[1] += 1,
            Err(e) => {
                tally[2] += 1;
                eprintln!("restore killed at random: {e}");
            }
        }
        if let Err(left) = restore_again_cleanly(&env, &bk) {
            tally[2] += 1;
            eprintln!("left after a killed restore: {left:?}");
        }
    }
    eprintln!(
        "restore ({}) killed at random within {} ms: {} old, {} new, {} bad outcomes",
        if encrypted { "encrypted" } else { "plaintext" },
        full.unwrap_or(0) / 1000,
        tally[0],
        tally[1],
        tally[2]
    );
    tally
}

#[test]
fn restore_killed_at_random_leaves_the_old_or_the_new_database_whole() {
    for encrypted in [false, true] {
        assert_eq!(kill_restore_at_random(encrypted)[2], 0);
    }
}

#[test]
fn restore_stopped_at_any_step_leaves_the_old_or_the_new_database_whole() {
    for encrypted in [false, true] {
        let (runs, bad) = kill_restore_at_each_step(encrypted);
        assert_eq!(runs, RESTORE_STEPS.len() as u32);
        assert_eq!(bad, 0);
    }
}
