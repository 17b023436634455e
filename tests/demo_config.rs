//! `shinko demo` follows the configuration in force: a town with ranks 高・中・低 and its own
//! 部会 gets demo cases, an agenda and minutes in its own codes, nothing of the defaults
//! (ranks A–D, 乳幼児会・児童生徒会).
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::collections::BTreeSet;

use chrono::NaiveDate;
use shinko::demo::{self, Scale};
use shinko::domain::Config;
use shinko::exchange::{document, minutes};
use shinko::store::Store;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/minato.toml");

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

fn minato() -> Config {
    Config::from_toml(&std::fs::read_to_string(FIXTURE).unwrap()).unwrap()
}

#[test]
fn the_demo_uses_the_towns_ranks_and_sections_only() {
    let cfg = minato();
    let mut s = Store::open_in_memory().unwrap();
    let sum = demo::generate_with(&mut s, Scale::Takahama, 2024, today(), &cfg).unwrap();
    let ranks: BTreeSet<String> = cfg.ranks.iter().map(|r| r.code.clone()).collect();
    let cases = s.cases(true).unwrap();
    let used: BTreeSet<String> = cases.iter().map(|c| c.rank.clone()).collect();
    assert!(used.is_subset(&ranks), "ranks used {used:?}");
    assert_eq!(used.len(), 3, "every one of the town's ranks occurs: {used:?}");

    let sections: BTreeSet<Option<String>> = cfg.sections.iter().map(|x| Some(x.code.clone())).collect();
    let sessions = s.sessions(sum.next_meeting).unwrap();
    let of: BTreeSet<Option<String>> = sessions.iter().map(|x| x.section.clone()).collect();
    assert_eq!(of, sections, "one or more sessions per 部会 of the town");
    for x in &sessions {
        assert!(!x.label.contains("乳幼児会") && !x.label.contains("児童生徒会"), "{}", x.label);
    }

    let plan = s.agenda_plan(sum.next_meeting, &cfg).unwrap();
    assert!(plan.unassigned.is_empty());
    assert!(sum.quick + sum.deep > 20, "{} {}", sum.quick, sum.deep);
    // 特定妊婦 meet in the 特定妊婦部会, school children where schools attend.
    for p in &plan.sessions {
        for it in &p.items {
            let c = cases.iter().find(|c| c.id == it.case_id).unwrap();
            if c.registration == shinko::domain::Registration::ExpectantMother {
                assert_eq!(p.session.section.as_deref(), Some("ninpu"), "{}", c.number);
            }
        }
    }
    assert!(plan.sessions.iter().any(|p| p.session.section.as_deref() == Some("ninpu") && !p.items.is_empty()));

    // The past meeting's minutes speak the town's ranks; the next meeting's agenda its 部会.
    let record = s.meeting_record(sum.past_meeting, false).unwrap();
    let md = document::to_markdown(&minutes::build(&record, &cfg, "みなと市", false, today()));
    assert!(!record.decisions.is_empty());
    for d in &record.decisions {
        assert!(ranks.contains(&d.rank_after), "{}", d.rank_after);
    }
    for default in ["乳幼児会", "児童生徒会", "ランク A", "| A |", "| B |", "| C |", "| D |"] {
        assert!(!md.contains(default), "minutes hold {default}");
    }
    assert_eq!(s.audit_verify().unwrap().map(|n| n > 0), Ok(true));
}

/// `shinko --config minato.toml ARGS` on `db`; its standard output.
fn as_minato(dir: &std::path::Path, db: &std::path::Path, args: &[&str]) -> String {
    let all: Vec<&str> = ["--config", FIXTURE].iter().chain(args).copied().collect();
    common::shinko_ok(dir, db, &all)
}

/// A fresh みなと市 demo: its folder and database.
fn minato_demo() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    as_minato(dir.path(), &db, &["demo", "--no-tui"]);
    (dir, db)
}

#[test]
fn shinko_demo_reads_the_config_in_force() {
    let (dir, db) = minato_demo();
    let run = |args: &[&str]| as_minato(dir.path(), &db, args);
    let shown = run(&["agenda", "show", "--meeting", "2"]);
    assert!(shown.contains("特定妊婦部会") && shown.contains("学齢部会"), "{shown}");
    assert!(!shown.contains("乳幼児会") && !shown.contains("児童生徒会"), "{shown}");
    let store = Store::open(&db, None).unwrap();
    assert_eq!(store.setting("municipality").unwrap().as_deref(), Some("みなと市（デモ）"));
    assert!(store.cases(true).unwrap().iter().all(|c| ["高", "中", "低"].contains(&c.rank.as_str())));
}

/// The whole loop as みなと市: a ledger file in the town's ranks (a 6-year-old still at
/// nursery among them), the agenda, the past meeting's minutes and the year's statistics,
/// each in the town's codes and labels and none of the defaults'.
#[test]
fn the_whole_loop_speaks_the_towns_codes_and_labels() {
    let (dir, db) = minato_demo();
    let run = |args: &[&str]| as_minato(dir.path(), &db, args);
    let file = dir.path().join("台帳.csv");
    std::fs::write(
        &file,
        "ケース番号,氏名,ふりがな,生年月日,登録区分,ランク,受理日\n\
         M-901,青木 ひなた,あおき ひなた,2020-05-10,要支援,中,2026-11-20\n\
         M-902,青木 そら,あおき そら,2019-05-10,要支援,低,2026-11-20\n",
    )
    .unwrap();
    run(&["ledger", "import", &file.to_string_lossy()]);
    let shown = run(&["ledger", "show", "M-901"]);
    assert!(shown.contains("ランク: 中 積極的支援"), "{shown}");
    run(&["agenda", "build", "--meeting", "2"]);

    let store = Store::open(&db, None).unwrap();
    let sessions = store.sessions(2).unwrap();
    let section_of = |number: &str| {
        let case = store.case_by_number(number).unwrap().unwrap();
        let item =
            store.agenda(2).unwrap().into_iter().find(|i| i.case_id == case.id).expect("new cases are on the agenda");
        sessions.iter().find(|s| Some(s.id) == item.session_id).and_then(|s| s.section.clone())
    };
    // Six and a half, still at nursery: 未就学, the 乳幼児部会. A year older: 小1, 学齢部会.
    assert_eq!(section_of("M-901").as_deref(), Some("nyuyoji"));
    assert_eq!(section_of("M-902").as_deref(), Some("gakurei"));

    let out = dir.path().join("会議録.md");
    run(&["minutes", "--meeting", "1", "--format", "md", "--out", &out.to_string_lossy()]);
    let md = std::fs::read_to_string(&out).unwrap();
    let labels = ["高 重度（一時保護等の検討）", "中 積極的支援", "低 見守り"];
    assert!(md.lines().any(|l| l.contains("**評価**") && labels.iter().any(|x| l.contains(x))), "{md}");
    let stats = run(&["stats", "--fiscal-year", "2026", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stats).unwrap();
    let by_rank: Vec<&str> =
        v["breakdown"]["by_rank"].as_array().unwrap().iter().map(|c| c["label"].as_str().unwrap()).collect();
    assert_eq!(&by_rank[..3], ["高", "中", "低"], "{by_rank:?}");
    for text in [&md, &stats] {
        for default in ["乳幼児会", "児童生徒会", "A 重度", "B 中度", "C 軽度", "D 見守り"] {
            assert!(!text.contains(default), "{default} in {text}");
        }
    }
}
