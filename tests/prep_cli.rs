//! Meeting preparation through the real binary: create a meeting, build and edit its agenda,
//! export the 議事次第, and refuse bad input in Japanese without changing anything.
#![allow(clippy::unwrap_used)] // tests may unwrap

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let env = Env { dir: tempfile::tempdir().unwrap() };
        env.run(&["demo", "--no-tui"]);
        env
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("demo.db")
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::cargo_bin("shinko").unwrap();
        c.env("SHINKO_DB", self.db())
            .env("SHINKO_TODAY", "2026-11-24")
            .env_remove("SHINKO_CONFIG")
            .current_dir(self.dir.path())
            .args(args);
        c
    }

    fn run(&self, args: &[&str]) -> String {
        let out = self.cmd(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    fn fails(&self, args: &[&str]) -> String {
        let out = self.cmd(args).output().unwrap();
        assert!(!out.status.success(), "{args:?} should fail");
        String::from_utf8(out.stderr).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.run(args)).unwrap()
    }

    fn agenda(&self, meeting: &str) -> Value {
        self.json(&["agenda", "show", "--meeting", meeting, "--format", "json"])
    }
}

fn items(agenda: &Value) -> Vec<&Value> {
    agenda["sessions"].as_array().unwrap().iter().flat_map(|s| s["items"].as_array().unwrap()).collect()
}

fn item<'a>(agenda: &'a Value, number: &str) -> &'a Value {
    items(agenda).into_iter().find(|i| i["case_number"] == number).unwrap()
}

fn new_meeting(env: &Env) -> String {
    let out = env.run(&[
        "meeting",
        "new",
        "--title",
        "令和8年度 第4回 進行管理会議",
        "--session",
        "2027-03-08 09:30-12:00 乳幼児会",
        "--session",
        "R9.3.8 13:30-17:00 school",
        "--place",
        "会議室B",
        "--agency",
        "CGC",
        "--agency",
        "保健センター（母子保健）",
    ]);
    assert!(out.starts_with("会議 "), "{out}");
    out.split_whitespace().nth(1).unwrap().to_string()
}

#[test]
fn a_new_meeting_gets_an_agenda_with_every_due_case_once() {
    let env = Env::new();
    let id = new_meeting(&env);
    let meetings = env.json(&["meeting", "list", "--format", "json"]);
    let m = meetings.as_array().unwrap().iter().find(|m| m["id"].as_i64() == id.parse().ok()).unwrap();
    assert_eq!(m["sessions"].as_array().unwrap().len(), 2);
    assert_eq!(m["sessions"][0]["section"], "infant");
    assert_eq!(m["sessions"][1]["label"], "1日目 午後（児童生徒会）");
    assert_eq!(m["agencies"].as_array().unwrap().len(), 2);
    let shown = env.run(&["meeting", "show", &id]);
    assert!(shown.contains("日程2: 1日目 午後（児童生徒会） 2027-03-08 13:30-17:00"), "{shown}");

    let out = env.run(&["agenda", "build", "--meeting", &id]);
    // One afternoon cannot hold the 児童生徒会's cases: said first, with what it would take.
    assert!(out.starts_with("【日程が足りません】児童生徒会の1日程で"), "{out}");
    assert!(out.contains("\n議事次第を作成しました: 一括確認 "), "{out}");
    let agenda = env.agenda(&id);
    let all = items(&agenda);
    let mut numbers: Vec<&str> = all.iter().map(|i| i["case_number"].as_str().unwrap()).collect();
    let n = numbers.len();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), n, "a case appears twice");
    assert!(n > 40, "{n} items");
    assert_eq!(agenda["quick"].as_u64().unwrap() + agenda["deep"].as_u64().unwrap(), n as u64);
    for s in agenda["sessions"].as_array().unwrap() {
        assert!(s["expected_end"].as_str().unwrap().contains(':'));
        for i in s["items"].as_array().unwrap() {
            assert!(!i["reasons"].as_array().unwrap().is_empty(), "every item says why");
        }
    }
    // Table view names sessions, counts and end times.
    let table = env.run(&["agenda", "show", "--meeting", &id]);
    assert!(table.contains("日程1 1日目 午前（乳幼児会）"), "{table}");
    assert!(table.contains("予定終了"));
}

