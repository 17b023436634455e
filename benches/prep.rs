//! Meeting preparation at 府中市 scale (1,560 cases; the demo builds the next meeting's agenda): writing every
//! institution's packet, loading the preparation screen, and a key to the next frame there.
//!
//! Run: cargo bench --bench prep
#![allow(clippy::unwrap_used)] // a benchmark may stop at its first failure

use chrono::NaiveDate;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use shinko::demo::{self, Scale};
use shinko::domain::{Config, Id};
use shinko::exchange::packets;
use shinko::store::Store;
use shinko::tui::keymap::Keymap;
use shinko::tui::model::{Model, Screen};
use shinko::tui::msg::{Effect, Msg};
use shinko::tui::prep::PrepEffect;
use shinko::tui::runtime::execute;
use shinko::tui::update::update;
use shinko::tui::view;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

/// An in-memory 府中市-sized demo with its next meeting's agenda.
fn store() -> (Store, Id) {
    let mut s = Store::open_in_memory().unwrap();
    let sum = demo::generate(&mut s, Scale::Fuchu, 1, today()).unwrap();
    eprintln!("agenda: {} items", s.agenda(sum.next_meeting).unwrap().len());
    (s, sum.next_meeting)
}

fn main() {
    divan::main();
}

/// Every institution's packet built in memory (.docx and .xlsx), without the disk.
#[divan::bench(sample_count = 10)]
fn all_packets_built(b: divan::Bencher) {
    let (s, meeting) = store();
    let config = Config::default();
    b.bench_local(|| {
        let mut bytes = 0;
        for p in packets::gather(&s, meeting, &config).unwrap() {
            bytes += packets::to_docx(&p, &config).unwrap().len();
            bytes += packets::to_xlsx(&p, &config).unwrap().len();
        }
        bytes
    });
}

fn prep_model(s: &mut Store) -> Model {
    let mut m = Model::new(Config::default(), today(), Keymap::defaults(), "bench.db".into());
    m.size = (160, 45);
    m.screen = Screen::Prep;
    let reply = execute(
        s,
        Effect::Prep(PrepEffect::Load { meeting: None, select: None, today: today(), config: Box::default() }),
    )
    .unwrap();
    update(&mut m, reply);
    m
}

/// Loading the preparation screen's data (agenda, cases, sheets) for the next meeting.
#[divan::bench(sample_count = 20)]
fn load_prep_screen(b: divan::Bencher) {
    let (mut s, _) = store();
    b.bench_local(|| {
        execute(
            &mut s,
            Effect::Prep(PrepEffect::Load { meeting: None, select: None, today: today(), config: Box::default() }),
        )
    });
}

/// Down on the preparation screen, then drawing the frame.
#[divan::bench]
fn prep_key_to_frame(b: divan::Bencher) {
    let (mut s, _) = store();
    let mut m = prep_model(&mut s);
    let mut t = Terminal::new(TestBackend::new(160, 45)).unwrap();
    b.bench_local(|| {
        update(&mut m, Msg::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE)));
        t.draw(|f| view::render(&m, f)).unwrap();
    });
}
