//! Scale benchmarks on a 100,000-case database (DESIGN §5). The database is generated once
//! by the demo generator and cached under target/bench-data.
//!
//! Run: cargo bench --bench scale
#![allow(clippy::unwrap_used)] // a benchmark may stop at its first failure

mod common;

use std::path::PathBuf;
use std::sync::OnceLock;

use common::today;
use shinko::domain::search;
use shinko::store::{CaseFilter, CaseRow, CaseSort, Store};

const CASES: usize = 100_000;

/// Path of the cached 100k database, generating it on first use.
fn db() -> &'static PathBuf {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| common::cached_demo("scale", CASES))
}

fn rows() -> &'static Vec<CaseRow> {
    static ROWS: OnceLock<Vec<CaseRow>> = OnceLock::new();
    ROWS.get_or_init(|| Store::open(db(), None).unwrap().case_rows().unwrap())
}

fn main() {
    db();
    divan::main();
}

/// Opening the database and loading every row for the in-memory index: the work before the
/// ledger's first frame.
#[divan::bench(sample_count = 10)]
fn open_and_load_index() -> usize {
    let s = Store::open(db(), None).unwrap();
    s.case_rows().unwrap().len()
}

/// The first page of the ledger straight from SQLite (keyset paging, no full load).
#[divan::bench]
fn first_page_keyset() -> usize {
    let s = Store::open(db(), None).unwrap();
    s.case_page(&CaseFilter::default(), CaseSort::NextReview, None, 50).unwrap().len()
}

/// One keystroke of search-as-you-type over all 100,000 rows in memory.
#[divan::bench(args = ["や", "やまだ", "ﾔﾏﾀﾞ ﾋﾏﾘ", "R7-0"])]
fn search_keystroke(q: &str) -> usize {
    let words = search::query_words(q);
    let f = CaseFilter { query: q.to_string(), ..Default::default() };
    rows().iter().filter(|r| r.passes(&f, &words)).take(usize::MAX).count()
}

mod tui {
    //! The TUI on 100,000 cases: the first frame, and one key from press to finished frame
    //! (`update` plus a full draw at 160x45 on ratatui's TestBackend).

    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use shinko::domain::Config;
    use shinko::store::Store;
    use shinko::tui::keymap::Keymap;
    use shinko::tui::ledger::{LedgerData, LedgerMsg};
    use shinko::tui::model::Model;
    use shinko::tui::msg::Msg;
    use shinko::tui::update::update;
    use shinko::tui::view;

    fn key(code: KeyCode) -> Msg {
        Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    fn loaded(rows: Vec<shinko::store::CaseRow>, agencies: Vec<shinko::domain::Agency>) -> Model {
        let mut m = Model::new(Config::default(), super::today(), Keymap::defaults(), "scale.db".into());
        update(&mut m, Msg::Resize(160, 45));
        update(
            &mut m,
            Msg::Ledger(LedgerMsg::Loaded(Box::new(LedgerData { rows, agencies, municipality: None, select: None }))),
        );
        m
    }

    /// Open, load the index, build the model, draw: what stands between start and first frame.
    #[divan::bench(sample_count = 10)]
    fn first_frame() {
        let s = Store::open(super::db(), None).unwrap();
        let m = loaded(s.case_rows().unwrap(), s.agencies().unwrap());
        let mut t = Terminal::new(TestBackend::new(160, 45)).unwrap();
        t.draw(|f| view::render(&m, f)).unwrap();
    }

    /// ↓ then a frame.
    #[divan::bench]
    fn key_down_to_frame(b: divan::Bencher) {
        let s = Store::open(super::db(), None).unwrap();
        let mut m = loaded(super::rows().clone(), s.agencies().unwrap());
        let mut t = Terminal::new(TestBackend::new(160, 45)).unwrap();
        b.bench_local(|| {
            update(&mut m, key(KeyCode::Down));
            t.draw(|f| view::render(&m, f)).unwrap();
        });
    }

    /// A typed search character (refiltering all rows) then a frame; the next iteration
    /// deletes it again, so every sample is one keystroke over the full ledger.
    #[divan::bench]
    fn search_key_to_frame(b: divan::Bencher) {
        let s = Store::open(super::db(), None).unwrap();
        let mut m = loaded(super::rows().clone(), s.agencies().unwrap());
        update(&mut m, key(KeyCode::Char('/')));
        let mut t = Terminal::new(TestBackend::new(160, 45)).unwrap();
        let mut typed = false;
        b.bench_local(|| {
            update(&mut m, key(if typed { KeyCode::Backspace } else { KeyCode::Char('や') }));
            typed = !typed;
            t.draw(|f| view::render(&m, f)).unwrap();
        });
    }
}
