//! The trust commands end to end through the real binary: encryption, passphrases, audit
//! verify/log, backup and restore, and where files land.
#![allow(clippy::unwrap_used)] // tests may unwrap
#![cfg(unix)]

mod common;
mod trust_support;

use std::os::unix::fs::PermissionsExt;

use trust_support::{Env, PASS};

const NAME: &str = "試験 秘密子";

fn add_case(env: &Env, number: &str) {
    env.ok(&[
        "ledger",
        "add",
        "--number",
        number,
        "--name",
        NAME,
        "--birth",
        "2018-04-02",
        "--concern",
        "見守りが必要",
    ]);
}

fn mode(p: &std::path::Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn init_encrypt_makes_an_owner_only_file_without_plaintext() {
    let env = Env::new(true);
    add_case(&env, "R6-001");
    env.ok(&["ledger", "edit", "--number", "R6-001", "--policy", "家庭訪問を月1回"]);
    assert_eq!(mode(&env.db), 0o600);
    assert_eq!(mode(env.db.parent().unwrap()), 0o700);
    assert!(shinko::store::crypto::is_encrypted(&env.db).unwrap());
    assert_eq!(env.files_containing(NAME), Vec::<std::path::PathBuf>::new(), "name readable somewhere");
    assert_eq!(env.files_containing("家庭訪問"), Vec::<std::path::PathBuf>::new());
    // Logs exist, are owner-only, and hold no case text; nothing went to TMPDIR.
    let logs = env.root.join("xdg-data/shinko/logs");
    assert_eq!(mode(&logs), 0o700);
    for f in std::fs::read_dir(&logs).unwrap() {
        assert_eq!(mode(&f.unwrap().path()), 0o600);
    }
    assert_eq!(std::fs::read_dir(env.root.join("tmp")).unwrap().count(), 0);
}

#[test]
fn a_new_passphrase_must_be_long_enough_and_the_wrong_one_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shinko"))
        .arg("--db")
        .arg(&db)
        .args(["init", "--encrypt"])
        .env("SHINKO_PASSPHRASE", "短い")
        .env("XDG_DATA_HOME", dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("8文字以上"));
    assert!(!db.exists());

    let env = Env::new(true);
    add_case(&env, "R6-001");
    let before = std::fs::read(&env.db).unwrap();
    let err = env.cmd().env("SHINKO_PASSPHRASE", "違う合言葉です").args(["ledger", "list"]).output().unwrap();
    assert!(!err.status.success());
    let msg = String::from_utf8_lossy(&err.stderr);
    assert!(msg.contains("パスフレーズが違う") && msg.contains("何も変更していません"), "{msg}");
    let plain = env.cmd().env_remove("SHINKO_PASSPHRASE").args(["ledger", "list"]).output().unwrap();
    assert!(String::from_utf8_lossy(&plain.stderr).contains("暗号化されています"));
    assert_eq!(std::fs::read(&env.db).unwrap(), before, "a wrong passphrase must not touch the file");
}

