//! Minutes for a 100-case meeting (DESIGN §5): reading the meeting from the store, building the
//! document, and rendering it as Markdown and as .docx (plain and masked).
//!
//! Run: cargo bench --bench minutes
#![allow(clippy::unwrap_used)] // a benchmark may stop at its first failure

use std::sync::{Mutex, OnceLock};

use chrono::NaiveDate;
use shinko::demo::{self, Scale};
use shinko::domain::Config;
use shinko::exchange::{document, minutes};
use shinko::store::Store;
use shinko::store::reports::MeetingRecord;

const DECIDED: usize = 100;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

/// A demo store whose past meeting decided at least 100 cases, and its id. (A connection is
/// not `Sync`, hence the mutex.)
fn store() -> &'static Mutex<(Store, i64)> {
    static S: OnceLock<Mutex<(Store, i64)>> = OnceLock::new();
    S.get_or_init(|| {
        let mut s = Store::open_in_memory().unwrap();
        let sum = demo::generate(&mut s, Scale::Cases(140), 3, today()).unwrap();
        assert!(s.decisions(sum.past_meeting).unwrap().len() >= DECIDED);
        Mutex::new((s, sum.past_meeting))
    })
}

/// The record cut to exactly 100 decided cases (with their actions).
fn record() -> &'static MeetingRecord {
    static R: OnceLock<MeetingRecord> = OnceLock::new();
    R.get_or_init(|| {
        let guard = store().lock().unwrap();
        // With the ledger's names: the masked benches use the same record.
        let mut r = guard.0.meeting_record(guard.1, true).unwrap();
        r.decisions.truncate(DECIDED);
        let kept: Vec<i64> = r.decisions.iter().map(|d| d.case_id).collect();
        r.new_actions.retain(|a| kept.contains(&a.case_id));
        r.agenda.retain(|i| kept.contains(&i.case_id));
        r
    })
}

fn main() {
    record();
    divan::main();
}

#[divan::bench]
fn read_meeting_from_store() -> MeetingRecord {
    let guard = store().lock().unwrap();
    guard.0.meeting_record(guard.1, false).unwrap()
}

#[divan::bench]
fn markdown_100_cases() -> String {
    let doc = minutes::build(record(), &Config::default(), "しんこう町", false, today());
    document::to_markdown(&doc)
}

#[divan::bench]
fn docx_100_cases() -> Vec<u8> {
    let doc = minutes::build(record(), &Config::default(), "しんこう町", false, today());
    document::to_docx(&doc).unwrap()
}

#[divan::bench]
fn docx_100_cases_masked() -> Vec<u8> {
    let doc = minutes::build(record(), &Config::default(), "しんこう町", true, today());
    document::to_docx(&doc).unwrap()
}

#[divan::bench]
fn xlsx_100_cases() -> Vec<u8> {
    let doc = minutes::build(record(), &Config::default(), "しんこう町", false, today());
    document::to_xlsx(&doc, "会議録").unwrap()
}
