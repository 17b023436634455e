//! A contact recorded from the ledger on the REAL binary in a real terminal (tmux): open the
//! contact form in one key, choose 目視確認, type a Japanese note, save, find it in the case
//! detail, and read it back with the CLI.
//!
//! tmux is required; set SHINKO_SKIP_TMUX=1 to skip where it cannot be installed.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use common::tmux::{Tmux, tmux_or_skip};
use common::{shinko_ok as shinko, tui_script};

#[test]
fn a_contact_with_a_japanese_note_is_recorded_from_the_ledger() {
    if !tmux_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    shinko(dir.path(), &db, &["demo", "--no-tui"]);
    let t = Tmux { socket: format!("shinko-contacts-{}", std::process::id()) };
    let out = t.cmd(&["new-session", "-d", "-s", "j", "-x", "120", "-y", "35", &tui_script(dir.path(), &db)]);
    assert!(out.status.success(), "tmux new-session: {}", String::from_utf8_lossy(&out.stderr));
    let s = t.wait_for("the ledger", |s| s.contains("進行管理台帳") && s.contains("F8 経過記録"));
    let number = s
        .lines()
        .find_map(|l| l.strip_prefix("│R").map(|r| format!("R{}", r.split_whitespace().next().unwrap_or(""))))
        .expect("a case row");

    // c opens the form on the selected case; 目視確認 → はい, then the note in Japanese.
    t.keys(&["c"]);
    t.wait_text(&format!("ケース {number} の経過記録"));
    t.keys(&["Tab", "Tab", "Tab", "Right", "Tab"]);
    t.wait_text("はい（子どもを目視で確認した）");
    t.type_text("母子と面談。表情は明るい");
    t.wait_text("母子と面談。表情は明るい");
    t.keys(&["F10"]);
    t.wait_text(&format!("ケース {number} に経過記録を追加しました（R8.11.24 家庭訪問、目視確認あり）"));

    // The case detail lists it, and the last sighting is today's.
    t.keys(&["Enter"]);
    let s = t.wait_text("R8.11.24 家庭訪問");
    assert!(s.contains("最終目視確認 R8.11.24（家庭訪問）から0日"), "{s}");
    t.keys(&["Escape"]);
    t.keys(&["q"]);
    t.wait_text("SHINKO_EXIT=0");

    let listed = shinko(dir.path(), &db, &["contacts", "list", "--case", &number, "--format", "json"]);
    assert!(listed.contains("\"note\": \"母子と面談。表情は明るい\""), "{listed}");
    assert!(listed.contains("\"seen\": true"), "{listed}");
}
