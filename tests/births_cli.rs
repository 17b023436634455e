//! `shinko ledger birth` on the real binary: twins recorded on a 特定妊婦 case become two
//! newborn cases in her household, the birth is a 新生児 signal for the next meeting, and each
//! plausible mistake is a clear Japanese error that stores nothing.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use common::Demo;

fn json(out: &str) -> serde_json::Value {
    serde_json::from_str(out).unwrap()
}

/// An open 特定妊婦 case of the demo, and an open child's case.
fn cases(demo: &Demo) -> (String, String) {
    let rows = json(&demo.ok(&["ledger", "list", "--format", "json"]));
    let rows = rows.as_array().unwrap();
    let find = |expectant: bool| {
        rows.iter()
            .find(|r| (r["registration"] == "ExpectantMother") == expectant)
            .map(|r| r["number"].as_str().unwrap().to_string())
            .unwrap()
    };
    (find(true), find(false))
}

fn refused(demo: &Demo, args: &[&str]) -> String {
    let out = demo.run(args);
    assert!(!out.status.success(), "{args:?} must be refused");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn twins_are_registered_and_brought_to_the_next_meeting() {
    let demo = Demo::new();
    let (mother, _) = cases(&demo);
    let out = demo.run(&[
        "ledger",
        "birth",
        &mother,
        "--date",
        "R8.11.24",
        "--name",
        "試験 一郎",
        "--kana",
        "しけん いちろう",
        "--sex",
        "男",
        "--name",
        "試験 二郎",
        "--kana",
        "しけん じろう",
        "--sex",
        "男",
        "--mother",
        "close",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(&format!("新生児のケース: {mother}-1、{mother}-2")) && err.contains("母の登録: 終結"),
        "{err}"
    );
    let m = json(&demo.ok(&["ledger", "show", &mother, "--format", "json"]));
    assert_eq!(m["case"]["status"], "Closed");
    for n in [format!("{mother}-1"), format!("{mother}-2")] {
        let c = json(&demo.ok(&["ledger", "show", &n, "--format", "json"]));
        assert_eq!(c["case"]["registration"], "NeedsSupport");
        assert_eq!(c["case"]["birth_date"], "2026-11-24");
        assert_eq!(c["case"]["household_id"], m["case"]["household_id"]);
        assert_eq!(c["case"]["support_policy"], m["case"]["support_policy"]);
        assert_eq!(c["case"]["lead_agency"], m["case"]["lead_agency"]);
    }
    // The next meeting's triage names the birth (the demo's next meeting is its second).
    demo.ok(&["agenda", "build", "--meeting", "2"]);
    let explained = demo.ok(&["agenda", "explain", "--meeting", "2", "--case", &format!("{mother}-1")]);
    assert!(explained.contains(&format!("新生児（R8.11.24 出生、特定妊婦 {mother} から）")), "{explained}");
}

#[test]
fn each_plausible_mistake_is_named_and_nothing_is_stored() {
    let demo = Demo::new();
    let (mother, child) = cases(&demo);
    let before = json(&demo.ok(&["ledger", "list", "--all", "--format", "json"])).as_array().unwrap().len();
    let birth = |case: &str, date: &str, mother_flag: &str| {
        vec!["ledger", "birth", case, "--date", date, "--name", "試験 花子", "--mother", mother_flag]
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>()
    };
    let mistakes: [(Vec<String>, &str); 5] = [
        (birth(&child, "2026-11-24", "continue"), "特定妊婦ではありません"),
        (birth(&mother, "2026-11-25", "continue"), "今日（2026-11-24）より後"),
        (birth(&mother, "2001-01-01", "continue"), "受理日"),
        (birth(&mother, "2026-11-24", "maybe"), "--mother: 「maybe」は読めません"),
        (
            [
                "ledger",
                "birth",
                &mother,
                "--date",
                "2026-11-24",
                "--name",
                "甲",
                "--name",
                "乙",
                "--sex",
                "男",
                "--mother",
                "continue",
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            "--sex は --name と同じ数（2）",
        ),
    ];
    for (args, expected) in mistakes {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let err = refused(&demo, &refs);
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(!err.contains("試験 花子"), "no name in the error: {err}");
    }
    let missing = demo.run(&["ledger", "birth", &mother, "--date", "2026-11-24", "--name", "試験 花子"]);
    assert!(!missing.status.success(), "--mother is required");
    // Recorded once; the same birth again is refused.
    let once = birth(&mother, "2026-11-24", "continue");
    demo.ok(&once.iter().map(String::as_str).collect::<Vec<_>>());
    let err = refused(&demo, &once.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(err.contains("2026-11-24 に記録済み"), "{err}");
    let after = json(&demo.ok(&["ledger", "list", "--all", "--format", "json"])).as_array().unwrap().len();
    assert_eq!(after, before + 1, "only the one recorded birth added a case");
}
