//! Two processes on one database, through the real binary: while one shinko runs a meeting,
//! another cannot change that meeting's agenda or records; a case form opened before another
//! window's edit cannot revert it; closing a meeting does not revert an edit made meanwhile.
//!
//! The TUI journeys need tmux; set SHINKO_SKIP_TMUX=1 to skip them where it cannot be
//! installed (the tests without a terminal still run).
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::path::Path;

use common::tmux::{Tmux, tmux_or_skip};
use common::{shinko, shinko_ok, tui_script};
use shinko::domain::{AgendaItem, Id, Track};
use shinko::store::Store;

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

/// The demo in `dir`, with its next meeting and that meeting's agenda (case numbers by track).
fn demo(dir: &Path) -> (std::path::PathBuf, Id, Vec<(AgendaItem, String)>) {
    let db = dir.join("demo.db");
    shinko_ok(dir, &db, &["demo", "--no-tui"]);
    let s = Store::open(&db, None).unwrap();
    let m = s.meeting_to_run(today()).unwrap().expect("the demo plans a next meeting");
    let agenda = s
        .agenda(m)
        .unwrap()
        .into_iter()
        .map(|i| {
            let n = s.case(i.case_id).unwrap().number;
            (i, n)
        })
        .collect();
    (db, m, agenda)
}

/// The command must fail; its standard error.
fn refused(dir: &Path, db: &Path, args: &[&str]) -> String {
    let out = shinko(dir, db, args);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "{args:?} must be refused; it printed {}", String::from_utf8_lossy(&out.stdout));
    err
}

/// The meeting runs in the TUI (it holds the lease and its lock); the CLI in another process
/// can neither rebuild nor edit its agenda nor record in it, and says who runs it. Once the
/// TUI is closed, the CLI records.
#[test]
fn cli_writers_are_refused_while_the_tui_runs_the_meeting() {
    if !tmux_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (db, m, agenda) = demo(dir.path());
    let meeting = m.to_string();
    let quick = agenda.iter().find(|(i, _)| i.track == Track::Quick).map(|(_, n)| n.clone()).unwrap();

    let t = Tmux { socket: format!("shinko-live-{}", std::process::id()) };
    let out = t.cmd(&["new-session", "-d", "-s", "j", "-x", "160", "-y", "40", &tui_script(dir.path(), &db)]);
    assert!(out.status.success(), "tmux new-session: {}", String::from_utf8_lossy(&out.stderr));
    t.wait_text("進行管理台帳");
    t.keys(&["M-3"]);
    t.wait_text("Enter で会議を開始します");
    t.keys(&["Enter"]);
    t.wait_text("まず出欠を記録してください");
    let before = Store::open(&db, None).unwrap().agenda(m).unwrap();

    // Rebuilding a running meeting's agenda is refused whoever asks.
    let err = refused(dir.path(), &db, &["agenda", "build", "--meeting", &meeting]);
    assert!(err.contains("進行中のため議事次第を作り直せません"), "{err}");
    // Hand edits and records are refused, naming the computer that runs the meeting.
    for args in [
        vec!["agenda", "move", "--meeting", &meeting, "--case", &quick, "--track", "deep"],
        vec!["record", "accept", "--meeting", &meeting, "--case", &quick],
        vec!["record", "close", "--meeting", &meeting],
    ] {
        let err = refused(dir.path(), &db, &args);
        assert!(
            err.contains("別の shinko（PID") && err.contains("で進行中のため、議事次第と記録は変更できません"),
            "{err}"
        );
        assert!(err.contains(&format!("コンピューター名 {}", shinko::store::meeting_live::this_host())), "{err}");
    }
    let s = Store::open(&db, None).unwrap();
    assert_eq!(s.agenda(m).unwrap(), before, "nothing changed");
    assert_eq!(s.meeting(m).unwrap().status, shinko::domain::MeetingStatus::InProgress);
    drop(s);

    // The TUI is closed (a running meeting asks first): its lease goes with it and the CLI records.
    t.keys(&["q"]);
    t.wait_text("会議の進行中です。もう一度押すと終了します");
    t.keys(&["q"]);
    t.wait_text("SHINKO_EXIT=0");
    let out = shinko_ok(dir.path(), &db, &["record", "accept", "--meeting", &meeting, "--case", &quick]);
    assert!(out.contains("事務局案どおり承認しました"), "{out}");
}

