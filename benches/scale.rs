//! What a user waits for on the ledger, at 85 / 1,560 / 100,000 cases (DESIGN §5, issue 19),
//! through the real runtime: key → update → effect → store → frame on ratatui's TestBackend
//! (`tui::runtime::Session`, which the event loop drives too). Each figure is printed beside
//! the SQLite floor for the same work (a bare rusqlite connection reading the same rows) and
//! the ratio; divan then times the same work again. The databases are generated once by the
//! demo generator and cached under target/bench-data.
//!
//! Run: cargo bench --bench scale (SCALE_TABLE=0 skips the table, SCALE_CASES=100000 keeps
//! one size).
#![allow(clippy::unwrap_used)] // a benchmark may stop at its first failure

mod common;

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rusqlite::Connection;
use shinko::domain::{Config, search};
use shinko::store::{CaseFilter, CaseRow, Store};
use shinko::tui::keymap::Keymap;
use shinko::tui::model::Model;
use shinko::tui::msg::Msg;
use shinko::tui::runtime::{OpenReader, Session};

const SCALES: [usize; 3] = [85, 1_560, 100_000];
const PASS: &str = "ベンチマーク用の合言葉";
const SIZE: (u16, u16) = (160, 45);

/// The plaintext demo of `cases` cases, or its encrypted copy.
fn db(cases: usize, encrypted: bool) -> PathBuf {
    let plain = common::cached_demo("scale", cases);
    if encrypted { common::cached_encrypted(&plain, PASS) } else { plain }
}

fn pass(encrypted: bool) -> Option<&'static str> {
    encrypted.then_some(PASS)
}

/// A running app on a test terminal, as `shinko` starts it: open, first page, index on
/// another thread.
struct App {
    session: Session,
    rx: Receiver<Msg>,
    term: Terminal<TestBackend>,
}

impl App {
    /// Opens the database and draws the first frame (the index is still being read).
    fn start(cases: usize, encrypted: bool) -> App {
        let path = db(cases, encrypted);
        let store = Store::open(&path, pass(encrypted)).unwrap();
        let model = Model::new(Config::default(), common::today(), Keymap::defaults(), "scale.db".into());
        let (tx, rx) = mpsc::channel();
        let reader: OpenReader = Box::new(move || Store::open_reader(&path, pass(encrypted)));
        let session = Session::start(store, model, SIZE, Some(reader), tx);
        let mut app = App { session, rx, term: Terminal::new(TestBackend::new(SIZE.0, SIZE.1)).unwrap() };
        app.frame();
        app
    }

    /// Started, with the index complete.
    fn ready(cases: usize) -> App {
        let mut app = App::start(cases, false);
        app.wait_for_index();
        app
    }

    fn wait_for_index(&mut self) {
        self.session.settle();
        while !self.session.index_complete() {
            let msg = self.rx.recv_timeout(Duration::from_secs(60)).unwrap();
            self.session.push(msg);
            self.session.settle();
        }
        self.frame();
    }

    /// Messages in, everything settled, one frame drawn.
    fn frame(&mut self) {
        while let Ok(msg) = self.rx.try_recv() {
            self.session.push(msg);
        }
        self.session.settle();
        self.session.draw(&mut self.term).unwrap();
    }

