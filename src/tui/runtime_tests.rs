//! The runtime's [`Session`] on a real store: the first frame from one page while the index is
//! read on another thread, detail reads coalesced while keys wait, and the plan of every
//! statement a move of the ledger's selection runs.

use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::keymap::Keymap;
use super::ledger::LedgerMsg;
use super::model::Model;
use super::msg::Msg;
use super::runtime::{OpenReader, Session};
use super::tests::{buffer_text, key, today};
use crate::demo::{self, Scale};
use crate::domain::Config;
use crate::store::{Store, StoreError};
use ratatui::crossterm::event::KeyCode;

/// Statements `work` runs on the session's store.
fn traced(s: &mut Session, work: impl FnOnce(&mut Session)) -> Vec<String> {
    crate::store::trace_statements(s.store.conn());
    work(s);
    crate::store::traced_statements(s.store.conn())
}

/// Row `y` of the terminal as text.
fn screen_line(t: &Terminal<TestBackend>, y: usize) -> String {
    buffer_text(t.backend().buffer()).lines().nth(y).unwrap_or_default().to_string()
}

fn model() -> Model {
    Model::new(Config::default(), today(), Keymap::defaults(), "demo.db".into())
}

fn in_memory() -> (Session, Receiver<Msg>) {
    let mut store = Store::open_in_memory().unwrap();
    demo::generate(&mut store, Scale::Takahama, 2024, today()).unwrap();
    let (tx, rx) = mpsc::channel();
    let mut s = Session::start(store, model(), (160, 45), None, tx);
    s.settle();
    (s, rx)
}

/// Feeds what the index thread sends until the index is complete.
fn wait_for_index(s: &mut Session, rx: &Receiver<Msg>) {
    while !s.index_complete() {
        s.settle();
        if let Ok(msg) = rx.recv_timeout(Duration::from_millis(50)) {
            s.push(msg);
        }
    }
}

#[test]
fn the_first_frame_is_one_page_and_the_index_arrives_from_the_reader_thread() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("town.db");
    let mut store = Store::open(&path, None).unwrap();
    demo::generate(&mut store, Scale::Takahama, 2024, today()).unwrap();
    let all = store.case_count(true).unwrap() as usize;
    let open = store.case_count(false).unwrap() as usize;
    let (tx, rx) = mpsc::channel();
    let reader_path = path.clone();
    let reader: OpenReader = Box::new(move || Store::open_reader(&reader_path, None));
    let mut s = Session::start(store, model(), (160, 45), Some(reader), tx);
    s.settle();
    let l = &s.model.ledger;
    assert_eq!(l.building.map(|b| b.counts.all), Some(all), "the first frame counts what is coming");
    assert_eq!((l.rows.len(), l.open_count()), (open, open), "the page holds the open cases (fewer than a page)");
    let first = l.selected_id();
    assert!(s.model.ledger.detail.as_ref().is_some_and(|d| Some(d.case.id) == first), "its detail is read");
    let mut term = Terminal::new(TestBackend::new(160, 45)).unwrap();
    s.push(key(KeyCode::Char('/')));
    s.push(key(KeyCode::Char('や')));
    s.settle();
    s.draw(&mut term).unwrap();
    let top = screen_line(&term, 1);
    assert!(top.contains(&format!("読み込み中 0/{all}件")), "{top}");
    assert!(top.contains("検索・絞り込み・並び順は読み込み後に反映"), "{top}");
    assert_eq!(s.model.ledger.visible.len(), open, "the typed search waits");
    wait_for_index(&mut s, &rx);
    let l = &s.model.ledger;
    assert_eq!((l.rows.len(), l.open_count()), (all, open));
    assert!(l.visible.len() < open, "the search applied once the index landed");
    s.draw(&mut term).unwrap();
    assert!(!screen_line(&term, 1).contains("読み込み中"));
    s.push(key(KeyCode::Esc));
    s.settle();

    // Another writer's commit is read again on the reader, the selection kept.
    s.push(key(KeyCode::End));
    s.settle();
    let last = s.model.ledger.selected_id();
    s.push(Msg::StoreChanged);
    s.settle();
    let msg = rx.recv_timeout(Duration::from_secs(30)).unwrap();
    assert!(matches!(&msg, Msg::Ledger(LedgerMsg::Loaded(d)) if d.select == last), "{msg:?}");
}

