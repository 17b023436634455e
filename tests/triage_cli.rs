//! Triage as a secretariat meets it on the demo, through the real binary: news about a case
//! whose review is months away (a raised rank, 一時保護) brings it onto the next agenda as
//! 重点協議, `agenda build` says which cases it pulled in and why, and `agenda explain` shows
//! every rule it evaluated.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use common::{shinko, shinko_ok};
use shinko::domain::Track;
use shinko::store::Store;

struct Town {
    dir: tempfile::TempDir,
    db: std::path::PathBuf,
    meeting: String,
}

impl Town {
    fn new() -> Town {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("demo.db");
        assert!(shinko(dir.path(), &db, &["demo", "--no-tui"]).status.success());
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let meeting = Store::open(&db, None).unwrap().meeting_to_run(today).unwrap().unwrap().to_string();
        Town { dir, db, meeting }
    }

    fn ok(&self, args: &[&str]) -> String {
        shinko_ok(self.dir.path(), &self.db, args)
    }

    /// Open cases of `rank` whose next review is after the meeting (not due), by number.
    fn not_due(&self, rank: &str) -> Vec<String> {
        let s = Store::open(&self.db, None).unwrap();
        let m = s.meeting(self.meeting.parse().unwrap()).unwrap();
        let last = s.sessions(m.id).unwrap().iter().map(|x| x.date).max().unwrap();
        let on: Vec<i64> = s.agenda(m.id).unwrap().iter().map(|i| i.case_id).collect();
        s.cases(false)
            .unwrap()
            .into_iter()
            .filter(|c| c.rank == rank && c.next_review.is_some_and(|d| d > last) && !on.contains(&c.id))
            .map(|c| c.number)
            .collect()
    }

    fn track_of(&self, number: &str) -> Option<(Track, Vec<String>)> {
        let s = Store::open(&self.db, None).unwrap();
        let id = s.case_by_number(number).unwrap().unwrap().id;
        s.agenda(self.meeting.parse().unwrap())
            .unwrap()
            .into_iter()
            .find(|i| i.case_id == id)
            .map(|i| (i.track, i.reasons))
    }
}

#[test]
fn a_raised_rank_brings_a_case_not_due_onto_the_agenda_and_its_review_forward() {
    let t = Town::new();
    let candidates = t.not_due("D");
    let number = candidates.first().expect("the demo has D cases reviewed in three months").clone();
    assert_eq!(t.track_of(&number), None);
    let before = t.ok(&["ledger", "show", &number]);
    t.ok(&["ledger", "edit", "--number", &number, "--rank", "A"]);
    let after = t.ok(&["ledger", "show", &number]);
    let review =
        |s: &str| s.lines().find(|l| l.contains("次回確認:")).unwrap().split("次回確認: ").nth(1).unwrap().to_string();
    assert!(review(&after) < review(&before), "A is reviewed monthly: {} → {}", review(&before), review(&after));
    let built = t.ok(&["agenda", "build", "--meeting", &t.meeting]);
    assert!(built.contains("前回会議以降の知らせにより加えたケース"), "{built}");
    assert!(built.contains(&format!("{number}: ランクがDからAに上がった")), "{built}");
    let (track, reasons) = t.track_of(&number).expect("on the agenda now");
    assert_eq!(track, Track::Deep);
    assert!(reasons.iter().any(|r| r == "ランクがDからAに上がった"), "{reasons:?}");
    let explained = t.ok(&["agenda", "explain", "--meeting", &t.meeting, "--case", &number]);
    assert!(explained.contains("✔ ランクの上昇［知らせ］: ランクがDからAに上がった"), "{explained}");
    assert!(explained.contains("・前回会議以降の新規登録［知らせ］: 該当なし"), "{explained}");
    assert!(explained.contains("結論: 議題にする: 重点協議"), "{explained}");
}

#[test]
fn temporary_custody_brings_a_case_in_and_it_is_never_quick() {
    let t = Town::new();
    let number = t.not_due("D").last().unwrap().clone();
    t.ok(&["ledger", "edit", "--number", &number, "--cgc", "custody"]);
    t.ok(&["agenda", "build", "--meeting", &t.meeting]);
    let (track, reasons) = t.track_of(&number).expect("on the agenda");
    assert_eq!(track, Track::Deep);
    assert!(reasons.iter().any(|r| r.contains("「一時保護」に変わった")), "{reasons:?}");
    // Nothing new about a case not due: it waits, and explain says why.
    let other = t.not_due("D").into_iter().find(|n| *n != number).unwrap();
    let explained = t.ok(&["agenda", "explain", "--meeting", &t.meeting, "--case", &other]);
    assert!(explained.contains("結論: 議題にしない（確認の時期でなく、知らせもない）"), "{explained}");
}
