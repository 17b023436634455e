//! A town changes its configuration after data exists, or makes a mistake in it: every
//! mistake is named with its line, the data is checked against the file, and a renamed rank
//! is carried into the data by one audited command — never silently replaced.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::path::Path;

use common::shinko;

fn run(dir: &Path, db: &Path, config: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["--config", config.to_str().unwrap()];
    all.extend_from_slice(args);
    shinko(dir, db, &all)
}

fn text(o: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// The default ranks with D renamed to 軽.
const RENAMED: &str = r#"
[[ranks]]
code = "A"
label = "A 重度"
review_months = 1
[[ranks]]
code = "B"
label = "B 中度"
review_months = 3
[[ranks]]
code = "C"
label = "C 軽度"
review_months = 3
[[ranks]]
code = "軽"
label = "軽 見守り"
review_months = 6
"#;

#[test]
fn a_rank_renamed_in_the_file_is_found_in_the_data_and_carried_over() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    assert!(shinko(dir.path(), &db, &["demo", "--no-tui"]).status.success());
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, RENAMED).unwrap();

    let checked = run(dir.path(), &db, &cfg, &["config", "check"]);
    assert!(!checked.status.success());
    let said = text(&checked);
    assert!(said.contains("ランク（ranks）「D」は設定にありません:"), "{said}");
    assert!(said.contains("shinko config rename-rank"), "{said}");

    // Renaming to a code the file does not have, or from one it still has, is refused.
    let wrong = run(dir.path(), &db, &cfg, &["config", "rename-rank", "D", "E"]);
    assert!(!wrong.status.success() && text(&wrong).contains("「E」は設定にありません"), "{}", text(&wrong));
    let wrong = run(dir.path(), &db, &cfg, &["config", "rename-rank", "C", "軽"]);
    assert!(!wrong.status.success() && text(&wrong).contains("「C」はまだ設定にあります"), "{}", text(&wrong));

    let renamed = run(dir.path(), &db, &cfg, &["config", "rename-rank", "D", "軽"]);
    assert!(renamed.status.success(), "{}", text(&renamed));
    assert!(text(&renamed).contains("ランク「D」を「軽」に変えました: ケース "), "{}", text(&renamed));
    let checked = run(dir.path(), &db, &cfg, &["config", "check"]);
    assert!(checked.status.success(), "{}", text(&checked));
    let verified = run(dir.path(), &db, &cfg, &["audit", "verify"]);
    assert!(verified.status.success(), "{}", text(&verified));
}

#[test]
fn mistakes_in_the_file_are_all_named_with_their_lines_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, "[triage]\ndeep_ranks = [\"S\"]\ntransition_days = -3\n\n[budget]\ndeep_minutes = -7.0\n")
        .unwrap();
    let out = run(dir.path(), &db, &cfg, &["config"]);
    assert!(!out.status.success());
    let said = text(&out);
    assert!(said.contains("3 件の問題があります"), "{said}");
    for want in ["2行目 triage.deep_ranks", "3行目 triage.transition_days", "6行目 budget.deep_minutes"] {
        assert!(said.contains(want), "{want}: {said}");
    }
    assert!(said.contains("config.toml"), "names the file: {said}");
    // A misspelt key, in Japanese.
    std::fs::write(&cfg, "[triage]\nsafety_scale_lo = 2\n").unwrap();
    let said = text(&run(dir.path(), &db, &cfg, &["config"]));
    assert!(said.contains("2行目") && said.contains("不明な項目「safety_scale_lo」"), "{said}");
    assert!(!said.contains("unknown field"), "{said}");
}

/// A town drops a 終結理由区分 from its file after closings used it: `config check` names it
/// with the cases, and the statistics still count those closings under the old name.
#[test]
fn a_closing_category_removed_from_the_file_is_reported_and_still_counted() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    assert!(shinko(dir.path(), &db, &["demo", "--no-tui"]).status.success());
    let number = {
        let store = shinko::store::Store::open(&db, None).unwrap();
        store.cases(false).unwrap()[0].number.clone()
    };
    let close = ["ledger", "close", &number, "--reason", "市外へ", "--on", "2026-11-20", "--category", "転出"];
    let out = shinko(dir.path(), &db, &close);
    assert!(out.status.success(), "{}", text(&out));
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, "[closing]\ncategories = [\"状態の安定\", \"転居・転出\", \"その他\"]\n").unwrap();

    let checked = run(dir.path(), &db, &cfg, &["config", "check"]);
    assert!(!checked.status.success());
    let said = text(&checked);
    assert!(said.contains(&format!("終結理由区分「転出」は設定にありません: 1件（{number}）")), "{said}");

    let stats = run(dir.path(), &db, &cfg, &["stats", "--fiscal-year", "2026", "--format", "json"]);
    assert!(stats.status.success(), "{}", text(&stats));
    let v: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    let labels: Vec<(String, u64)> = v["breakdown"]["closed_by_category"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["label"].as_str().unwrap().to_string(), c["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(&labels[..3], [("状態の安定".into(), 0), ("転居・転出".into(), 0), ("その他".into(), 0)], "{labels:?}");
    assert!(labels.contains(&("転出".into(), 1)), "{labels:?}");
}
