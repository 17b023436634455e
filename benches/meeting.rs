//! Meeting-screen benchmarks on the 高浜町-sized demo meeting (85 cases; the agenda the demo
//! builds for its next meeting): loading the screen's data, key-to-frame while walking the
//! agenda, and one quick item accepted and stored.
//!
//! Run: cargo bench --bench meeting
#![allow(clippy::unwrap_used)] // a benchmark may stop at its first failure

use std::sync::OnceLock;

use chrono::NaiveDate;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use shinko::demo::{self, Scale};
use shinko::domain::meeting::live;
use shinko::domain::{Config, Id, ItemState, Track};
use shinko::store::Store;
use shinko::tui::keymap::Keymap;
use shinko::tui::meeting::io as meeting_io;
use shinko::tui::model::{Model, Screen};
use shinko::tui::msg::Msg;
use shinko::tui::{update, view};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

struct Fixture {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    meeting: Id,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("meeting-bench.db");
        let mut s = Store::open(&path, None).unwrap();
        let sum = demo::generate(&mut s, Scale::Takahama, 2024, today()).unwrap();
        s.start_meeting(sum.next_meeting).unwrap();
        Fixture { _dir: dir, path, meeting: sum.next_meeting }
    })
}

fn main() {
    fixture();
    divan::main();
}

/// Everything the meeting screen shows (agenda with merged sheets and history, attendance,
/// actions to review), read in one go.
#[divan::bench(sample_count = 20)]
fn load_meeting_screen() -> usize {
    let f = fixture();
    let s = Store::open(&f.path, None).unwrap();
    meeting_io::load(&s, f.meeting, None).unwrap().items.len()
}

/// Down on the agenda (update) and the next frame drawn at 160x45.
#[divan::bench]
fn key_to_frame_160x45(b: divan::Bencher) {
    let f = fixture();
    let s = Store::open(&f.path, None).unwrap();
    let mut m = Model::new(Config::default(), today(), Keymap::defaults(), "bench.db".into());
    m.size = (160, 45);
    m.screen = Screen::Meeting;
    let data = meeting_io::load(&s, f.meeting, None).unwrap();
    m.meeting.opened = true;
    m.meeting.phase = live::Phase::Agenda;
    m.meeting.data = Some(data);
    let first = m.meeting.data.as_ref().unwrap().items[0].item.id;
    m.meeting.data.as_mut().unwrap().meeting.current_item = Some(first);
    let mut t = Terminal::new(TestBackend::new(160, 45)).unwrap();
    let down = Msg::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE));
    let up = Msg::Key(KeyEvent::new(KeyCode::Up, KeyModifiers::NONE));
    let mut flip = false;
    b.bench_local(|| {
        flip = !flip;
        let fx = update::update(&mut m, if flip { down.clone() } else { up.clone() });
        t.draw(|fr| view::render(&m, fr)).unwrap();
        fx.len()
    });
}

/// A quick item accepted as proposed and stored (decision, item, current item, in one
/// transaction with its audit entries), then put back so every sample does the same work.
#[divan::bench(sample_count = 20)]
fn accept_quick_item_stored(b: divan::Bencher) {
    let f = fixture();
    let mut s = Store::open(&f.path, None).unwrap();
    let cfg = Config::default();
    let item = s.agenda(f.meeting).unwrap().into_iter().find(|i| i.track == Track::Quick).unwrap();
    b.bench_local(|| {
        s.accept_item(&cfg, item.id, None).unwrap();
        let mut back = s.agenda_item(item.id).unwrap();
        back.state = ItemState::Pending;
        s.update_item(&back, Some(item.id)).unwrap();
    });
}