#[test]
fn a_reader_that_cannot_open_leaves_the_index_to_the_main_connection() {
    let mut store = Store::open_in_memory().unwrap();
    demo::generate(&mut store, Scale::Takahama, 2024, today()).unwrap();
    let all = store.case_count(true).unwrap() as usize;
    let (tx, rx) = mpsc::channel();
    let reader: OpenReader = Box::new(|| Err(StoreError::WrongPassphrase));
    let mut s = Session::start(store, model(), (160, 45), Some(reader), tx);
    wait_for_index(&mut s, &rx);
    assert_eq!(s.model.ledger.rows.len(), all);
}

#[test]
fn keys_waiting_in_the_queue_read_one_detail() {
    let (mut s, _rx) = in_memory();
    let ran = traced(&mut s, |s| {
        for _ in 0..30 {
            s.push(key(KeyCode::Down));
        }
        s.settle();
    });
    let details = ran.iter().filter(|q| q.contains("FROM decisions WHERE case_id")).count();
    assert_eq!(details, 1, "{ran:#?}");
    let l = &s.model.ledger;
    assert_eq!(l.selected, 30);
    assert_eq!(l.detail.as_ref().map(|d| d.case.id), l.selected_id());
}

/// Every statement a move of the ledger's selection runs (the detail pane: the case, its
/// household, agencies, decisions and their meetings, actions, sheets, requests) finds its
/// rows through an index: a scan of a table would grow with the ledger.
#[test]
fn every_statement_of_a_selection_move_searches_an_index() {
    let (mut s, _rx) = in_memory();
    let ran = traced(&mut s, |s| {
        for _ in 0..s.model.ledger.visible.len() {
            s.push(key(KeyCode::Down));
            s.settle();
        }
    });
    let mut statements: Vec<&String> = ran.iter().collect();
    statements.sort();
    statements.dedup();
    assert!(statements.len() >= 7, "{statements:#?}");
    for sql in statements {
        let plan = crate::store::query_plan(s.store.conn(), sql);
        // json_each is the list of ids a statement was given, not a table.
        let scans: Vec<&String> =
            plan.iter().filter(|l| l.starts_with("SCAN") && !l.contains("VIRTUAL TABLE")).collect();
        assert!(scans.is_empty(), "{sql}\n{plan:#?}");
    }
}

/// The meeting and preparation screens and the minutes read the whole agenda's facts one
/// statement per kind; each statement finds its rows through an index, or reads a table that
/// does not grow with the ledger (institutions, meetings, sessions, settings).
#[test]
fn every_statement_of_the_meeting_screens_and_the_minutes_searches_an_index() {
    let mut store = Store::open_in_memory().unwrap();
    let sum = demo::generate(&mut store, Scale::Takahama, 2024, today()).unwrap();
    crate::store::trace_statements(store.conn());
    super::meeting::io::load(&store, sum.next_meeting, None).unwrap();
    super::prep::io::load(&store, Some(sum.next_meeting), None, today(), &Config::default()).unwrap();
    store.meeting_record(sum.next_meeting, false).unwrap();
    let ran = crate::store::traced_statements(store.conn());
    let mut statements: Vec<&String> = ran.iter().filter(|q| !q.starts_with("--")).collect();
    statements.sort();
    statements.dedup();
    let mut bad = Vec::new();
    for sql in statements {
        let plan = crate::store::query_plan(store.conn(), sql);
        // `m` and `s`: the meeting list's aliases of meetings and sessions.
        let small = |l: &str| {
            let table = l.split_whitespace().nth(1).unwrap_or_default();
            ["agencies", "meetings", "m", "sessions", "s", "settings"].contains(&table)
        };
        let scans: Vec<&String> =
            plan.iter().filter(|l| l.starts_with("SCAN") && !l.contains("VIRTUAL TABLE") && !small(l)).collect();
        if !scans.is_empty() {
            bad.push(format!("{sql}\n{scans:#?}"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n\n"));
}
