//! What a Windows user's PC hands to the commands, tried on the real binary: a config saved by
//! Notepad as Shift_JIS, a session typed with MS-IME (full-width digits, ～), and a wildcard
//! that cmd.exe passes unexpanded.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use common::shinko;

fn text(o: &std::process::Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn a_shift_jis_config_is_read_and_a_broken_one_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let cfg = dir.path().join("config.toml");
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("[municipality]\nname = \"みなと市\"\nuser = \"保健師 山田\"\n");
    std::fs::write(&cfg, &sjis).unwrap();
    let (out, err) = text(&shinko(dir.path(), &db, &["--config", cfg.to_str().unwrap(), "config"]));
    assert!(out.contains("みなと市") && out.contains("保健師 山田"), "{out}{err}");

    std::fs::write(&cfg, [0x5B, 0x82, 0xFF, 0xFE, 0x5D]).unwrap();
    let o = shinko(dir.path(), &db, &["--config", cfg.to_str().unwrap(), "config"]);
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(err.contains("config.toml") && err.contains("Shift_JIS") && !err.contains("UTF-8 error"), "{err}");
}

#[test]
fn a_session_typed_with_ms_ime_is_read_like_ascii() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    assert!(shinko(dir.path(), &db, &["demo", "--no-tui"]).status.success());
    let o = shinko(
        dir.path(),
        &db,
        &[
            "meeting",
            "new",
            "--title",
            "第5回 進行管理会議",
            "--session",
            "２０２７－０３－０８　０９：３０～１２：００",
        ],
    );
    let (_, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let o = shinko(dir.path(), &db, &["meeting", "new", "--title", "第6回", "--session", "2027-03-08 12:00～09:30"]);
    let (_, err) = text(&o);
    assert!(!o.status.success() && err.contains("終了時刻は開始時刻より後"), "{err}");
}

#[test]
fn an_unexpanded_wildcard_is_expanded_or_named() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    assert!(shinko(dir.path(), &db, &["demo", "--no-tui"]).status.success());
    let pattern = dir.path().join("記入済").join("*.xlsx");
    let o = shinko(dir.path(), &db, &["sheets", "import", pattern.to_str().unwrap()]);
    let (_, err) = text(&o);
    assert!(!o.status.success() && err.contains("一致するファイルがありません"), "{err}");
}
