//! A user's journey through the ledger screen on the REAL binary in a real terminal (tmux):
//! open the demo, search in kana, open a case, register and edit with Japanese text, quit,
//! and find the terminal restored and the data saved.
//!
//! tmux is required; set SHINKO_SKIP_TMUX=1 to skip where it cannot be installed.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use common::tmux::{Tmux, tmux_or_skip};
use common::{BIN, shinko_ok as shinko};

/// Table rows on the screen: lines of the bordered table that start with a case number.
fn table_rows(screen: &str) -> Vec<&str> {
    screen.lines().filter(|l| l.starts_with("│R")).collect()
}

#[test]
fn ledger_journey_in_a_real_terminal() {
    if !tmux_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let stty = dir.path().join("stty.txt");
    let t = Tmux { socket: format!("shinko-journey-{}", std::process::id()) };
    // After the app exits, the shell records the exit code and the terminal modes.
    let script = format!(
        "env SHINKO_TODAY=2026-11-24 XDG_DATA_HOME='{d}' XDG_CONFIG_HOME='{d}' '{bin}' demo --db '{db}'; \
         code=$?; stty -a > '{stty}'; echo SHINKO_EXIT=$code; sleep 600",
        d = dir.path().display(),
        bin = BIN,
        db = db.display(),
        stty = stty.display(),
    );
    let out = t.cmd(&["new-session", "-d", "-s", "j", "-x", "120", "-y", "35", &script]);
    assert!(out.status.success(), "tmux new-session: {}", String::from_utf8_lossy(&out.stderr));

    // The ledger appears.
    let s = t.wait_for("the ledger", |s| s.contains("進行管理台帳") && table_rows(s).len() > 10);
    assert!(s.contains("たかはま町（デモ）") && s.contains("demo.db"), "{s}");
    assert!(s.contains("F2 新規登録"), "footer shows the keys:\n{s}");

    // Search in hiragana: only 山田 rows remain.
    t.keys(&["/"]);
    t.type_text("やまだ");
    let s = t.wait_for("山田 rows only", |s| {
        let rows = table_rows(s);
        !rows.is_empty() && rows.iter().all(|r| r.contains("山田"))
    });
    assert!(s.contains("検索: やまだ"), "{s}");

    // Open the first one: the detail fills the screen at 120 columns.
    t.keys(&["Enter"]);
    t.keys(&["Enter"]);
    let s = t.wait_text("[きょうだい");
    assert!(s.contains("援助方針:") && s.contains("山田"), "{s}");
    let number = s
        .lines()
        .find_map(|l| l.split("ケース ").nth(1).map(|r| r.split_whitespace().next().unwrap_or("").to_string()))
        .expect("the detail's title names the case");

    // Edit: add a line to 援助方針 (the last field) in Japanese, save with F10.
    t.keys(&["F4"]);
    t.wait_text("の編集");
    t.keys(&["BTab", "C-e", "Enter"]);
    t.type_text("学校と連携して見守る");
    t.wait_text("学校と連携して見守る");
    t.keys(&["F10"]);
    t.wait_text(&format!("ケース {number} を更新しました"));

    // Register a new case with Japanese name and a 和暦 birth date.
    t.keys(&["Escape"]);
    t.keys(&["F2"]);
    t.wait_text("ケースの新規登録");
    t.type_text("R8-9999");
    t.keys(&["Tab"]);
    t.type_text("試験 花子");
    t.keys(&["Enter"]);
    // ふりがな arrives as a bracketed paste: one piece, its line break not taken as Enter
    // (which would move on a field and make the 生年月日 below land in the wrong one).
    assert!(t.cmd(&["set-buffer", "-b", "kana", "しけん はなこ\n"]).status.success());
    assert!(t.cmd(&["paste-buffer", "-p", "-b", "kana", "-t", "j"]).status.success());
    t.wait_text("しけん はなこ");
    t.keys(&["Tab", "Right", "Right", "Tab"]);
    t.type_text("R2.4.1");
    // A bad 受理日 is refused on screen, in Japanese, and nothing typed is lost.
    t.keys(&["Tab", "Tab"]);
    t.keys(&["C-u"]);
    t.type_text("あした");
    t.keys(&["F10"]);
    let s = t.wait_text("受理日: 「あした」は日付として読めません");
    assert!(s.contains("試験 花子"), "{s}");
    t.keys(&["C-u"]);
    t.type_text("令和8年11月20日");
    t.keys(&["F10"]);
    // The search that hid the new case is cleared so the saved case shows, selected. The rows
    // are read again on the reader thread, so the message may come a frame before them.
    let s = t.wait_for("the saved case in the list", |s| {
        s.contains("ケース R8-9999 を登録しました")
            && table_rows(s).iter().any(|r| r.contains("R8-9999") && r.contains("試験 花子"))
    });
    assert!(!s.contains("検索: やまだ"), "{s}");

    // A tiny window does not crash it; back to full size it draws again.
    assert!(t.cmd(&["resize-window", "-t", "j", "-x", "20", "-y", "5"]).status.success());
    t.wait_for("the tiny window", |s| s.lines().count() <= 5 && s.contains("shinko"));
    assert!(t.cmd(&["resize-window", "-t", "j", "-x", "120", "-y", "35"]).status.success());
    t.wait_for("full size again", |s| s.contains("進行管理台帳") && table_rows(s).len() > 2);

    // Quit: a search typed then Esc clears it first; q leaves.
    t.keys(&["/"]);
    t.type_text("すずき");
    t.wait_text("検索: すずき");
    t.keys(&["Enter"]);
    t.keys(&["Escape"]);
    t.wait_for("the search cleared", |s| s.contains("検索:  ") && !s.contains("検索: すずき"));
    t.keys(&["q"]);
    let s = t.wait_text("SHINKO_EXIT=0");
    assert!(s.contains("デモ自治体を作成しました"), "the normal screen is back:\n{s}");
    assert_eq!(t.display("#{alternate_on}"), "0", "left the alternate screen");
    assert_eq!(t.display("#{mouse_any_flag}"), "0", "mouse capture off");
    assert_eq!(t.display("#{cursor_flag}"), "1", "cursor visible");
    let modes = std::fs::read_to_string(&stty).unwrap();
    assert!(modes.contains(" icanon") && !modes.contains("-icanon"), "raw mode left:\n{modes}");
    assert!(modes.contains(" echo ") && !modes.contains("-echo "), "echo back on:\n{modes}");

    // Saved: the CLI reads what the TUI wrote.
    let shown = shinko(dir.path(), &db, &["ledger", "show", &number]);
    assert!(shown.contains("学校と連携して見守る"), "{shown}");
    let shown = shinko(dir.path(), &db, &["ledger", "show", "R8-9999"]);
    assert!(shown.contains("試験 花子（しけん はなこ）"), "{shown}");
    assert!(shown.contains("生年月日: 2020-04-01"), "{shown}");
    assert!(shown.contains("受理日: 2026-11-20"), "{shown}");
}
