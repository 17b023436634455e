//! Shared helpers of the intake tests: the real binary in an isolated home, fixture paths.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/intake").join(name)
}

/// `shinko --db DB …` with a fixed today and config/data folders inside `home`.
pub fn shinko(home: &Path, db: &Path) -> Command {
    let mut c = Command::cargo_bin("shinko").unwrap();
    c.arg("--db")
        .arg(db)
        .env("SHINKO_TODAY", "2026-11-24")
        .env("XDG_DATA_HOME", home)
        .env("XDG_CONFIG_HOME", home)
        .env("HOME", home)
        .env_remove("SHINKO_DB")
        .env_remove("SHINKO_CONFIG");
    c
}

pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A fresh empty database in `home`.
pub fn empty_db(home: &Path) -> PathBuf {
    let db = home.join("shinko.db");
    shinko(home, &db).arg("init").assert().success();
    db
}

/// Number of cases (open and closed) as `ledger list --all` counts them.
pub fn case_count(home: &Path, db: &Path) -> usize {
    let o = shinko(home, db).args(["ledger", "list", "--all", "--format", "json"]).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_slice::<Vec<serde_json::Value>>(&o.stdout).unwrap().len()
}