#[test]
fn the_secretariats_edits_survive_a_rebuild() {
    let env = Env::new();
    let id = "2";
    let agenda = env.agenda(id);
    let quick = items(&agenda)
        .into_iter()
        .find(|i| i["track"] == "Quick" && !i["reasons"].to_string().contains("きょうだい"))
        .unwrap();
    let number = quick["case_number"].as_str().unwrap().to_string();
    env.run(&[
        "agenda",
        "move",
        "--meeting",
        id,
        "--case",
        &number,
        "--track",
        "deep",
        "--session",
        "3",
        "--position",
        "1",
    ]);
    env.run(&["agenda", "draft", "--meeting", id, "--case", &number, "--policy", "週1回の家庭訪問に増やす"]);
    env.run(&[
        "agenda",
        "ask",
        "--meeting",
        id,
        "--case",
        &number,
        "--agency",
        "CGC",
        "--text",
        "一時保護の見通しをご説明ください",
    ]);
    env.run(&["agenda", "build", "--meeting", id]);
    let agenda = env.agenda(id);
    let it = item(&agenda, &number);
    assert_eq!(it["track"], "Deep");
    assert_eq!(it["locked"], true);
    assert_eq!(it["draft"]["policy"], "週1回の家庭訪問に増やす");
    assert_eq!(it["questions"][0]["text"], "一時保護の見通しをご説明ください");
    let third = &agenda["sessions"][2]["items"][0];
    assert_eq!(third["case_number"].as_str(), Some(number.as_str()));
    env.run(&["agenda", "unlock", "--meeting", id, "--case", &number]);
    assert_eq!(item(&env.agenda(id), &number)["locked"], false);
}

#[test]
fn requests_and_added_cases_are_discussed() {
    let env = Env::new();
    let id = "2";
    let on: Vec<String> =
        items(&env.agenda(id)).iter().map(|i| i["case_number"].as_str().unwrap().to_string()).collect();
    let cases: Value = env.json(&["ledger", "list", "--format", "json"]);
    let off: Vec<String> = cases
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["number"].as_str().unwrap().to_string())
        .filter(|n| !on.contains(n))
        .collect();
    assert!(off.len() >= 2);
    env.run(&[
        "agenda",
        "request",
        "--case",
        &off[0],
        "--agency",
        "CGC",
        "--meeting",
        id,
        "--reason",
        "家庭復帰の時期を協議したい",
    ]);
    env.run(&["agenda", "build", "--meeting", id, "--add", &off[1]]);
    let agenda = env.agenda(id);
    let req = item(&agenda, &off[0]);
    assert_eq!(req["track"], "Deep");
    assert!(req["reasons"].to_string().contains("中央児童相談所から協議の依頼: 家庭復帰の時期を協議したい"));
    assert!(item(&agenda, &off[1])["reasons"].to_string().contains("事務局が議題に追加"));
    env.run(&["agenda", "moving", "--case", &off[1], "--on", "2027-01-15", "--note", "県外へ転出"]);
    env.run(&["agenda", "build", "--meeting", id]);
    assert!(item(&env.agenda(id), &off[1])["reasons"].to_string().contains("転居・転出予定（2027-01-15）"));
}

