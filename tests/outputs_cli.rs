//! The output commands end to end: `minutes`, `schedule`, `actions --by-agency`, `stats`.
//! Files are owner-only, never overwritten without `--force`, and bad input changes nothing.
#![allow(clippy::unwrap_used)] // tests may unwrap

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    /// A demo database in a fresh folder (logs go there too, not to the real home).
    fn new() -> Env {
        let env = Env { dir: tempfile::tempdir().unwrap() };
        env.cmd(&["demo", "--no-tui"]).assert().success();
        env
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::cargo_bin("shinko").unwrap();
        c.args(args)
            .env("SHINKO_DB", self.path("demo.db"))
            .env("SHINKO_TODAY", "2026-11-24")
            .env("HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.dir.path())
            .env_remove("SHINKO_CONFIG");
        c
    }

    fn out(&self, args: &[&str]) -> (bool, String, String) {
        let o = self.cmd(args).output().unwrap();
        (o.status.success(), String::from_utf8_lossy(&o.stdout).into(), String::from_utf8_lossy(&o.stderr).into())
    }
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn minutes_in_every_format_owner_only_and_never_overwritten_without_force() {
    let env = Env::new();
    for (format, magic) in [("md", &b"# "[..]), ("docx", b"PK"), ("xlsx", b"PK")] {
        let out = env.path(&format!("会議録.{format}"));
        let o = out.to_str().unwrap();
        let (ok, _, err) = env.out(&["minutes", "--meeting", "1", "--format", format, "--out", o]);
        assert!(ok, "{err}");
        assert!(fs::read(&out).unwrap().starts_with(magic));
        #[cfg(unix)]
        assert_eq!(mode(&out), 0o600);
        let before = fs::read(&out).unwrap();
        let (ok, _, err) = env.out(&["minutes", "--meeting", "1", "--format", format, "--out", o, "--masked"]);
        assert!(!ok && err.contains("--force"), "{err}");
        assert_eq!(fs::read(&out).unwrap(), before, "a refusal changes nothing");
        let (ok, _, err) =
            env.out(&["minutes", "--meeting", "1", "--format", format, "--out", o, "--masked", "--force"]);
        assert!(ok, "{err}");
        assert_ne!(fs::read(&out).unwrap(), before);
    }
    let md = fs::read_to_string(env.path("会議録.md")).unwrap();
    assert!(md.contains("（配布用）"));
}

#[test]
fn markdown_minutes_go_to_standard_output_when_no_file_is_named() {
    let env = Env::new();
    let written = env.path("会議録.md");
    let (ok, _, err) = env.out(&["minutes", "--meeting", "1", "--format", "md", "--out", written.to_str().unwrap()]);
    assert!(ok, "{err}");
    for args in [
        &["minutes", "--meeting", "1", "--format", "md"][..],
        &["minutes", "--meeting", "1", "--format", "md", "--out", "-"],
    ] {
        let (ok, out, err) = env.out(args);
        assert!(ok, "{err}");
        assert_eq!(out, fs::read_to_string(&written).unwrap(), "{args:?}: the same minutes");
    }
    let before: BTreeSet<_> = fs::read_dir(env.dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    let (ok, out, err) = env.out(&["minutes", "--meeting", "1"]);
    assert!(!ok && out.is_empty() && err.contains("出力先のファイルを指定してください"), "{err}");
    let after: BTreeSet<_> = fs::read_dir(env.dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(before, after, "a .docx never goes anywhere the user did not name");
}

#[test]
fn command_line_mistakes_are_told_in_japanese() {
    let env = Env::new();
    let (ok, _, err) = env.out(&["ledger", "add"]);
    assert!(!ok && err.contains("必要な引数が指定されていません: --number"), "{err}");
    assert!(err.contains("使い方: shinko ledger add") && !err.contains("error:") && !err.contains("Usage"), "{err}");
    let (ok, out, _) = env.out(&["record", "--help"]);
    assert!(
        ok && out.contains("コマンド:") && out.contains("使い方を表示する") && !out.contains("Print help"),
        "{out}"
    );
}

#[test]
fn unknown_meeting_and_bad_dates_are_japanese_errors_that_write_nothing() {
    let env = Env::new();
    let out = env.path("x.md");
    let (ok, _, err) = env.out(&["minutes", "--meeting", "999", "--format", "md", "--out", out.to_str().unwrap()]);
    assert!(!ok && err.contains("会議") && err.contains("999"), "{err}");
    assert!(!out.exists());
    let ics = env.path("x.ics");
    let (ok, _, err) = env.out(&["schedule", "--out", ics.to_str().unwrap(), "--from", "2026-13-01"]);
    assert!(!ok && err.contains("--from"), "{err}");
    let (ok, _, err) =
        env.out(&["schedule", "--out", ics.to_str().unwrap(), "--from", "2027-01-01", "--to", "2026-12-01"]);
    assert!(!ok && err.contains("より前"), "{err}");
    assert!(!ics.exists());
}

#[test]
fn schedule_in_three_formats_accepts_wareki_dates() {
    let env = Env::new();
    for format in ["ics", "csv", "xlsx"] {
        let out = env.path(&format!("予定.{format}"));
        let (ok, _, err) = env.out(&[
            "schedule",
            "--format",
            format,
            "--out",
            out.to_str().unwrap(),
            "--from",
            "令和8年11月24日",
            "--to",
            "R9.3.31",
        ]);
        assert!(ok, "{err}");
        assert!(err.contains("次回確認") && err.contains("会議 3 件"), "{err}");
    }
    let ics = fs::read_to_string(env.path("予定.ics")).unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR") && ics.contains("CLASS:CONFIDENTIAL"));
}

#[test]
fn action_lists_hold_only_each_agencys_own_cases() {
    let env = Env::new();
    let dir = env.path("機関別");
    let (ok, _, err) = env.out(&["actions", "--by-agency", "--format", "csv", "--out", dir.to_str().unwrap()]);
    assert!(ok, "{err}");
    let files: Vec<PathBuf> = fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    assert!(files.len() >= 2, "{files:?}");
    // What each institution may see: the case numbers of its own open actions, from the store.
    let store = shinko::store::Store::open(&env.path("demo.db"), None).unwrap();
    for agency in store.agencies().unwrap() {
        let own: BTreeSet<String> = store
            .open_actions()
            .unwrap()
            .iter()
            .filter(|a| a.agency_id == Some(agency.id))
            .map(|a| store.case(a.case_id).unwrap().number)
            .collect();
        let file = dir.join(shinko::exchange::agency_actions::file_name(&agency, "csv"));
        if own.is_empty() {
            assert!(!file.exists(), "{} gets an empty list", agency.code);
            continue;
        }
        let text = fs::read_to_string(&file).unwrap();
        let notice = shinko::domain::Config::default().confidentiality.notice;
        assert_eq!(text.lines().next(), Some(format!("\u{feff}{notice}").as_str()), "the notice is the first line");
        let listed: BTreeSet<String> = text.lines().skip(2).map(|l| l.split(',').next().unwrap().to_string()).collect();
        assert_eq!(listed, own, "{}", agency.code);
        #[cfg(unix)]
        assert_eq!(mode(&file), 0o600);
    }
    // Again without --force: refused before any file is touched.
    let (ok, _, err) = env.out(&["actions", "--by-agency", "--format", "csv", "--out", dir.to_str().unwrap()]);
    assert!(!ok && err.contains("--force"), "{err}");
    let (ok, _, err) = env.out(&["actions", "--by-agency", "--out", dir.to_str().unwrap()]);
    assert!(ok, "xlsx beside the csv files: {err}");
}

#[test]
fn masked_action_lists_carry_no_name_in_the_action_text_however_it_was_typed() {
    let env = Env::new();
    let (case, sibling, agency) = {
        let mut store = shinko::store::Store::open(&env.path("demo.db"), None).unwrap();
        let cases = store.cases(false).unwrap();
        let with_sibling = cases
            .iter()
            .find(|c| {
                c.household_id.is_some() && cases.iter().any(|o| o.id != c.id && o.household_id == c.household_id)
            })
            .unwrap()
            .clone();
        let sibling = cases
            .iter()
            .find(|o| o.id != with_sibling.id && o.household_id == with_sibling.household_id)
            .unwrap()
            .clone();
        let agency = store.agencies().unwrap()[1].clone();
        let given = with_sibling.name.split(' ').nth(1).unwrap().to_string();
        let katakana: String = sibling
            .kana
            .chars()
            .map(|c| char::from_u32(c as u32 + 0x60).filter(|_| ('ぁ'..='ゖ').contains(&c)).unwrap_or(c))
            .collect();
        let what = format!("{given}の登校を毎朝確認（{katakana}にも声かけ）");
        save_open_action(&mut store, with_sibling.id, agency.id, &what);
        (with_sibling, sibling, agency)
    };
    let dir = env.path("配布用");
    let (ok, _, err) =
        env.out(&["actions", "--by-agency", "--masked", "--format", "csv", "--out", dir.to_str().unwrap()]);
    assert!(ok, "{err}");
    let text = fs::read_to_string(dir.join(shinko::exchange::agency_actions::file_name(&agency, "csv"))).unwrap();
    assert!(text.contains("の登校を毎朝確認（〇〇にも声かけ）"), "{text}");
    for person in [&case, &sibling] {
        for part in person.name.split(' ').chain(person.kana.split(' ')) {
            assert!(!text.contains(part), "{part} leaked:\n{text}");
        }
    }
}

#[test]
fn stats_as_json_markdown_and_excel() {
    let env = Env::new();
    let (ok, json, err) = env.out(&["stats", "--fiscal-year", "2026", "--format", "json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["fiscal_year"], 2026);
    assert_eq!(v["meetings"].as_array().unwrap().len(), 1, "the demo's past meeting");
    let reviewed = v["meetings"][0]["reviewed"].as_u64().unwrap();
    assert_eq!(v["quick_total"].as_u64().unwrap() + v["deep_total"].as_u64().unwrap(), reviewed);
    assert!(v["registered_total"].as_u64().unwrap() > 50);
    let (ok, md, _) = env.out(&["stats", "--fiscal-year", "2026"]);
    assert!(ok && md.contains("令和8年度") && md.contains("登録区分"), "{md}");
    let (ok, _, err) = env.out(&["stats", "--format", "xlsx"]);
    assert!(!ok && err.contains("--out"), "{err}");
    let out = env.path("統計.xlsx");
    let (ok, _, err) = env.out(&["stats", "--format", "xlsx", "--out", out.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(fs::read(&out).unwrap().starts_with(b"PK"));
}

/// A guardian recorded in the ledger (保護者・同居人, through the CLI) is masked in shared
/// outputs however the name was typed: kanji with a space, given name with an honorific,
/// katakana.
#[test]
fn a_guardian_recorded_in_the_ledger_is_masked_in_every_spelling() {
    let env = Env::new();
    let (number, agency) = {
        let store = shinko::store::Store::open(&env.path("demo.db"), None).unwrap();
        (store.cases(false).unwrap()[0].clone(), store.agencies().unwrap()[1].clone())
    };
    let (ok, _, err) = env.out(&[
        "ledger",
        "edit",
        "--number",
        &number.number,
        "--person",
        "祖母：中島 トメ（なかじま とめ）",
        "--person",
        "母の交際相手：ジョン・スミス",
    ]);
    assert!(ok, "{err}");
    let (ok, _, err) = env.out(&["ledger", "edit", "--number", &number.number, "--person", "：（かな）"]);
    assert!(!ok && err.contains("保護者・同居人: 1行目: 氏名がありません"), "{err}");
    {
        let mut store = shinko::store::Store::open(&env.path("demo.db"), None).unwrap();
        let c = store.case(number.id).unwrap();
        assert_eq!(c.people().len(), 2);
        save_open_action(
            &mut store,
            c.id,
            agency.id,
            "祖母（中島 トメ）宅で見守り。トメさんとナカジマトメ様、スミスさんに連絡",
        );
    }
    let dir = env.path("配布用");
    let (ok, _, err) =
        env.out(&["actions", "--by-agency", "--masked", "--format", "csv", "--out", dir.to_str().unwrap()]);
    assert!(ok, "{err}");
    let text = fs::read_to_string(dir.join(shinko::exchange::agency_actions::file_name(&agency, "csv"))).unwrap();
    assert!(text.contains("宅で見守り"), "{text}");
    for part in ["中島", "トメ", "とめ", "ナカジマ", "スミス", "ジョン"] {
        assert!(!text.contains(part), "{part} leaked:\n{text}");
    }
}

/// The masked 役割分担一覧 leaves the configured `confidentiality.unmasked_words` readable, as
/// the masked minutes do (one masker), and still masks the person's full name.
#[test]
fn masked_agency_lists_keep_the_configured_common_words() {
    let env = Env::new();
    let (case, agency) = {
        let store = shinko::store::Store::open(&env.path("demo.db"), None).unwrap();
        (store.cases(false).unwrap()[0].clone(), store.agencies().unwrap()[1].clone())
    };
    let (ok, _, err) =
        env.out(&["ledger", "edit", "--number", &case.number, "--person", "姉：佐藤 希望（さとう のぞみ）"]);
    assert!(ok, "{err}");
    {
        let mut store = shinko::store::Store::open(&env.path("demo.db"), None).unwrap();
        save_open_action(&mut store, case.id, agency.id, "本人の希望により面談。佐藤希望さんにも連絡");
    }
    let csv = |dir: &str, config: Option<&Path>| {
        let dir = env.path(dir);
        let mut args = vec!["actions", "--by-agency", "--masked", "--format", "csv", "--out", dir.to_str().unwrap()];
        if let Some(c) = config {
            args.extend(["--config", c.to_str().unwrap()]);
        }
        let (ok, _, err) = env.out(&args);
        assert!(ok, "{err}");
        fs::read_to_string(dir.join(shinko::exchange::agency_actions::file_name(&agency, "csv"))).unwrap()
    };
    let plain = csv("既定", None);
    assert!(plain.contains("本人の〇〇により面談。〇〇さんにも連絡"), "over-masked by default:\n{plain}");
    let config = env.path("config.toml");
    fs::write(&config, "[confidentiality]\nunmasked_words = [\"希望\"]\n").unwrap();
    let kept = csv("設定あり", Some(&config));
    assert!(kept.contains("本人の希望により面談。〇〇さんにも連絡"), "{kept}");
    assert!(!kept.contains("佐藤"), "{kept}");
}

/// A closing's 終結理由区分 is chosen when it is closed; the yearly statistics count that and
/// carry no reason as written (it names the family).
#[test]
fn statistics_count_the_closing_category_and_hold_no_reason_text() {
    let env = Env::new();
    let number = {
        let store = shinko::store::Store::open(&env.path("demo.db"), None).unwrap();
        store.cases(false).unwrap()[1].number.clone()
    };
    let reason = "祖母（中島 トメ）宅へ転居し、本児の生活は安定";
    // Without a category, or with one the town does not have (the old wording): refused, in
    // Japanese, and nothing is closed.
    let args = ["ledger", "close", &number, "--reason", reason, "--on", "2026-11-20"];
    let (ok, _, err) = env.out(&args);
    assert!(!ok && err.contains("--category") && !err.contains("error:"), "{err}");
    let args = ["ledger", "close", &number, "--reason", reason, "--on", "2026-11-20", "--category", "転居"];
    let (ok, _, err) = env.out(&args);
    assert!(!ok && err.contains("終結理由区分「転居」は設定にありません（状態の安定・転出・年齢到達・"), "{err}");
    let args = ["ledger", "close", &number, "--reason", reason, "--on", "2026-11-20", "--category", " "];
    let (ok, _, err) = env.out(&args);
    assert!(!ok && err.contains("終結理由区分を選んでください"), "{err}");
    let store = shinko::store::Store::open(&env.path("demo.db"), None).unwrap();
    assert!(store.case_by_number(&number).unwrap().unwrap().is_open(), "nothing closed by a refusal");
    drop(store);
    let args = ["ledger", "close", &number, "--reason", reason, "--on", "2026-11-20", "--category", "児相へ送致・措置"];
    let (ok, _, err) = env.out(&args);
    assert!(ok, "{err}");
    let (ok, json, err) = env.out(&["stats", "--fiscal-year", "2026", "--format", "json"]);
    assert!(ok, "{err}");
    assert!(!json.contains("トメ") && !json.contains("転居し"), "no reason text in the statistics");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let cats = v["breakdown"]["closed_by_category"].as_array().unwrap();
    let n = |label: &str| cats.iter().find(|c| c["label"] == label).map_or(0, |c| c["count"].as_u64().unwrap());
    assert!(n("児相へ送致・措置") >= 1, "the chosen category, not the one the words suggest: {cats:?}");
    assert_eq!(n("転出"), 0, "the reason's words are never read: {cats:?}");
    let (ok, md, _) = env.out(&["stats", "--fiscal-year", "2026"]);
    assert!(ok && !md.contains("トメ") && !md.contains("理由（記載のとおり）"), "{md}");
}

/// Stores an open 役割分担 of `case` for `agency`, with the teacher as its owner.
fn save_open_action(store: &mut shinko::store::Store, case: i64, agency: i64, what: &str) {
    store
        .write(|t| {
            t.save_action(&shinko::domain::Action {
                id: 0,
                case_id: case,
                meeting_id: None,
                agency_id: Some(agency),
                owner: "担任".into(),
                what: what.into(),
                due: None,
                status: shinko::domain::ActionStatus::Open,
                review_note: String::new(),
                reviewed_in: None,
                done_on: None,
            })
        })
        .unwrap();
}
