//! Shared by tests/crash.rs, tests/hostile.rs and tests/trust_cli.rs: a throw-away folder with a
//! database, and the real binary run against it with logs and config kept inside the folder.

#![allow(dead_code)] // each test file uses a different part

use std::path::PathBuf;
use std::process::{Command, Output};

use shinko::store::Store;

pub const PASS: &str = "試験用の合言葉です";

pub struct Env {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
    pub db: PathBuf,
    pub pass: Option<&'static str>,
}

impl Env {
    /// A folder with `data/shinko.db` (created by `shinko init`, encrypted if asked).
    pub fn new(encrypted: bool) -> Env {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let db = root.join("data").join("shinko.db");
        std::fs::create_dir_all(root.join("tmp")).unwrap();
        let env = Env { _dir: dir, root, db, pass: encrypted.then_some(PASS) };
        let out = env.run(&["init"].into_iter().chain(encrypted.then_some("--encrypt")).collect::<Vec<_>>());
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        env
    }

    /// The binary with `--db`, a fixed today, and logs/config/temp files inside the folder.
    pub fn cmd(&self) -> Command {
        self.cmd_for(&self.db)
    }

    /// As [`Env::cmd`], for another database path.
    pub fn cmd_for(&self, db: &std::path::Path) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_shinko"));
        c.arg("--db").arg(db).args(["--today", "2026-11-24"]);
        c.env("XDG_DATA_HOME", self.root.join("xdg-data"))
            .env("XDG_CONFIG_HOME", self.root.join("xdg-config"))
            .env("HOME", &self.root)
            .env("TMPDIR", self.root.join("tmp"))
            // As users run it: an error report without a resolved backtrace (which alone costs
            // ~160 MiB in a debug build when the developer's RUST_BACKTRACE is set).
            .env("RUST_LIB_BACKTRACE", "0")
            .env_remove("SHINKO_DB")
            .env_remove("SHINKO_CONFIG")
            .env_remove("SHINKO_PASSPHRASE")
            .env_remove("SHINKO_NEW_PASSPHRASE");
        if let Some(p) = self.pass {
            c.env("SHINKO_PASSPHRASE", p);
        }
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    /// Runs and expects success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs and expects failure; returns stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(!out.status.success(), "{args:?} should fail");
        String::from_utf8(out.stderr).unwrap()
    }

    pub fn open(&self) -> Store {
        Store::open(&self.db, self.pass).unwrap_or_else(|e| panic!("database does not open: {e}"))
    }

    /// Every byte of every file under the folder, to look for text that must not be there.
    pub fn files_containing(&self, needle: &str) -> Vec<PathBuf> {
        fn walk(dir: &std::path::Path, needle: &[u8], out: &mut Vec<PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(&p, needle, out);
                } else if std::fs::read(&p).unwrap().windows(needle.len()).any(|w| w == needle) {
                    out.push(p);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.root, needle.as_bytes(), &mut out);
        out
    }

    /// A fingerprint of the database file and its WAL, to prove a command changed nothing.
    pub fn fingerprint(&self) -> (i64, String, i64) {
        let s = self.open();
        let h = s.audit_head().unwrap();
        (h.count, h.last_hash, s.case_count(true).unwrap())
    }
}

/// The file SQLite keeps beside `db` with `suffix` (`-wal`, `-shm`).
pub fn sidecar(db: &std::path::Path, suffix: &str) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}
