//! Intake benchmarks: one institution's file of 10,000 filled sheet rows (DESIGN §5 scale),
//! read and checked, then stored in one transaction; the same for 10,000 monthly report rows
//! (定期的な情報提供, alerts raised as they are stored); and a 10,000-row ledger CSV planned.
//!
//! Run: cargo bench --bench intake
#![allow(clippy::unwrap_used)] // a benchmark may stop at its first failure

use std::sync::OnceLock;
use std::time::Duration;

use chrono::NaiveDate;
use shinko::domain::{Agency, AgencyKind, Case, Config};
use shinko::exchange::ledger_columns::Mapping;
use shinko::exchange::ledger_import::{self, Known};
use shinko::exchange::report_import;
use shinko::exchange::sheet_import::{self, Prefer};
use shinko::exchange::table_reader::{Limits, read_bytes};
use shinko::store::Store;

mod common;

const ROWS: usize = 10_000;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

fn number(i: usize) -> String {
    format!("R8-{i:05}")
}

/// A store with one school and its 10,000 children, in a temporary file (WAL, FULL sync).
fn store(dir: &std::path::Path) -> Store {
    let mut s = Store::open(&dir.join("intake-bench.db"), None).unwrap();
    s.write(|t| {
        let school = t.save_agency(&Agency {
            id: 0,
            code: "ES01".into(),
            name: "本町小学校".into(),
            kind: AgencyKind::PrimarySchool,
            contact: String::new(),
        })?;
        for i in 0..ROWS {
            let mut c = Case::blank(NaiveDate::from_ymd_opt(2024, 4, 1).unwrap());
            c.number = number(i);
            c.name = format!("児童 {i}");
            c.birth_date = NaiveDate::from_ymd_opt(2015, 1 + (i % 12) as u32, 1 + (i % 28) as u32);
            c.rank = "C".into();
            c.affiliation = Some(school);
            t.save_case(&c)?;
        }
        Ok(())
    })
    .unwrap();
    s
}

/// The school's filled sheet as CSV: header block, then 10,000 rows with ticks, notes, scale.
fn sheet_csv() -> &'static Vec<u8> {
    static CSV: OnceLock<Vec<u8>> = OnceLock::new();
    CSV.get_or_init(|| {
        let cfg = Config::default();
        let mut s =
            String::from("機関コード,ES01\n提出期限（対象期間の末日）,2026-12-10\n記入者,担任\n記入日,R8.12.1\n");
        s += "ケース番号,氏名,学年・年齢";
        for it in &cfg.sheet_items {
            s += &format!(",{}", it.label);
        }
        s += ",セーフティスケール（0〜10）\n";
        for i in 0..ROWS {
            s += &format!("{},児童 {i},小{}", number(i), 1 + i % 6);
            for (k, it) in cfg.sheet_items.iter().enumerate() {
                let v = match it.kind {
                    shinko::domain::config::SheetItemKind::Check if (i + k) % 5 == 0 => "○".to_string(),
                    shinko::domain::config::SheetItemKind::Check => String::new(),
                    shinko::domain::config::SheetItemKind::Text => format!("\"{}回目の面談で様子を確認した。\"", i % 7),
                };
                s += &format!(",{v}");
            }
            s += &format!(",{}\n", i % 11);
        }
        s.into_bytes()
    })
}

/// The school's filled monthly report for October as CSV: every 50th child away 7 days
/// without a word (the alert), the others a day or two.
fn report_csv() -> &'static Vec<u8> {
    static CSV: OnceLock<Vec<u8>> = OnceLock::new();
    CSV.get_or_init(|| {
        let mut s = String::from("機関コード,ES01\n対象月,2026-10\n提出期限,2026-11-10\n記入者,担任\n記入日,R8.11.5\n");
        s += "ケース番号,氏名,学年・年齢,授業日数,出席日数,欠席日数,うち連絡あり,うち連絡なし,遅刻・早退（回）,\
              連続欠席の最長日数,欠席理由,家庭・本人の様子,特記事項,転居・転出\n";
        for i in 0..ROWS {
            let (absent, unnotified, longest) = if i % 50 == 0 { (8, 7, 7) } else { (i % 3, 0, (i % 3).min(1)) };
            s += &format!(
                "{},児童 {i},小{},21,{},{absent},{},{unnotified},{},{longest},体調不良,元気に登校している,,\n",
                number(i),
                1 + i % 6,
                21 - absent,
                absent - unnotified,
                i % 2
            );
        }
        s.into_bytes()
    })
}

