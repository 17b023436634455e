//! `shinko contacts add|list` and the ledger's 目視確認 filter on the real binary: a round trip,
//! then one test per plausible-but-wrong input, each a clear Japanese error that stores nothing.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use common::Demo;

/// The first open case of the demo that attends no institution (the ones triage watches).
fn unaffiliated(demo: &Demo) -> String {
    let rows: serde_json::Value = serde_json::from_str(&demo.ok(&["ledger", "list", "--format", "json"])).unwrap();
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["affiliation"].is_null() && r["registration"] != "ExpectantMother")
        .map(|r| r["number"].as_str().unwrap().to_string())
        .unwrap()
}

fn listed(demo: &Demo, case: &str) -> Vec<serde_json::Value> {
    let out = demo.ok(&["contacts", "list", "--case", case, "--format", "json"]);
    serde_json::from_str::<serde_json::Value>(&out).unwrap().as_array().unwrap().clone()
}

#[test]
fn a_contact_round_trips_and_the_child_is_no_longer_unseen() {
    let demo = Demo::new();
    let unseen: serde_json::Value =
        serde_json::from_str(&demo.ok(&["ledger", "list", "--unseen", "--format", "json"])).unwrap();
    let unseen: Vec<&str> = unseen.as_array().unwrap().iter().map(|r| r["number"].as_str().unwrap()).collect();
    assert!(!unseen.is_empty(), "the demo has children nobody has seen for months");
    let case = unseen[0].to_string();
    let before = listed(&demo, &case).len();
    demo.ok(&[
        "contacts",
        "add",
        &case,
        "--date",
        "R8.11.20",
        "--kind",
        "訪問",
        "--agency",
        "保健センター",
        "--seen",
        "はい",
        "--note",
        "母子と面談。表情は明るい",
    ]);
    let after = listed(&demo, &case);
    assert_eq!(after.len(), before + 1);
    let last = after.last().unwrap();
    assert_eq!(last["date"], "2026-11-20");
    assert_eq!(last["kind"], "home_visit");
    assert_eq!(last["seen"], true);
    assert_eq!(last["note"], "母子と面談。表情は明るい");
    let rows: serde_json::Value =
        serde_json::from_str(&demo.ok(&["ledger", "list", "--unseen", "--format", "json"])).unwrap();
    assert!(rows.as_array().unwrap().iter().all(|r| r["number"] != case.as_str()), "seen 4 days ago");
    let table = demo.ok(&["contacts", "list", "--since", "2026-11-20"]);
    assert!(table.contains(&format!("{case}\tR8.11.20\t家庭訪問")), "{table}");
}

/// Runs `args` expecting a refusal; its standard error.
fn refused(demo: &Demo, args: &[&str]) -> String {
    let out = common::shinko(demo.dir.path(), &demo.db(), args);
    assert!(!out.status.success(), "{args:?} must be refused");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn each_plausible_mistake_is_named_and_nothing_is_stored() {
    let demo = Demo::new();
    let case = unaffiliated(&demo);
    let before = listed(&demo, &case).len();
    let add = |extra: &[&str]| {
        let mut a = vec!["contacts", "add", case.as_str()];
        a.extend_from_slice(extra);
        a.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let mistakes: [(&[&str], &str); 6] = [
        (
            &["--date", "2026-11-25", "--kind", "電話", "--agency", "保健センター", "--seen", "いいえ"],
            "今日（2026-11-24）より後",
        ),
        (&["--date", "2001-04-01", "--kind", "電話", "--agency", "保健センター", "--seen", "いいえ"], "受理日"),
        (
            &["--kind", "手紙", "--agency", "保健センター", "--seen", "いいえ"],
            "種別「手紙」は不明です（家庭訪問・面接・電話",
        ),
        (
            &["--kind", "電話", "--agency", "架空の相談所", "--seen", "いいえ"],
            "機関「架空の相談所」は登録されていません",
        ),
        (&["--kind", "電話", "--agency", "保健センター", "--seen", "たぶん"], "目視確認の有無として読めません"),
        (&["--date", "2026/13/40", "--kind", "電話", "--agency", "保健センター", "--seen", "はい"], "--date"),
    ];
    for (extra, expected) in mistakes {
        let args = add(extra);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let err = refused(&demo, &refs);
        assert!(err.contains(expected), "{extra:?}: {err}");
    }
    let err = refused(
        &demo,
        &["contacts", "add", "R9-99999", "--kind", "電話", "--agency", "保健センター", "--seen", "はい"],
    );
    assert!(err.contains("ケース番号「R9-99999」は台帳にありません"), "{err}");
    assert_eq!(listed(&demo, &case).len(), before, "nothing stored by a refused command");
}