    fn key(&mut self, code: KeyCode) {
        self.session.push(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        self.frame();
    }
}

impl Drop for App {
    /// The index thread is let finish, so a sample never runs beside the last one's.
    fn drop(&mut self) {
        self.wait_for_index();
    }
}

/// One bare connection, keyed like the store's, for the floor.
fn raw(cases: usize, encrypted: bool) -> Connection {
    let c = Connection::open(db(cases, encrypted)).unwrap();
    if encrypted {
        c.pragma_update(None, "key", PASS).unwrap();
    }
    c
}

/// Reads every column of every row of `sql` (the floor's work: what sqlite3 would print).
fn drain(c: &Connection, sql: &str, arg: i64) -> usize {
    let mut st = c.prepare_cached(sql).unwrap();
    let n = st.column_count();
    let mut rows = st.query([arg]).unwrap();
    let mut bytes = 0;
    while let Some(r) = rows.next().unwrap() {
        for i in 0..n {
            bytes += match r.get_ref(i).unwrap() {
                rusqlite::types::ValueRef::Text(t) => t.len(),
                _ => 1,
            };
        }
    }
    bytes
}

/// The first screenful of the ledger's default view.
const FIRST_PAGE: &str = "SELECT id, number, name, kana, registration, rank, birth_date, due_date, household_id,
    lead_agency, affiliation, next_review, status FROM cases WHERE status = 'open' AND id > ?1 ORDER BY number LIMIT 45";

/// Everything the detail pane shows of one case.
const DETAIL: [&str; 7] = [
    "SELECT * FROM cases WHERE id = ?1",
    "SELECT * FROM cases WHERE household_id = (SELECT household_id FROM cases WHERE id = ?1)",
    "SELECT * FROM case_agencies WHERE case_id = ?1",
    "SELECT * FROM decisions WHERE case_id = ?1",
    "SELECT * FROM actions WHERE case_id = ?1",
    "SELECT * FROM sheets WHERE case_id = ?1",
    "SELECT * FROM sheet_requests WHERE case_id = ?1",
];

fn floor_first_page(cases: usize, encrypted: bool) {
    let c = raw(cases, encrypted);
    drain(&c, FIRST_PAGE, 0);
}

fn floor_detail(c: &Connection, id: i64) {
    for q in DETAIL {
        drain(c, q, id);
    }
}

/// Median and 99th percentile of `n` runs of `work` (its setup outside the clock, and what it
/// returns dropped outside it: an app's index thread finishes before the next run).
fn time<S, R>(n: usize, mut setup: impl FnMut() -> S, mut work: impl FnMut(&mut S) -> R) -> (Duration, Duration) {
    let mut t: Vec<Duration> = (0..n)
        .map(|_| {
            let mut s = setup();
            let start = Instant::now();
            let out = work(&mut s);
            let took = start.elapsed();
            drop(out);
            took
        })
        .collect();
    t.sort();
    (t[n / 2], t[(n * 99 / 100).min(n - 1)])
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn line(cases: usize, what: &str, ours: (Duration, Duration), floor: Duration) {
    let ratio = ours.0.as_secs_f64() / floor.as_secs_f64().max(1e-9);
    println!("{cases:>7} | {what:<34} | {:>9} | {:>9} | {:>9} | {ratio:>6.1}×", ms(ours.0), ms(ours.1), ms(floor));
}

/// The table of what a user waits for, beside the floor.
fn table(scales: &[usize]) {
    println!("  cases | work                               | median ms |    p99 ms |  floor ms |  ratio");
    for &n in scales {
        let runs = if n >= 100_000 { 15 } else { 40 };
        let first = time(runs, || (), |_| App::start(n, false));
        line(n, "first frame (plaintext)", first, time(runs, || (), |_| floor_first_page(n, false)).0);
        let enc = time(5, || (), |_| App::start(n, true));
        line(n, "first frame (encrypted, with KDF)", enc, time(5, || (), |_| floor_first_page(n, true)).0);
        let index = time(5, || (), |_| App::start(n, false).wait_for_index());
        let full = Store::open(&db(n, false), None).unwrap();
        let rows = time(5, || (), |_| black_box(full.case_rows().unwrap()));
        line(n, "start → index complete", index, rows.0);

        let mut app = App::ready(n);
        let c = raw(n, false);
        let mut ids = Vec::new();
        let down = time(
            200,
            || (),
            |_| {
                app.key(KeyCode::Down);
                ids.push(app.session.model.ledger.selected_id().unwrap_or(0));
            },
        );
        let mut next = ids.iter().cycle();
        let floor = time(200, || (), |_| floor_detail(&c, *next.next().unwrap()));
        line(n, "↓ → frame (detail read)", down, floor.0);

        let held = time(
            20,
            || (),
            |_| {
                for _ in 0..30 {
                    app.session.push(Msg::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE)));
                }
                app.frame();
            },
        );
        line(n, "30 ↓ queued → one frame", held, floor.0);

        app.key(KeyCode::Home);
        app.key(KeyCode::Char('/'));
        let mut typed = false;
        let search = time(
            100,
            || (),
            |_| {
                app.key(if typed { KeyCode::Backspace } else { KeyCode::Char('や') });
                typed = !typed;
            },
        );
        let words = search::query_words("や");
        let f = CaseFilter { query: "や".into(), ..Default::default() };
        let rows: Vec<CaseRow> = full.case_rows().unwrap();
        let floor = time(100, || (), |_| black_box(rows.iter().filter(|r| r.passes(&f, &words)).count()));
        line(n, "search key → frame (selection moves)", search, floor.0);

        // Typing on: や, ま, だ each narrow what the key before showed.
        let mut each = Vec::new();
        for _ in 0..20 {
            app.key(KeyCode::Esc);
            app.key(KeyCode::Char('/'));
            for c in "やまだ".chars() {
                let start = Instant::now();
                app.key(KeyCode::Char(c));
                each.push(start.elapsed());
            }
        }
        each.sort();
        let typing = (each[each.len() / 2], each[each.len() * 99 / 100]);
        line(n, "typing やまだ, each key → frame", typing, floor.0);
    }
    println!("floor: a bare rusqlite connection reading the same rows (first page, one case's detail");
    println!("rows, every light row); for search the in-memory filter alone.");
}

fn main() {
    let scales: Vec<usize> = match std::env::var("SCALE_CASES") {
        Ok(v) => v.split(',').filter_map(|s| s.trim().parse().ok()).collect(),
        Err(_) => SCALES.to_vec(),
    };
    for &n in &scales {
        db(n, true);
    }
    if std::env::var("SCALE_TABLE").as_deref() != Ok("0") {
        table(&scales);
    }
    divan::main();
}

/// Open, first page, first frame (the app is dropped, its index read, after the clock).
#[divan::bench(args = SCALES, sample_count = 10, sample_size = 1)]
fn first_frame(n: usize) -> App {
    App::start(n, false)
}

/// ↓ then the frame, with the new case's detail read.
#[divan::bench(args = SCALES, sample_count = 200)]
fn key_down_to_frame(b: divan::Bencher, n: usize) {
    let mut app = App::ready(n);
    b.bench_local(|| app.key(KeyCode::Down));
}

/// A typed search character then the frame; the next sample deletes it again, so every sample
/// is one keystroke over the whole ledger (the selection moves each time).
#[divan::bench(args = SCALES, sample_count = 100)]
fn search_key_to_frame(b: divan::Bencher, n: usize) {
    let mut app = App::ready(n);
    app.key(KeyCode::Char('/'));
    let mut typed = false;
    b.bench_local(|| {
        app.key(if typed { KeyCode::Backspace } else { KeyCode::Char('や') });
        typed = !typed;
    });
}