/// Without a terminal: this test's process holds the meeting (as a running screen does, with
/// the lease lock), and the binary in another process is refused with a non-zero exit.
#[test]
fn agenda_commands_are_refused_while_another_process_holds_the_meeting() {
    let dir = tempfile::tempdir().unwrap();
    let (db, m, agenda) = demo(dir.path());
    let meeting = m.to_string();
    let quick = agenda.iter().find(|(i, _)| i.track == Track::Quick).map(|(_, n)| n.clone()).unwrap();
    shinko_ok(dir.path(), &db, &["record", "start", "--meeting", &meeting]);
    let mut screen = Store::open(&db, None).unwrap();
    let me = std::process::id();
    screen.acquire_lease(m, me).unwrap();

    let err = refused(dir.path(), &db, &["agenda", "move", "--meeting", &meeting, "--case", &quick, "--track", "deep"]);
    assert!(err.contains(&format!("別の shinko（PID {me}）で進行中のため、議事次第と記録は変更できません")), "{err}");
    let err = refused(dir.path(), &db, &["agenda", "lock", "--meeting", &meeting, "--case", &quick]);
    assert!(err.contains(&format!("別の shinko（PID {me}）で進行中")), "{err}");
    let err = refused(dir.path(), &db, &["agenda", "build", "--meeting", &meeting]);
    assert!(err.contains("進行中のため議事次第を作り直せません"), "{err}");
    // The holder itself records.
    let item = agenda.iter().find(|(_, n)| *n == quick).unwrap().0.id;
    screen.accept_item(&shinko::domain::Config::default(), item, None).unwrap();
    screen.release_lease(m, me).unwrap();
    drop(screen);
    shinko_ok(dir.path(), &db, &["agenda", "move", "--meeting", &meeting, "--case", &quick, "--track", "deep"]);
}

/// The scenario: a TUI edit form opened before a CLI `ledger edit --rank --policy` is
/// submitted; the save is refused on screen, and the CLI's values stay.
#[test]
fn a_form_opened_before_another_edit_cannot_revert_it() {
    if !tmux_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    shinko_ok(dir.path(), &db, &["demo", "--no-tui"]);
    let number = {
        let s = Store::open(&db, None).unwrap();
        s.cases(false).unwrap().into_iter().find(|c| c.rank != "A").unwrap().number
    };
    let t = Tmux { socket: format!("shinko-stale-{}", std::process::id()) };
    let out = t.cmd(&["new-session", "-d", "-s", "j", "-x", "200", "-y", "40", &tui_script(dir.path(), &db)]);
    assert!(out.status.success(), "tmux new-session: {}", String::from_utf8_lossy(&out.stderr));
    t.wait_text("進行管理台帳");
    t.keys(&["/"]);
    t.type_text(&number);
    t.wait_text(&format!("検索: {number}"));
    t.keys(&["Enter"]);
    t.keys(&["Enter"]);
    t.wait_text(&format!("ケース {number}"));
    t.keys(&["F4"]);
    t.wait_text("の編集");

    // Meanwhile, from the CLI.
    shinko_ok(
        dir.path(),
        &db,
        &["ledger", "edit", "--number", &number, "--rank", "A", "--policy", "一時保護を検討する"],
    );

    // The form, opened before, adds a line to 援助方針 and saves.
    t.keys(&["BTab", "C-e", "Enter"]);
    t.type_text("学校と連携して見守る");
    t.wait_text("学校と連携して見守る");
    t.keys(&["F10"]);
    let s = t.wait_text("ほかの画面かコマンドで変更されました");
    assert!(!s.contains(&format!("ケース {number} を更新しました")), "{s}");
    assert!(s.contains("の編集"), "the form stays open with what was typed: {s}");

    let shown: serde_json::Value =
        serde_json::from_str(&shinko_ok(dir.path(), &db, &["ledger", "show", &number, "--format", "json"])).unwrap();
    assert_eq!(shown["case"]["rank"], "A", "{shown}");
    assert_eq!(shown["case"]["support_policy"], "一時保護を検討する", "{shown}");
}

