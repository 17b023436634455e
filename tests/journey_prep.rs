//! The preparation screen on the REAL binary in a real terminal (tmux): open the demo's
//! ledger, go to 会議準備 with F9, move a quick item to 重点協議, lock it, rebuild the agenda,
//! quit, open again and find it still there, locked.
//!
//! tmux is required; set SHINKO_SKIP_TMUX=1 to skip where it cannot be installed.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use common::tmux::{Tmux, tmux_or_skip};
use shinko::domain::{MeetingStatus, Track};
use shinko::store::Store;

const BIN: &str = env!("CARGO_BIN_EXE_shinko");

/// The case number in the first row of the list whose title starts with `title`.
fn first_row_number(screen: &str, title: &str) -> Option<String> {
    let mut lines = screen.lines();
    let head = lines.by_ref().position(|l| l.contains(&format!("┌ {title}")))?;
    let col = screen.lines().nth(head)?.split('┌').position(|p| p.starts_with(&format!(" {title}")))?;
    let row = screen.lines().nth(head + 1)?;
    let cell = row.split("││").nth(col - 1).unwrap_or(row);
    cell.split_whitespace().find(|w| w.starts_with('R') && w.contains('-')).map(str::to_string)
}

#[test]
fn prep_journey_in_a_real_terminal() {
    if !tmux_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let env = |c: &mut std::process::Command| {
        c.env("SHINKO_TODAY", "2026-11-24").env("XDG_DATA_HOME", dir.path()).env("XDG_CONFIG_HOME", dir.path());
    };
    let mut demo = std::process::Command::new(BIN);
    demo.arg("--db").arg(&db).args(["demo", "--no-tui"]);
    env(&mut demo);
    assert!(demo.output().unwrap().status.success());
    // The demo builds the next meeting's agenda.
    let meeting = {
        let store = Store::open(&db, None).unwrap();
        store.meetings().unwrap().into_iter().find(|m| m.status == MeetingStatus::Planned).unwrap().id
    };

    let t = Tmux { socket: format!("shinko-prep-{}", std::process::id()) };
    // The app runs twice in a row: the second run shows what the first one saved.
    let run = format!(
        "env SHINKO_TODAY=2026-11-24 XDG_DATA_HOME='{d}' XDG_CONFIG_HOME='{d}' '{bin}' --db '{db}'",
        d = dir.path().display(),
        bin = BIN,
        db = db.display()
    );
    let script = format!("{run}; echo FIRST_EXIT=$?; {run}; echo SECOND_EXIT=$?; sleep 600");
    let out = t.cmd(&["new-session", "-d", "-s", "j", "-x", "120", "-y", "35", &script]);
    assert!(out.status.success(), "tmux new-session: {}", String::from_utf8_lossy(&out.stderr));

    t.wait_text("進行管理台帳");
    t.keys(&["F9"]);
    // Polled until the whole frame is there: a capture can land while a frame is half written.
    let s = t.wait_for("the preparation screen", |s| {
        s.contains("┌ 一括確認") && s.contains("┌ 重点協議") && s.contains("終了見込") && s.contains("[事務局案]")
    });
    let number = first_row_number(&s, "一括確認").unwrap_or_else(|| panic!("a quick item:\n{s}"));

    t.keys(&["t"]);
    t.wait_text(&format!("ケース {number} を重点協議へ移しました"));
    t.keys(&["Space"]);
    let s = t.wait_text(&format!("ケース {number} を固定しました"));
    assert!(s.contains("固定中"), "the detail says so:\n{s}");
    // Rebuilding (F8 twice) leaves the locked item where it is.
    t.keys(&["F8"]);
    t.wait_text("もう一度押すと");
    t.keys(&["F8"]);
    t.wait_text("議事次第を作り直しました");
    t.keys(&["q"]);

    // The second run: Alt+2 straight to the preparation screen.
    t.wait_for("the second run's ledger", |s| s.contains("進行管理台帳") && !s.contains("FIRST_EXIT"));
    t.keys(&["M-2"]);
    let s = t.wait_for("the moved item in 重点協議", |s| {
        s.lines().any(|l| l.split("││").nth(1).is_some_and(|deep| deep.contains(&number) && deep.contains('固')))
    });
    assert!(s.contains("┌ 重点協議"), "{s}");
    t.keys(&["q"]);
    let s = t.wait_text("SECOND_EXIT=0");
    assert!(s.contains("FIRST_EXIT=0"), "{s}");

    let store = Store::open(&db, None).unwrap();
    let case = store.case_by_number(&number).unwrap().unwrap();
    let item = store.agenda(meeting).unwrap().into_iter().find(|i| i.case_id == case.id).unwrap();
    assert_eq!((item.track, item.locked), (Track::Deep, true));
}
