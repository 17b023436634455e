//! Random and damaged bytes never panic an importer: they read, or they give a problem.
#![allow(clippy::unwrap_used)] // tests may unwrap

use chrono::NaiveDate;
use proptest::prelude::*;
use shinko::domain::Config;
use shinko::exchange::ledger_columns::Mapping;
use shinko::exchange::ledger_import::{self, Known};
use shinko::exchange::sheet_import;
use shinko::exchange::table_reader::{Limits, read_bytes};

fn every_importer(bytes: &[u8]) {
    let cfg = Config::default();
    let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let limits = Limits { max_rows: 2_000, max_cell_bytes: 4_096 };
    if let Ok(t) = read_bytes("x", bytes, limits) {
        let _ = ledger_import::plan(&t, &Mapping::default(), &cfg, today, &Known::default());
        let _ = sheet_import::parse(&t, &cfg.sheet_items);
    }
}

fn xlsx_fixture() -> Vec<u8> {
    std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/intake/ledger_shuffled.xlsx")).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        every_importer(&bytes);
    }

    #[test]
    fn random_bytes_that_look_like_workbooks(magic in prop_oneof![Just(b"PK\x03\x04".to_vec()), Just(vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])],
                                             rest in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut b = magic;
        b.extend(rest);
        every_importer(&b);
    }

    #[test]
    fn damaged_workbook(cuts in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8), keep in any::<prop::sample::Index>()) {
        let mut b = xlsx_fixture();
        for (at, v) in cuts {
            let i = at.index(b.len());
            b[i] = v;
        }
        let n = keep.index(b.len()) + 1;
        every_importer(&b[..n]);
    }

    #[test]
    fn csv_like_text(text in "[ケース番号氏名生年月日受理日,\"\\n\r\u{202E}○0-9A-Za-z令和R./ ]{0,400}") {
        every_importer(text.as_bytes());
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&text);
        every_importer(&sjis);
    }
}
