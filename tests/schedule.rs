//! 次回確認予定表: the .ics parses back, all-day DTEND is exclusive, reviews land on business
//! days, meetings are timed in UTC, and no entry names a child.
#![allow(clippy::unwrap_used)] // tests may unwrap

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate, Weekday};
use icalendar::{Calendar, CalendarComponent, Component, DatePerhapsTime};
use shinko::demo::{self, Scale};
use shinko::domain::Config;
use shinko::exchange::schedule::{self, Entry, EntryKind};
use shinko::store::Store;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn today() -> NaiveDate {
    d(2026, 11, 24)
}

/// The demo, with one case's review set on New Year's Day (a holiday in the 年末年始 closure).
fn store_and_entries() -> (Store, Vec<Entry>, String) {
    let mut s = Store::open_in_memory().unwrap();
    demo::generate(&mut s, Scale::Takahama, 2024, today()).unwrap();
    let mut c = s.cases(false).unwrap().remove(0);
    c.next_review = Some(d(2027, 1, 1));
    s.write(|t| t.save_case(&c)).unwrap();
    let cfg = Config::default();
    let (from, to) = (today(), d(2027, 5, 24));
    let (reviews, _) = s.reviews_due().unwrap();
    let sessions = s.upcoming_sessions(from, to).unwrap();
    let agencies: BTreeMap<_, _> = s.agencies().unwrap().into_iter().map(|a| (a.id, a)).collect();
    let entries = schedule::entries(&reviews, &sessions, &agencies, &cfg.business_calendar(), (from, to), today());
    (s, entries, c.number)
}

#[test]
fn ics_parses_back_with_exclusive_all_day_ends_and_no_names() {
    let (s, entries, moved) = store_and_entries();
    let sessions = entries.iter().filter(|e| matches!(e.kind, EntryKind::Session { .. })).count();
    assert_eq!(sessions, 3, "the next meeting's three sessions");
    let notice = Config::default().confidentiality.notice;
    let text = schedule::to_ics(&entries, "たかはま町 次回確認予定", &notice, today().and_hms_opt(0, 0, 0).unwrap());
    let parsed = Calendar::from_str(&text).expect("the .ics parses back");
    assert!(parsed.property_value("PRODID").unwrap().contains("shinko"));
    assert_eq!(parsed.get_description(), Some(notice.as_str()), "the calendar carries the notice");
    assert_eq!(parsed.get_name(), Some("たかはま町 次回確認予定"));
    let events: Vec<_> = parsed
        .components
        .iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .collect();
    assert_eq!(events.len(), entries.len());
    let mut uids: Vec<&str> = events.iter().map(|e| e.get_uid().unwrap()).collect();
    uids.sort();
    uids.dedup();
    assert_eq!(uids.len(), events.len(), "UIDs are unique");
    let cal = Config::default().business_calendar();
    for e in &events {
        assert_eq!(e.property_value("CLASS"), Some("CONFIDENTIAL"));
        assert!(e.get_description().unwrap().contains(&notice), "every event carries the notice");
        match (e.get_start().unwrap(), e.get_end().unwrap()) {
            (DatePerhapsTime::Date(start), DatePerhapsTime::Date(end)) => {
                assert_eq!(end, start.succ_opt().unwrap(), "all-day DTEND is the next day");
                assert!(cal.is_business_day(start), "{start} is not a business day");
                assert!(!matches!(start.weekday(), Weekday::Sat | Weekday::Sun));
            }
            (DatePerhapsTime::DateTime(start), DatePerhapsTime::DateTime(end)) => {
                let utc = |x: icalendar::CalendarDateTime| match x {
                    icalendar::CalendarDateTime::Utc(t) => t,
                    other => panic!("sessions are written in UTC, not {other:?}"),
                };
                let (start, end) = (utc(start), utc(end));
                assert!(start < end);
                // Sessions start at 09:30 or 13:30 JST = 00:30 or 04:30 UTC.
                assert!(["00:30", "04:30"].contains(&start.format("%H:%M").to_string().as_str()), "{start}");
            }
            other => panic!("mixed start/end {other:?}"),
        }
    }
    let holiday_moved =
        entries.iter().find(|e| matches!(&e.kind, EntryKind::Review { number, .. } if *number == moved)).unwrap();
    assert_eq!(holiday_moved.date, d(2027, 1, 4), "New Year's Day review moves to the first business day");
    for c in s.cases(true).unwrap() {
        assert!(!text.contains(&c.name) && !text.contains(&c.kana), "the calendar names case {}", c.number);
    }
}

#[test]
fn csv_has_a_bom_a_header_and_case_numbers_only() {
    let (s, entries, _) = store_and_entries();
    let notice = Config::default().confidentiality.notice;
    let bytes = schedule::to_csv(&entries, &notice);
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let mut r = csv::ReaderBuilder::new().flexible(true).has_headers(false).from_reader(text.as_bytes());
    let mut rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert_eq!(rows.remove(0).iter().collect::<Vec<_>>(), [notice.as_str()], "the notice is the first line");
    assert_eq!(&rows.remove(0)[0], "日付");
    assert_eq!(rows.len(), entries.len());
    assert!(rows.iter().any(|r| &r[3] == "会議" && r[9].contains('〜')));
    for c in s.cases(true).unwrap() {
        assert!(!text.contains(&c.name), "the CSV names case {}", c.number);
    }
}

#[test]
fn closed_meetings_and_entries_outside_the_range_are_left_out() {
    let (_s, entries, _) = store_and_entries();
    let (overdue, current): (Vec<&Entry>, Vec<&Entry>) = entries.iter().partition(|e| e.overdue);
    assert!(current.iter().all(|e| e.date >= today() && e.date <= d(2027, 5, 24)));
    assert!(current.windows(2).all(|w| w[0].date <= w[1].date), "in date order");
    assert!(overdue.iter().all(|e| e.date < today() && e.summary().starts_with("【期限超過】")));
}

#[test]
fn overdue_reviews_stay_in_the_schedule_flagged_and_first() {
    let mut s = Store::open_in_memory().unwrap();
    demo::generate(&mut s, Scale::Takahama, 2024, today()).unwrap();
    let mut c = s.cases(false).unwrap().remove(0);
    // Decided for 2026-11-10 and not reviewed since: two weeks overdue on 2026-11-24.
    c.next_review = Some(d(2026, 11, 10));
    s.write(|t| t.save_case(&c)).unwrap();
    let (reviews, _) = s.reviews_due().unwrap();
    let agencies: BTreeMap<_, _> = s.agencies().unwrap().into_iter().map(|a| (a.id, a)).collect();
    let cal = Config::default().business_calendar();
    // Even a range starting later keeps what is already overdue.
    let entries = schedule::entries(&reviews, &[], &agencies, &cal, (d(2026, 12, 1), d(2027, 3, 31)), today());
    let late = entries.iter().position(|e| matches!(&e.kind, EntryKind::Review { number, .. } if *number == c.number));
    let late = late.expect("the overdue review is listed");
    assert!(entries[late].overdue && entries[late].date == d(2026, 11, 10));
    assert!(entries[..late].iter().all(|e| e.overdue), "overdue reviews come first");
    assert!(entries.iter().skip_while(|e| e.overdue).all(|e| !e.overdue && e.date >= d(2026, 12, 1)));
    let csv = String::from_utf8(schedule::to_csv(&entries, "")[3..].to_vec()).unwrap();
    let line = csv.lines().find(|l| l.contains(&c.number)).unwrap();
    assert!(line.starts_with("2026-11-10,") && line.contains(",期限超過,"), "{line}");
}
