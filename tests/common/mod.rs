//! Shared by the integration tests: questions to institutions on the demo's agenda, and the
//! tmux driver for the journeys.

#![allow(dead_code)]

pub mod tmux;

use std::path::Path;
use std::process::{Command, Output};

use shinko::domain::meeting::Question;
use shinko::domain::{AgendaItem, Id};
use shinko::store::Store;

/// Adds a question to the 所属 of every fourth case on `meeting`'s agenda (the demo builds
/// the agenda; the questions are the secretariat's own) and returns the agenda.
pub fn ask_institutions(store: &mut Store, meeting: Id) -> Vec<AgendaItem> {
    let items = store.agenda(meeting).unwrap();
    assert!(!items.is_empty(), "the demo builds the next meeting's agenda");
    let mut asks = Vec::new();
    for (n, i) in items.iter().enumerate().filter(|(n, _)| n % 4 == 0) {
        let c = store.case(i.case_id).unwrap();
        if let Some(a) = c.affiliation {
            asks.push((i.id, Question { agency_id: a, text: format!("最近の登校・登園の様子（{n}）") }));
        }
    }
    store.write(|t| asks.iter().try_for_each(|(id, q)| t.add_question(*id, q))).unwrap();
    store.agenda(meeting).unwrap()
}

pub const BIN: &str = env!("CARGO_BIN_EXE_shinko");

/// Runs the real binary on `db` with its data and config folders inside `dir`, on the day
/// the demo is made for.
/// The shell line that runs the TUI in a tmux pane on `db` (the demo's day, data and config in
/// `dir`), then reports how it ended (`SHINKO_EXIT=`) and keeps the pane open.
pub fn tui_script(dir: &Path, db: &Path) -> String {
    format!(
        "env SHINKO_TODAY=2026-11-24 XDG_DATA_HOME='{d}' XDG_CONFIG_HOME='{d}' '{bin}' --db '{db}'; \
         echo SHINKO_EXIT=$?; sleep 600",
        d = dir.display(),
        bin = BIN,
        db = db.display(),
    )
}

pub fn shinko(dir: &Path, db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .env("SHINKO_TODAY", "2026-11-24")
        .env("XDG_DATA_HOME", dir)
        .env("XDG_CONFIG_HOME", dir)
        .output()
        .expect("shinko runs")
}

/// [`shinko`] that must succeed; its standard output.
pub fn shinko_ok(dir: &Path, db: &Path, args: &[&str]) -> String {
    let out = shinko(dir, db, args);
    assert!(out.status.success(), "shinko {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A fresh folder holding the demo database; data and config folders are inside it too.
pub struct Demo {
    pub dir: tempfile::TempDir,
}

impl Demo {
    pub fn new() -> Demo {
        let demo = Demo { dir: tempfile::tempdir().unwrap() };
        demo.ok(&["demo", "--no-tui"]);
        demo
    }

    pub fn db(&self) -> std::path::PathBuf {
        self.path("demo.db")
    }

    pub fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }

    /// [`shinko`] on the demo.
    pub fn run(&self, args: &[&str]) -> Output {
        shinko(self.dir.path(), &self.db(), args)
    }

    /// [`shinko_ok`] on the demo.
    pub fn ok(&self, args: &[&str]) -> String {
        shinko_ok(self.dir.path(), &self.db(), args)
    }
}