fn ledger_csv() -> &'static Vec<u8> {
    static CSV: OnceLock<Vec<u8>> = OnceLock::new();
    CSV.get_or_init(|| {
        let mut s = String::from("ケース番号,氏名,ふりがな,生年月日,登録区分,ランク,受理日,所属\n");
        for i in 0..ROWS {
            s += &format!(
                "{},児童 {i},じどう,H27.{}.{},要支援,C,R6.4.1,本町小学校\n",
                number(i),
                1 + i % 12,
                1 + i % 28
            );
        }
        s.into_bytes()
    })
}

fn main() {
    report_rows_floor();
    divan::main();
}

/// The SQLite floor of `report_rows_import`: the rows one import writes (reports, alerts and
/// their audit entries), inserted by raw SQL into the same fresh ledger in one transaction.
fn report_rows_floor() {
    let dir = tempfile::tempdir().unwrap();
    let before = dir.path().join("before.db");
    drop(store(dir.path()));
    std::fs::rename(dir.path().join("intake-bench.db"), &before).unwrap();
    let after = dir.path().join("after.db");
    std::fs::copy(&before, &after).unwrap();
    {
        let mut s = Store::open(&after, None).unwrap();
        let t = read_bytes("ES01_月次.csv", report_csv(), Limits::default()).unwrap();
        let plan = report_import::plan(&s, &[report_import::parse(&t, today())]).unwrap();
        report_import::apply(&mut s, &plan, &Config::default().monthly_reports).unwrap();
    }
    let rows = common::new_rows(&before, &after, &["monthly_reports", "report_alerts", "audit_log"]);
    let mut took: Vec<Duration> = (0..3)
        .map(|i| {
            let copy = dir.path().join(format!("floor-{i}.db"));
            std::fs::copy(&before, &copy).unwrap();
            common::write_floor(&copy, &rows, "")
        })
        .collect();
    took.sort();
    println!("report_rows_import SQLite floor ({} rows written): median {:.1?}", rows.len(), took[1]);
}

/// Read and check 10,000 sheet rows (no store).
#[divan::bench(sample_count = 10)]
fn sheet_rows_read_and_parse() -> usize {
    let cfg = Config::default();
    let t = read_bytes("ES01.csv", sheet_csv(), Limits::default()).unwrap();
    sheet_import::parse(&t, &cfg.sheet_items).rows.len()
}

/// The whole import of 10,000 sheet rows: read, parse, match every row to its case and
/// institution, and store them in one audited transaction (each run replaces the last).
#[divan::bench(sample_count = 5, sample_size = 1)]
fn sheet_rows_import(b: divan::Bencher) {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(dir.path());
    let cfg = Config::default();
    b.bench_local(|| {
        let t = read_bytes("ES01.csv", sheet_csv(), Limits::default()).unwrap();
        let f = sheet_import::parse(&t, &cfg.sheet_items);
        let plan = sheet_import::plan(&s, &[f], Some(Prefer::New)).unwrap();
        assert!(plan.problems.is_empty(), "{:?}", plan.problems);
        sheet_import::apply(&mut s, &plan).unwrap()
    });
}

/// The whole import of 10,000 monthly report rows: read, parse and check every cell, match
/// every row to its child and institution, and store them with their alerts in one audited
/// transaction (into a fresh ledger each time, so every run stores all of them).
#[divan::bench(sample_count = 5, sample_size = 1)]
fn report_rows_import(b: divan::Bencher) {
    let cfg = Config::default();
    b.with_inputs(|| {
        let dir = tempfile::tempdir().unwrap();
        let s = store(dir.path());
        (dir, s)
    })
    .bench_local_values(|(_dir, mut s)| {
        let t = read_bytes("ES01_月次.csv", report_csv(), Limits::default()).unwrap();
        let f = report_import::parse(&t, today());
        let plan = report_import::plan(&s, &[f]).unwrap();
        assert!(plan.problems.is_empty(), "{:?}", &plan.problems[..3.min(plan.problems.len())]);
        let done = report_import::apply(&mut s, &plan, &cfg.monthly_reports).unwrap();
        assert_eq!((done.reports, done.cases_alerted), (ROWS, ROWS / 50));
        done
    });
}

/// Planning a 10,000-row ledger CSV against an empty ledger (read, map headers, parse dates).
#[divan::bench(sample_count = 10)]
fn ledger_rows_plan() -> usize {
    let t = read_bytes("台帳.csv", ledger_csv(), Limits::default()).unwrap();
    let p = ledger_import::plan(&t, &Mapping::default(), &Config::default(), today(), &Known::default()).unwrap();
    p.drafts.len()
}