#[test]
fn bad_input_is_refused_in_japanese_and_changes_nothing() {
    let env = Env::new();
    let before = env.run(&["meeting", "list"]);
    let err = env.fails(&["meeting", "new", "--title", "臨時", "--session", "2027-02-30 09:30-12:00"]);
    assert!(err.contains("--session 1番目「2027-02-30 09:30-12:00」"), "{err}");
    let err = env.fails(&["meeting", "new", "--title", "臨時", "--session", "2027-02-01 12:00-09:30"]);
    assert!(err.contains("終了時刻は開始時刻より後にしてください"), "{err}");
    let err = env.fails(&["meeting", "new", "--title", "臨時", "--session", "2027-02-01 09:30-12:00 全体"]);
    assert!(err.contains("部会「全体」は設定にありません"), "{err}");
    let err =
        env.fails(&["meeting", "new", "--title", "臨時", "--session", "2027-02-01 09:30-12:00", "--agency", "どこか"]);
    assert!(err.contains("機関「どこか」は登録されていません"), "{err}");
    assert_eq!(env.run(&["meeting", "list"]), before);

    let agenda = env.agenda("2");
    let err = env.fails(&["agenda", "move", "--meeting", "2", "--case", "R9-99999", "--track", "deep"]);
    assert!(err.contains("ケース番号「R9-99999」は台帳にありません"), "{err}");
    let n = items(&agenda)[0]["case_number"].as_str().unwrap().to_string();
    let err = env.fails(&["agenda", "move", "--meeting", "2", "--case", &n, "--session", "9"]);
    assert!(err.contains("--session 9: この会議の日程は 1〜3 です"), "{err}");
    let err = env.fails(&["agenda", "move", "--meeting", "2", "--case", &n, "--track", "maybe"]);
    assert!(err.contains("--track「maybe」は不明です"), "{err}");
    assert_eq!(env.agenda("2"), agenda);
}

/// A 終結案 carries the 終結理由区分 it will be counted under: `agenda draft` refuses one
/// without a configured category, in Japanese, and keeps the one given.
#[test]
fn a_closing_proposal_needs_a_configured_category() {
    let env = Env::new();
    let agenda = env.agenda("2");
    let n = items(&agenda)[0]["case_number"].as_str().unwrap().to_string();
    let draft = |extra: &[&str]| {
        let mut args = vec!["agenda", "draft", "--meeting", "2", "--case", n.as_str(), "--close-reason", "転居"];
        args.extend_from_slice(extra);
        args.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let args = draft(&["--close-category", ""]);
    let err = env.fails(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(err.contains("--close-category: 終結案の終結理由区分を選んでください"), "{err}");
    let args = draft(&["--close-category", "転居"]);
    let err = env.fails(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(err.contains("終結理由区分「転居」は設定にありません"), "{err}");
    assert_eq!(env.agenda("2"), agenda, "nothing was stored");
    let args = draft(&["--close-category", "転出"]);
    env.run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let it = item(&env.agenda("2"), &n).clone();
    assert_eq!(
        (it["draft"]["close_reason"].as_str(), it["draft"]["close_category"].as_str()),
        (Some("転居"), Some("転出"))
    );
    // Withdrawing the proposal drops its category.
    env.run(&["agenda", "draft", "--meeting", "2", "--case", &n, "--close-reason", ""]);
    assert!(item(&env.agenda("2"), &n)["draft"].get("close_category").is_none());
}

#[test]
fn the_full_agenda_exports_to_markdown_and_word_without_overwriting() {
    let env = Env::new();
    let md = env.dir.path().join("議事次第.md");
    let docx = env.dir.path().join("議事次第.docx");
    env.run(&["agenda", "export", "--meeting", "2", "--out", md.to_str().unwrap()]);
    env.run(&["agenda", "export", "--meeting", "2", "--out", docx.to_str().unwrap()]);
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(text.starts_with("# 令和8年度 第3回 進行管理会議 議事次第"), "{text}");
    assert!(text.contains("【取扱注意】"));
    assert!(text.contains("### 前回の役割分担の確認"));
    assert!(text.contains("### 一括確認") && text.contains("### 重点協議"));
    assert!(std::fs::read(&docx).unwrap().starts_with(b"PK"));
    owner_only(&md);
    let err = env.fails(&["agenda", "export", "--meeting", "2", "--out", md.to_str().unwrap()]);
    assert!(err.contains("既に存在します"), "{err}");
    let err = env.fails(&["agenda", "export", "--meeting", "2", "--out", "x.pdf"]);
    assert!(err.contains("拡張子は .md または .docx"), "{err}");
}

#[cfg(unix)]
fn owner_only(p: &Path) {
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(p).unwrap().permissions().mode() & 0o777, 0o600);
}

#[cfg(not(unix))]
fn owner_only(_p: &Path) {}