#[test]
fn passphrase_change_and_encrypt() {
    let env = Env::new(true);
    add_case(&env, "R6-001");
    let before = std::fs::read(&env.db).unwrap();
    let mut wrong = env.cmd();
    wrong.env("SHINKO_PASSPHRASE", "違う合言葉です").env("SHINKO_NEW_PASSPHRASE", "新しい合言葉です");
    assert!(!wrong.args(["passphrase", "change"]).output().unwrap().status.success());
    assert_eq!(std::fs::read(&env.db).unwrap(), before);
    let out =
        env.cmd().env("SHINKO_NEW_PASSPHRASE", "新しい合言葉です").args(["passphrase", "change"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!env.run(&["ledger", "list"]).status.success(), "old passphrase no longer opens it");
    let list = env.cmd().env("SHINKO_PASSPHRASE", "新しい合言葉です").args(["ledger", "list"]).output().unwrap();
    assert!(String::from_utf8_lossy(&list.stdout).contains(NAME));

    let plain = Env::new(false);
    add_case(&plain, "R6-002");
    assert!(plain.fails(&["passphrase", "change"]).contains("passphrase encrypt"));
    let enc = plain.cmd().env("SHINKO_PASSPHRASE", PASS).args(["passphrase", "encrypt"]).output().unwrap();
    assert!(enc.status.success(), "{}", String::from_utf8_lossy(&enc.stderr));
    assert!(shinko::store::crypto::is_encrypted(&plain.db).unwrap());
    assert_eq!(mode(&plain.db), 0o600);
    let again = plain.cmd().env("SHINKO_PASSPHRASE", PASS).args(["passphrase", "encrypt"]).output().unwrap();
    assert!(String::from_utf8_lossy(&again.stderr).contains("既に暗号化"));
    let list = plain.cmd().env("SHINKO_PASSPHRASE", PASS).args(["audit", "verify"]).output().unwrap();
    assert!(String::from_utf8_lossy(&list.stdout).contains("正常です"));
    // The plaintext original is gone from the folder (its blocks were overwritten); the empty
    // open lock stays.
    let data = plain.db.parent().unwrap();
    let mut names: Vec<_> = std::fs::read_dir(data).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert_eq!(names, ["shinko.db", "shinko.db.open-lock"]);
}

#[test]
fn audit_verify_names_the_first_broken_entry_and_anchors_the_head() {
    let env = Env::new(false);
    for n in ["R6-001", "R6-002", "R6-003"] {
        add_case(&env, n);
    }
    env.ok(&["ledger", "edit", "--number", "R6-001", "--policy", "見守り"]);
    let out = env.ok(&["audit", "verify", "--anchor"]);
    assert!(out.contains("正常です（"), "{out}");
    let anchor = out.lines().find_map(|l| l.split_once("控えてください）: ")).unwrap().1.trim().to_string();
    assert!(env.ok(&["audit", "verify", "--check", &anchor]).contains("含まれています"));

    let c = rusqlite::Connection::open(&env.db).unwrap();
    assert!(c.execute("UPDATE audit_log SET after = '{}' WHERE seq = 2", []).is_err(), "append-only trigger");
    c.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;").unwrap();
    // Deleting the newest entry: the chain alone cannot see it, the head can.
    let last: i64 = c.query_row("SELECT max(seq) FROM audit_log", [], |r| r.get(0)).unwrap();
    c.execute("DELETE FROM audit_log WHERE seq = ?1", [last]).unwrap();
    let err = env.fails(&["audit", "verify"]);
    assert!(err.contains(&format!("{last} 番目")), "{err}");
    let err = env.fails(&["audit", "verify", "--check", &anchor]);
    assert!(err.contains("異常"), "{err}");
    // An insider who also rewrites the head is still caught by the anchor kept on paper.
    c.execute("UPDATE audit_head SET count = count - 1, last_seq = last_seq - 1, last_hash = (SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1)", []).unwrap();
    // The chain is whole again, but the data still holds the edit the log no longer explains,
    // and the protective triggers are gone.
    let err = env.fails(&["audit", "verify"]);
    assert!(err.contains("連鎖（3 件）は正常ですが"), "{err}");
    assert!(err.contains("ケース R6-001: 監査ログと一致しない項目: support_policy"), "{err}");
    assert!(err.contains("トリガー audit_log_no_update がありません"), "{err}");
    let err = env.fails(&["audit", "verify", "--check", &anchor]);
    assert!(err.contains("削除された疑い"), "{err}");
    // Editing an entry in the middle names that entry, without showing its content.
    c.execute("UPDATE audit_log SET after = replace(after, '見守り', '改ざん') WHERE seq = 1", []).unwrap();
    let err = env.fails(&["audit", "verify"]);
    assert!(err.contains("1 番目") && err.contains("書き換え"), "{err}");
    assert!(!err.contains(NAME));
}

#[test]
fn audit_log_hides_values_unless_asked() {
    let env = Env::new(true);
    add_case(&env, "R6-001");
    add_case(&env, "R6-002");
    env.ok(&["ledger", "edit", "--number", "R6-001", "--policy", "家庭訪問"]);
    let hidden = env.ok(&["audit", "log"]);
    assert_eq!(hidden.lines().count(), 3);
    assert!(!hidden.contains(NAME) && !hidden.contains("家庭訪問"));
    assert!(hidden.contains("support_policy") && hidden.contains("事務局"));
    let shown = env.ok(&["audit", "log", "--case", "R6-001", "--values"]);
    assert_eq!(shown.lines().count(), 2, "{shown}");
    assert!(shown.contains("家庭訪問") && shown.contains(NAME));
    let json = env.ok(&["audit", "log", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 3);
    assert!(!json.contains(NAME));
    assert!(env.fails(&["audit", "log", "--case", "R6-999"]).contains("R6-999"));
}

#[test]
fn configured_user_name_is_the_actor() {
    let env = Env::new(false);
    let cfg = env.root.join("config.toml");
    std::fs::write(&cfg, "[municipality]\nuser = \"保健師 甲\"\n").unwrap();
    let out = env
        .cmd()
        .arg("--config")
        .arg(&cfg)
        .args(["ledger", "add", "--number", "R6-001", "--name", NAME, "--birth", "2018-04-02"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(env.ok(&["audit", "log"]).contains("保健師 甲"));
}

#[test]
fn backup_and_restore_round_trip() {
    for encrypted in [false, true] {
        let env = Env::new(encrypted);
        add_case(&env, "R6-001");
        let bk = env.root.join("backups").join("shinko-backup.db");
        env.ok(&["backup", "--out", bk.to_str().unwrap()]);
        assert_eq!(mode(&bk), 0o600);
        assert_eq!(shinko::store::crypto::is_encrypted(&bk).unwrap(), encrypted);
        assert!(env.fails(&["backup", "--out", bk.to_str().unwrap()]).contains("--force"));
        add_case(&env, "R6-002");

        // Restoring over an existing database needs --force and keeps the replaced file.
        assert!(env.fails(&["restore", "--from", bk.to_str().unwrap()]).contains("--force"));
        let out = env.run(&["restore", "--from", bk.to_str().unwrap(), "--force"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stderr).contains("ケース 1 件"));
        let s = env.open();
        assert!(s.case_by_number("R6-001").unwrap().is_some());
        assert!(s.case_by_number("R6-002").unwrap().is_none());
        assert_eq!(s.audit_verify().unwrap(), Ok(1));
        drop(s);
        let kept: Vec<_> = std::fs::read_dir(env.db.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().contains(".restore前-") && !p.to_string_lossy().ends_with("-wal"))
            .filter(|p| !p.to_string_lossy().ends_with("-shm"))
            .collect();
        assert_eq!(kept.len(), 1);
        let old = shinko::store::Store::open(&kept[0], env.pass).unwrap();
        assert!(old.case_by_number("R6-002").unwrap().is_some(), "replaced database kept whole");
    }
}

#[test]
fn a_broken_backup_is_refused_and_nothing_changes() {
    let env = Env::new(true);
    add_case(&env, "R6-001");
    let bk = env.root.join("b.db");
    env.ok(&["backup", "--out", bk.to_str().unwrap()]);
    let before = env.fingerprint();
    let bytes = std::fs::read(&bk).unwrap();
    let cut = env.root.join("cut.db");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let mut flipped = bytes.clone();
    flipped[bytes.len() / 2] ^= 0xff;
    let flip = env.root.join("flip.db");
    std::fs::write(&flip, &flipped).unwrap();
    let junk = env.root.join("junk.db");
    std::fs::write(&junk, b"not a database at all").unwrap();
    for f in [&cut, &flip, &junk] {
        let err = env.fails(&["restore", "--from", f.to_str().unwrap(), "--force"]);
        assert!(err.contains("何も変更していません") || err.contains("パスフレーズ"), "{err}");
    }
    let wrong = env
        .cmd()
        .env("SHINKO_PASSPHRASE", "違う合言葉です")
        .args(["restore", "--from", bk.to_str().unwrap(), "--force"])
        .output()
        .unwrap();
    assert!(!wrong.status.success());
    assert_eq!(env.fingerprint(), before);
    let names: Vec<_> = std::fs::read_dir(env.db.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(names.iter().all(|n| !n.to_string_lossy().starts_with(".shinko-")), "no temporary file left: {names:?}");
}

#[test]
fn restore_into_a_fresh_place() {
    let env = Env::new(false);
    add_case(&env, "R6-001");
    let bk = env.root.join("b.db");
    env.ok(&["backup", "--out", bk.to_str().unwrap()]);
    let fresh = env.root.join("elsewhere").join("new.db");
    let out = env.cmd_for(&fresh).args(["restore", "--from", bk.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(mode(&fresh), 0o600);
    assert_eq!(mode(fresh.parent().unwrap()), 0o700);
    let s = shinko::store::Store::open(&fresh, None).unwrap();
    assert!(s.case_by_number("R6-001").unwrap().is_some());
}

/// The scenario: `restore --force` while a TUI has the database open. The restore is
/// refused (an OS lock every shinko holds while the file is open) and changes nothing; once the
/// window is closed it goes ahead.
#[test]
fn restore_is_refused_while_a_window_has_the_database_open() {
    if !common::tmux::tmux_or_skip() {
        return;
    }
    let env = Env::new(false);
    add_case(&env, "R6-001");
    let bk = env.root.join("b.db");
    env.ok(&["backup", "--out", bk.to_str().unwrap()]);
    add_case(&env, "R6-002");
    let t = common::tmux::Tmux { socket: format!("shinko-restore-{}", std::process::id()) };
    let out =
        t.cmd(&["new-session", "-d", "-s", "j", "-x", "160", "-y", "40", &common::tui_script(&env.root, &env.db)]);
    assert!(out.status.success(), "tmux new-session: {}", String::from_utf8_lossy(&out.stderr));
    t.wait_text("進行管理台帳");
    let before = env.fingerprint();

    let err = env.fails(&["restore", "--from", bk.to_str().unwrap(), "--force"]);
    assert!(err.contains("別の shinko（画面かコマンド）がこのデータベースを開いています"), "{err}");
    assert!(err.contains("何も変更していません"), "{err}");
    assert!(!err.contains(NAME), "{err}");
    assert_eq!(env.fingerprint(), before);
    let names: Vec<_> = std::fs::read_dir(env.db.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".restore")), "nothing set aside: {names:?}");

    t.keys(&["q"]);
    t.wait_text("SHINKO_EXIT=0");
    env.ok(&["restore", "--from", bk.to_str().unwrap(), "--force"]);
    let s = env.open();
    assert!(s.case_by_number("R6-001").unwrap().is_some());
    assert!(s.case_by_number("R6-002").unwrap().is_none());
}

/// A backup made before `passphrase change`: restoring it with today's passphrase says the
/// backup is under another one; with the backup's own it restores and says how to re-key.
#[test]
fn a_backup_under_an_older_passphrase_says_so_and_offers_a_re_key() {
    let env = Env::new(true);
    add_case(&env, "R6-001");
    let bk = env.root.join("b.db");
    env.ok(&["backup", "--out", bk.to_str().unwrap()]);
    let new = "新しい合言葉ですよ";
    let out = env.cmd().env("SHINKO_NEW_PASSPHRASE", new).args(["passphrase", "change"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let today = |c: &mut std::process::Command| {
        c.env("SHINKO_PASSPHRASE", new);
    };

    let mut c = env.cmd();
    today(&mut c);
    let out = c.args(["restore", "--from", bk.to_str().unwrap(), "--force"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("今のデータベースとは違うパスフレーズ（変更する前のものなど）で暗号化されています"), "{err}");
    assert!(err.contains("何も変更していません"), "{err}");

    let out = env.run(&["restore", "--from", bk.to_str().unwrap(), "--force"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("バックアップを作成した時のものです"), "{err}");
    assert!(err.contains("shinko passphrase change"), "{err}");
    assert!(env.open().case_by_number("R6-001").unwrap().is_some(), "opens under the backup's passphrase");
}

/// The scenario: with `sqlite3` and the file, an insider changes a child's name and rank;
/// another appends an audit entry with a correctly computed hash that no change in the data
/// matches. The chain verifies both times; comparing the data with the log names each case by
/// number (never the name) and the forged entry by its number.
#[test]
fn audit_verify_names_rows_the_log_does_not_explain_and_a_forged_entry() {
    let env = Env::new(false);
    for n in ["R6-001", "R6-002"] {
        add_case(&env, n);
    }
    let ok = env.ok(&["audit", "verify"]);
    assert!(ok.contains("データ 2 行は監査ログと一致し"), "{ok}");
    let c = rusqlite::Connection::open(&env.db).unwrap();
    c.execute("UPDATE cases SET name = '書き換え 太郎', rank = 'A' WHERE number = 'R6-001'", []).unwrap();
    let err = env.fails(&["audit", "verify"]);
    assert!(err.contains("連鎖（2 件）は正常ですが、監査ログで説明できない行が 1 件"), "{err}");
    assert!(
        err.contains("ケース R6-001: 監査ログと一致しない項目: name（最後の記録 1 番）、rank（最後の記録 1 番）"),
        "{err}"
    );
    assert!(!err.contains("R6-002"), "{err}");
    assert!(!err.contains(NAME) && !err.contains("書き換え 太郎"), "{err}");
    // A backup taken after the change restores, and says what it carries.
    let bk = env.root.join("tampered.db");
    env.ok(&["backup", "--out", bk.to_str().unwrap()]);
    let fresh = env.root.join("elsewhere.db");
    let out = env.cmd_for(&fresh).args(["restore", "--from", bk.to_str().unwrap()]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("監査ログで説明できない行かスキーマの変更が 1 件あります"), "{said}");

    let env = Env::new(false);
    for n in ["R6-001", "R6-002"] {
        add_case(&env, n);
    }
    let c = rusqlite::Connection::open(&env.db).unwrap();
    let (id, seq, prev): (i64, i64, String) = c
        .query_row(
            "SELECT (SELECT id FROM cases WHERE number = 'R6-002'), max(seq) + 1, (SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1) FROM audit_log",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let mut e = shinko::store::AuditEntry {
        seq,
        at: "2026-11-24T10:00:00".into(),
        actor: "事務局".into(),
        entity: "case".into(),
        entity_id: Some(id),
        field: "rank".into(),
        before: Some(String::new()),
        after: Some("A".into()),
        prev_hash: prev,
        hash: String::new(),
    };
    e.hash = shinko::store::audit::entry_hash(&e);
    c.execute(
        "INSERT INTO audit_log(seq, at, actor, entity, entity_id, field, before, after, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        rusqlite::params![e.seq, e.at, e.actor, e.entity, e.entity_id, e.field, e.before, e.after, e.prev_hash, e.hash],
    )
    .unwrap();
    let err = env.fails(&["audit", "verify"]);
    assert!(err.contains(&format!("ケース R6-002: 監査ログと一致しない項目: rank（最後の記録 {seq} 番）")), "{err}");
}
