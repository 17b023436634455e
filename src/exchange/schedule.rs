//! 次回確認予定表: every open case's next review (moved onto a business day) and every session
//! of an upcoming meeting, as .ics, .csv or .xlsx. Entries carry case numbers, never names:
//! calendars end up in Outlook or Google and are synced to the cloud.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use icalendar::{Calendar, Class, Component, EventLike};

use super::document::{Block, Cell, Document, Grid, RenderError, to_xlsx};
use crate::domain::calendar::BusinessCalendar;
use crate::domain::config::OutputConfig;
use crate::domain::{Agency, Id};
use crate::store::reports::{ReviewDue, UpcomingSession};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// 次回確認 of one case (all day).
    Review { case_id: Id, number: String, registration: String, rank: String, lead: String },
    /// One session of a meeting (timed).
    Session { session_id: Id, title: String, label: String, place: String, start: NaiveTime, end: NaiveTime },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub date: NaiveDate,
    pub kind: EntryKind,
    /// A review whose day has passed without the case being reviewed (期限超過).
    pub overdue: bool,
}

/// Said of a review whose day has passed.
pub const OVERDUE: &str = "期限超過";

impl Entry {
    pub fn summary(&self) -> String {
        match &self.kind {
            EntryKind::Review { number, rank, .. } if self.overdue => {
                format!("【{OVERDUE}】次回確認 {number}（ランク{rank}）")
            }
            EntryKind::Review { number, rank, .. } => format!("次回確認 {number}（ランク{rank}）"),
            EntryKind::Session { title, label, .. } => format!("{title} {label}"),
        }
    }
}

/// Entries dated `from..=to`, reviews first then sessions on each day, after every review
/// already overdue on `today` (期限超過, oldest first: they must not drop out of sight). A
/// stored review date that falls on a holiday or closed day is moved to the next business day.
pub fn entries(
    reviews: &[ReviewDue],
    sessions: &[UpcomingSession],
    agencies: &BTreeMap<Id, Agency>,
    cal: &BusinessCalendar,
    (from, to): (NaiveDate, NaiveDate),
    today: NaiveDate,
) -> Vec<Entry> {
    let mut out: Vec<Entry> = reviews
        .iter()
        .filter_map(|r| {
            let date = cal.on_or_after(r.next_review);
            let overdue = date < today;
            (overdue || (from <= date && date <= to)).then(|| Entry {
                date,
                overdue,
                kind: EntryKind::Review {
                    case_id: r.case_id,
                    number: r.number.clone(),
                    registration: r.registration.label().into(),
                    rank: r.rank.clone(),
                    lead: r.lead_agency.and_then(|a| agencies.get(&a)).map(|a| a.name.clone()).unwrap_or_default(),
                },
            })
        })
        .collect();
    out.extend(sessions.iter().filter(|u| from <= u.session.date && u.session.date <= to).map(|u| Entry {
        date: u.session.date,
        overdue: false,
        kind: EntryKind::Session {
            session_id: u.session.id,
            title: u.meeting.title.clone(),
            label: u.session.label.clone(),
            place: u.meeting.place.clone(),
            start: u.session.start,
            end: u.session.end,
        },
    }));
    out.sort_by(|a, b| {
        let key = |e: &Entry| match &e.kind {
            EntryKind::Review { number, .. } => (!e.overdue, e.date, 0, number.clone()),
            EntryKind::Session { start, .. } => (true, e.date, 1, start.to_string()),
        };
        key(a).cmp(&key(b))
    });
    out
}

/// Japan has no daylight saving: JST is always UTC+9.
fn jst_to_utc(d: NaiveDate, t: NaiveTime) -> chrono::DateTime<chrono::Utc> {
    (NaiveDateTime::new(d, t) - Duration::hours(9)).and_utc()
}

/// Names shinko as the calendar's producer (RFC 5545 §3.7.3).
pub const PRODID: &str = "-//shinko//要保護児童対策地域協議会 次回確認予定//JA";

/// An iCalendar file. `stamp` is the DTSTAMP of every event (the time of export), passed in so
/// the output is reproducible. UIDs stay the same per case and per session, so importing a
/// newer file moves the events instead of duplicating them. The confidentiality notice is the
/// calendar's description and closes every event's description (events are synced one by one).
pub fn to_ics(entries: &[Entry], calendar_name: &str, notice: &str, stamp: NaiveDateTime) -> String {
    let mut cal = Calendar::empty();
    cal.append_property(("VERSION", "2.0"))
        .append_property(("PRODID", PRODID))
        .append_property(("CALSCALE", "GREGORIAN"))
        .name(calendar_name)
        .description(notice);
    for e in entries {
        let mut ev = icalendar::Event::new();
        ev.timestamp(stamp.and_utc()).summary(&e.summary()).class(Class::Confidential);
        match &e.kind {
            EntryKind::Review { case_id, number, registration, rank, lead } => {
                // All-day: DTEND is the day after (RFC 5545: exclusive).
                ev.uid(&format!("shinko-review-{case_id}@shinko"))
                    .starts(e.date)
                    .ends(e.date + Duration::days(1))
                    .description(&format!(
                        "ケース番号 {number}／{registration}／ランク{rank}／主担当 {lead}\n{notice}"
                    ));
            }
            EntryKind::Session { session_id, place, start, end, .. } => {
                ev.uid(&format!("shinko-session-{session_id}@shinko"))
                    .starts(jst_to_utc(e.date, *start))
                    .ends(jst_to_utc(e.date, *end))
                    .location(place)
                    .description(notice);
            }
        }
        cal.push(ev.done());
    }
    cal.done().to_string()
}

fn grid(entries: &[Entry]) -> Grid {
    let mut g = Grid::new(&[
        ("日付", 6),
        ("曜日", 2),
        ("状態", 4),
        ("種別", 4),
        ("ケース番号", 7),
        ("登録区分", 6),
        ("ランク", 3),
        ("主担当機関", 12),
        ("会議", 18),
        ("時間", 7),
        ("場所", 10),
    ]);
    for e in entries {
        let mut row: Vec<Cell> =
            vec![e.date.into(), super::minutes::weekday(e.date).into(), if e.overdue { OVERDUE } else { "" }.into()];
        match &e.kind {
            EntryKind::Review { number, registration, rank, lead, .. } => row
                .extend(["次回確認", number, registration, rank, lead, "", "", ""].map(|t| Cell::from(t.to_string()))),
            EntryKind::Session { title, label, place, start, end, .. } => row.extend(
                [
                    "会議".into(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    format!("{title} {label}"),
                    format!("{}〜{}", start.format("%H:%M"), end.format("%H:%M")),
                    place.clone(),
                ]
                .map(Cell::from),
            ),
        }
        g.row(row);
    }
    g
}

/// CSV for Excel: UTF-8 with a byte-order mark (Excel reads BOM-less CSV as Shift_JIS), the
/// notice on the first line.
pub fn to_csv(entries: &[Entry], notice: &str) -> Vec<u8> {
    super::document::to_csv(&grid(entries), notice)
}

pub fn to_xlsx_bytes(
    entries: &[Entry],
    notice: &str,
    (from, to): (NaiveDate, NaiveDate),
    out: &OutputConfig,
) -> Result<Vec<u8>, RenderError> {
    let dates = out.date_style;
    let title = format!("次回確認予定表（{}〜{}）", dates.format(from), dates.format(to));
    to_xlsx(&Document::new(title, notice, vec![Block::Table(grid(entries))]).styled(out), "予定表")
}
