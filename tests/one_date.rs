//! One date everywhere: a next review decided on a Saturday or on 元日 is moved to the next
//! business day when it is decided (and the user is told), so the ledger, the minutes and the
//! calendar all show the same day.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use common::{shinko, shinko_ok};

use shinko::domain::Track;
use shinko::store::Store;

#[test]
fn reviews_decided_on_closed_days_agree_in_ledger_minutes_and_calendar() {
    let demo = common::Demo::new();
    let (dir, db) = (&demo.dir, demo.db());
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let (meeting, deep) = {
        let s = Store::open(&db, None).unwrap();
        let m = s.meeting_to_run(today).unwrap().unwrap();
        let deep: Vec<String> = s
            .agenda(m)
            .unwrap()
            .iter()
            .filter(|i| i.track == Track::Deep)
            .take(2)
            .map(|i| s.case(i.case_id).unwrap().number)
            .collect();
        (m.to_string(), deep)
    };
    shinko_ok(dir.path(), &db, &["record", "start", "--meeting", &meeting]);
    // 2027-01-09 is a Saturday (the 11th is 成人の日); 2027-01-01 is 元日.
    for (case, typed, why) in [(&deep[0], "2027-01-09", "土曜日"), (&deep[1], "令和9年1月1日", "元日")] {
        let args = ["record", "decide", "--meeting", &meeting, "--case", case, "--next-review", typed];
        let out = shinko(dir.path(), &db, &args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && err.contains(why) && err.contains("翌開庁日"), "{err}");
    }
    // The demo's next meeting is in December: closed on 2026-11-24, it says how it is dated.
    let out = shinko(dir.path(), &db, &["record", "close", "--meeting", &meeting]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && err.contains("より前に閉会しました"), "{err}");

    let ledger = |case: &str| -> serde_json::Value {
        serde_json::from_str(&shinko_ok(dir.path(), &db, &["ledger", "show", case, "--format", "json"])).unwrap()
    };
    assert_eq!(ledger(&deep[0])["case"]["next_review"], "2027-01-12");
    assert_eq!(ledger(&deep[1])["case"]["next_review"], "2027-01-04");

    let minutes = shinko_ok(dir.path(), &db, &["minutes", "--meeting", &meeting, "--format", "md"]);
    assert!(minutes.contains("**次回確認日**: 令和9年1月12日") && minutes.contains("**次回確認日**: 令和9年1月4日"));
    assert!(!minutes.contains("令和9年1月9日") && !minutes.contains("令和9年1月1日"), "the asked-for days are gone");

    let ics = dir.path().join("予定.ics");
    let args = ["schedule", "--out", ics.to_str().unwrap(), "--from", "2026-12-01", "--to", "2027-03-31"];
    shinko_ok(dir.path(), &db, &args);
    let ics = std::fs::read_to_string(ics).unwrap();
    for (case, day) in [(&deep[0], "20270112"), (&deep[1], "20270104")] {
        let event = ics.split("BEGIN:VEVENT").find(|e| e.contains(&format!("次回確認 {case}"))).unwrap();
        assert!(event.contains(&format!("DTSTART;VALUE=DATE:{day}")), "{case}: {event}");
    }
}

#[test]
fn the_demo_records_no_review_on_a_closed_day() {
    let mut s = Store::open_in_memory().unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    shinko::demo::generate(&mut s, shinko::demo::Scale::Takahama, 2024, today).unwrap();
    let cal = shinko::domain::Config::default().business_calendar();
    for m in s.meetings().unwrap() {
        for d in s.decisions(m.id).unwrap() {
            if let Some(n) = d.next_review {
                assert!(cal.is_business_day(n), "meeting {} decided a review on {n}", m.id);
            }
        }
    }
    for c in s.cases(false).unwrap() {
        let n = c.next_review.unwrap();
        assert!(cal.is_business_day(n), "{} is due on {n}", c.number);
    }
}