/// Closing from the CLI after the ledger changed a decided rank meanwhile: the ledger's rank
/// stays, and the close names the case and the field.
#[test]
fn closing_reports_a_rank_changed_meanwhile_instead_of_reverting_it() {
    let dir = tempfile::tempdir().unwrap();
    let (db, m, agenda) = demo(dir.path());
    let meeting = m.to_string();
    let deep = {
        let s = Store::open(&db, None).unwrap();
        agenda
            .iter()
            .filter(|(i, _)| i.track == Track::Deep)
            .find(|(i, _)| {
                let c = s.case(i.case_id).unwrap();
                c.registration != shinko::domain::Registration::ExpectantMother && c.rank != "A" && c.rank != "C"
            })
            .map(|(_, n)| n.clone())
            .expect("a deep item ranked B")
    };
    shinko_ok(dir.path(), &db, &["record", "start", "--meeting", &meeting]);
    shinko_ok(
        dir.path(),
        &db,
        &[
            "record",
            "decide",
            "--meeting",
            &meeting,
            "--case",
            &deep,
            "--summary",
            "登校が安定してきた",
            "--rank",
            "A",
            "--kind",
            "継続",
            "--policy",
            "週1回の家庭訪問を続ける",
        ],
    );
    // Another window changes the rank while the meeting runs.
    shinko_ok(dir.path(), &db, &["ledger", "edit", "--number", &deep, "--rank", "C"]);
    let out = shinko_ok(dir.path(), &db, &["record", "close", "--meeting", &meeting]);
    assert!(out.contains(&format!("ケース {deep}: ランクは会議中に台帳で変更されていたため")), "{out}");
    let shown: serde_json::Value =
        serde_json::from_str(&shinko_ok(dir.path(), &db, &["ledger", "show", &deep, "--format", "json"])).unwrap();
    assert_eq!(shown["case"]["rank"], "C", "not reverted: {shown}");
    assert_eq!(shown["case"]["support_policy"], "週1回の家庭訪問を続ける", "the rest applied: {shown}");
}

/// Another writer's commit shows without a key: the ledger reads a CLI edit again, and a window
/// that watches another one run the meeting follows it (閲覧のみ, 済 counts, the close).
#[test]
fn windows_follow_what_others_write_without_a_key() {
    if !tmux_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (db, _m, _agenda) = demo(dir.path());
    let number = {
        let s = Store::open(&db, None).unwrap();
        s.cases(false).unwrap().into_iter().find(|c| c.rank != "A").unwrap().number
    };
    let runner = Tmux { socket: format!("shinko-run-{}", std::process::id()) };
    let watcher = Tmux { socket: format!("shinko-watch-{}", std::process::id()) };
    for t in [&runner, &watcher] {
        let out = t.cmd(&["new-session", "-d", "-s", "j", "-x", "200", "-y", "40", &tui_script(dir.path(), &db)]);
        assert!(out.status.success(), "tmux new-session: {}", String::from_utf8_lossy(&out.stderr));
        t.wait_text("進行管理台帳");
    }

    // The watcher shows one case; the CLI changes it; the detail follows.
    watcher.keys(&["/"]);
    watcher.type_text(&number);
    watcher.wait_text(&format!("検索: {number}"));
    watcher.keys(&["Enter"]);
    shinko_ok(dir.path(), &db, &["ledger", "edit", "--number", &number, "--policy", "週1回の家庭訪問に増やす"]);
    watcher.wait_text("週1回の家庭訪問に増やす");

    // The runner starts the meeting; the watcher opens it read-only and follows the runner.
    runner.keys(&["M-3"]);
    runner.wait_text("Enter で会議を開始します");
    runner.keys(&["Enter"]);
    runner.wait_text("まず出欠を記録してください");
    watcher.keys(&["M-3"]);
    let s = watcher.wait_text("閲覧のみ");
    assert!(s.contains("済 0/"), "{s}");
    runner.keys(&["Tab", "Tab"]);
    runner.wait_text("ケース協議");
    runner.keys(&["Enter"]);
    runner.wait_text("済 1/");
    watcher.wait_text("済 1/");
    runner.keys(&["F12"]);
    runner.wait_text("もう一度 F12 で確定");
    runner.keys(&["F12"]);
    runner.wait_text("会議を終了しました");
    let s = watcher.wait_for("the watcher sees the close", |s| !s.contains("閲覧のみ"));
    assert!(s.contains("済 1/"), "{s}");
    for t in [&runner, &watcher] {
        t.keys(&["q"]);
        t.wait_text("SHINKO_EXIT=0");
    }
}
