//! What a user waits for at the command line: each command run as a process of the release
//! binary on demo databases of 85, 1,560 and 100,000 cases, its wall time and peak memory,
//! beside the SQLite floor for the same work (the same rows read, or the same rows written
//! in one transaction, as raw SQL on the same file) and the ratio.
//!
//! Run: cargo bench --bench cli   (SHINKO_BENCH_CASES=85,1560 leaves out the largest;
//! SHINKO_BENCH_BIN=path runs another build of shinko, to compare before and after)
//! The databases are generated once by the demo generator and cached (see benches/common).
#![allow(clippy::unwrap_used)] // a benchmark may stop at its first failure

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use rusqlite::Connection;

/// A meeting of 100 decided cases (id 900), cut from the demo's past meeting: what the
/// minutes of an ordinary meeting read, in a ledger of any size.
const SMALL_MEETING: &str = "
INSERT INTO meetings(id, kind, title, place, chair, recorder, status, created_at)
  SELECT 900, kind, '100件の会議', place, chair, recorder, status, created_at FROM meetings WHERE status = 'closed' ORDER BY id LIMIT 1;
INSERT INTO sessions(meeting_id, label, date, start, end, section, position)
  SELECT 900, label, date, start, end, section, position FROM sessions
  WHERE meeting_id = (SELECT id FROM meetings WHERE status = 'closed' AND id <> 900 ORDER BY id LIMIT 1);
CREATE TEMP TABLE pick AS SELECT case_id FROM decisions
  WHERE meeting_id = (SELECT id FROM meetings WHERE status = 'closed' AND id <> 900 ORDER BY id LIMIT 1) ORDER BY id LIMIT 100;
INSERT INTO agenda_items(meeting_id, session_id, case_id, block, position, track, reasons, draft, questions, locked, state, elapsed_secs)
  SELECT 900, (SELECT min(id) FROM sessions WHERE meeting_id = 900), case_id, block, position, track, reasons, draft, questions, locked, state, elapsed_secs
  FROM agenda_items WHERE case_id IN (SELECT case_id FROM pick) GROUP BY case_id;
INSERT INTO decisions(meeting_id, case_id, as_proposed, status_summary, rank_before, rank_after, kind, reason, support_policy, next_review, new_lead_agency, notes, decided_at, case_seen)
  SELECT 900, case_id, as_proposed, status_summary, rank_before, rank_after, kind, reason, support_policy, next_review, new_lead_agency, notes, decided_at, case_seen
  FROM decisions WHERE case_id IN (SELECT case_id FROM pick) GROUP BY case_id;
";

/// A working copy of the cached demo of `cases` cases, with the 100-case meeting added.
fn working_copy(cases: usize) -> PathBuf {
    let work = common::dir().join(format!("cli-work-{cases}.db"));
    for suffix in ["", "-wal", "-shm", ".open-lock"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", work.display()));
    }
    std::fs::copy(common::cached_demo("cli", cases), &work).unwrap();
    Connection::open(&work).unwrap().execute_batch(SMALL_MEETING).unwrap();
    work
}

/// Wall time and peak resident memory (MB) of one run of the release binary.
fn run(db: &Path, args: &[&str]) -> (Duration, u64) {
    let start = Instant::now();
    // SHINKO_BENCH_BIN: another build to compare with (an earlier commit's release binary).
    let bin = std::env::var_os("SHINKO_BENCH_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_shinko").into());
    let child = Command::new(bin)
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("SHINKO_CONFIG")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let (status, rss) = wait_with_rusage(child);
    let took = start.elapsed();
    assert!(status, "shinko {} failed", args.join(" "));
    (took, rss)
}

#[cfg(unix)]
fn wait_with_rusage(child: std::process::Child) -> (bool, u64) {
    let mut status = 0;
    // SAFETY: wait4 on our own child's pid, writing into locals.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid);
    // ru_maxrss is in kilobytes on Linux.
    (libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, usage.ru_maxrss as u64 / 1024)
}

#[cfg(not(unix))]
fn wait_with_rusage(mut child: std::process::Child) -> (bool, u64) {
    (child.wait().unwrap().success(), 0)
}

/// Steps through every row of `sql`, touching every column: the floor of a read.
fn read_floor(db: &Path, sqls: &[&str]) -> Duration {
    let c = Connection::open(db).unwrap();
    let start = Instant::now();
    let tx = c.unchecked_transaction().unwrap();
    for sql in sqls {
        let mut st = tx.prepare(sql).unwrap();
        let n = st.column_count();
        let mut rows = st.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            for i in 0..n {
                std::hint::black_box(r.get_ref(i).unwrap());
            }
        }
    }
    drop(tx);
    start.elapsed()
}

fn copy(from: &Path, to: &str) -> PathBuf {
    let p = common::dir().join(to);
    for suffix in ["", "-wal", "-shm", ".open-lock"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", p.display()));
    }
    // Through SQLite: the copy must hold what the WAL of `from` has.
    Connection::open(from).unwrap().execute("VACUUM INTO ?1", [p.to_string_lossy()]).unwrap();
    p
}

/// A sheet file of up to 10,000 rows: the open children of the institution with the most.
fn sheet_file(db: &Path, cases: usize) -> PathBuf {
    let c = Connection::open(db).unwrap();
    let code: String = c
        .query_row(
            "SELECT a.code FROM cases c JOIN agencies a ON a.id = c.affiliation WHERE c.status = 'open'
             GROUP BY a.code ORDER BY count(*) DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut s = format!(
        "機関コード,{code}\n提出期限（対象期間の末日）,2027-01-10\n記入者,担任\n記入日,R8.12.20\nケース番号,氏名,ふりがな,セーフティスケール（0〜10）\n"
    );
    let mut st = c
        .prepare(
            "SELECT c.number, c.name, c.kana, c.id % 11 FROM cases c JOIN agencies a ON a.id = c.affiliation
             WHERE c.status = 'open' AND a.code = ?1 ORDER BY c.number LIMIT 10000",
        )
        .unwrap();
    let rows = st
        .query_map([&code], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?))
        })
        .unwrap();
    for r in rows {
        let (n, name, kana, scale) = r.unwrap();
        s += &format!("{n},{name},{kana},{scale}\n");
    }
    let p = common::dir().join(format!("cli-sheets-{cases}.csv"));
    std::fs::write(&p, s).unwrap();
    p
}

/// The monthly report (June 2026) of the same institution's children, up to 10,000 rows:
/// every 50th away 7 days without a word (an alert), the others a day or two.
fn report_file(db: &Path, cases: usize) -> PathBuf {
    let sheets = std::fs::read_to_string(common::dir().join(format!("cli-sheets-{cases}.csv"))).unwrap();
    let code = sheets.lines().next().and_then(|l| l.split(',').nth(1)).unwrap().to_string();
    let mut s = format!("機関コード,{code}\n対象月,2026-06\n提出期限,2026-07-10\n記入者,担任\n記入日,R8.7.3\n");
    s += "ケース番号,氏名,授業日数,出席日数,欠席日数,うち連絡あり,うち連絡なし,遅刻・早退（回）,連続欠席の最長日数,欠席理由,家庭・本人の様子,特記事項,転居・転出\n";
    let c = Connection::open(db).unwrap();
    let mut st = c
        .prepare(
            "SELECT c.number, c.name FROM cases c JOIN agencies a ON a.id = c.affiliation
             WHERE c.status = 'open' AND a.code = ?1 ORDER BY c.number LIMIT 10000",
        )
        .unwrap();
    let rows = st.query_map([&code], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))).unwrap();
    for (i, r) in rows.enumerate() {
        let (n, name) = r.unwrap();
        let (absent, unnotified, longest) = if i % 50 == 0 { (8, 7, 7) } else { (i % 3, 0, (i % 3).min(1)) };
        s += &format!(
            "{n},{name},21,{},{absent},{},{unnotified},{},{longest},体調不良,元気に登校している,,\n",
            21 - absent,
            absent - unnotified,
            i % 2
        );
    }
    let p = common::dir().join(format!("cli-reports-{cases}.csv"));
    std::fs::write(&p, s).unwrap();
    p
}

/// Prints one figure as soon as it is measured (a slow command of an older build need not
/// hold back the ones before it).
fn line(what: &str, (took, rss): (Duration, u64), floor: Option<Duration>) {
    let (floor, ratio) = match floor {
        Some(f) => (format!("{f:.1?}"), format!("{:.1}×", took.as_secs_f64() / f.as_secs_f64().max(1e-6))),
        None => ("-".into(), "-".into()),
    };
    println!("{what:<30} {:>10} {rss:>8} {floor:>10} {ratio:>8}", format!("{took:.1?}"));
}

fn bench(cases: usize) {
    let db = working_copy(cases);
    let next: i64 = Connection::open(&db)
        .unwrap()
        .query_row("SELECT id FROM meetings WHERE status = 'planned' ORDER BY id LIMIT 1", [], |r| r.get(0))
        .unwrap();
    let big: i64 = Connection::open(&db)
        .unwrap()
        .query_row("SELECT id FROM meetings WHERE status = 'closed' AND id <> 900 ORDER BY id LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    let next_s = next.to_string();
    let big_s = big.to_string();
    println!("\n{cases} cases");
    println!("{:<30} {:>10} {:>8} {:>10} {:>8}", "command", "time", "peak MB", "floor", "ratio");

    // Triage: the agenda built once, then rebuilt with nothing changed.
    run(&db, &["agenda", "build", "--meeting", &next_s]);
    let due_reads = [
        "SELECT * FROM cases WHERE status = 'open' AND (next_review IS NULL OR next_review <= date('now', '+1 month'))",
        "SELECT s.* FROM sheets s JOIN cases c ON c.id = s.case_id WHERE c.status = 'open'
           AND (c.next_review IS NULL OR c.next_review <= date('now', '+1 month'))",
    ];
    line(
        "agenda build (unchanged)",
        run(&db, &["agenda", "build", "--meeting", &next_s]),
        Some(read_floor(&db, &due_reads)),
    );

    // From empty: the same items and audit entries written by SQL are the floor.
    let empty = copy(&db, &format!("cli-empty-{cases}.db"));
    Connection::open(&empty).unwrap().execute("DELETE FROM agenda_items WHERE meeting_id = ?1", [next]).unwrap();
    let before = copy(&empty, &format!("cli-empty-before-{cases}.db"));
    let m = run(&empty, &["agenda", "build", "--meeting", &next_s]);
    // The rows are dropped before the next command: a child starts as a copy of this process,
    // and its peak memory would count them.
    let floor = common::write_floor(&before, &common::new_rows(&before, &empty, &["agenda_items", "audit_log"]), "");
    line("agenda build (from empty)", m, Some(floor));

    let sheets = sheet_file(&db, cases);
    let before = copy(&db, &format!("cli-sheets-before-{cases}.db"));
    let m = run(&db, &["sheets", "import", &sheets.to_string_lossy()]);
    let (floor, n) = {
        let rows = common::new_rows(&before, &db, &["sheets", "audit_log"]);
        (common::write_floor(&before, &rows, ""), rows.iter().filter(|r| r.0 == "sheets").count())
    };
    line(&format!("sheets import ({n} rows)"), m, Some(floor));

    let reports = report_file(&db, cases);
    let before = copy(&db, &format!("cli-reports-before-{cases}.db"));
    let m = run(&db, &["reports", "import", &reports.to_string_lossy()]);
    let (floor, n) = {
        let rows = common::new_rows(&before, &db, &["monthly_reports", "report_alerts", "audit_log"]);
        (common::write_floor(&before, &rows, ""), rows.iter().filter(|r| r.0 == "monthly_reports").count())
    };
    line(&format!("reports import ({n} rows)"), m, Some(floor));

    let out = common::dir().join("cli-out");
    std::fs::create_dir_all(&out).unwrap();
    let o = |name: &str| out.join(name).to_string_lossy().to_string();
    let meeting_reads = |id: i64| {
        vec![
            format!("SELECT * FROM agenda_items WHERE meeting_id = {id}"),
            format!("SELECT * FROM decisions WHERE meeting_id = {id}"),
            format!("SELECT * FROM actions WHERE meeting_id = {id} OR reviewed_in = {id}"),
            format!("SELECT * FROM cases WHERE id IN (SELECT case_id FROM agenda_items WHERE meeting_id = {id})"),
        ]
    };
    let reads = meeting_reads(900);
    let reads: Vec<&str> = reads.iter().map(String::as_str).collect();
    line(
        "minutes (100 cases, md)",
        run(&db, &["minutes", "--meeting", "900", "--format", "md", "--force", "--out", &o("m.md")]),
        Some(read_floor(&db, &reads)),
    );
    let mut masked_reads = reads.clone();
    masked_reads.push("SELECT name, kana, people FROM cases");
    line(
        "minutes (100 cases, masked)",
        run(&db, &["minutes", "--meeting", "900", "--format", "docx", "--masked", "--force", "--out", &o("m.docx")]),
        Some(read_floor(&db, &masked_reads)),
    );
    let reads = meeting_reads(big);
    let reads: Vec<&str> = reads.iter().map(String::as_str).collect();
    let items: i64 = Connection::open(&db)
        .unwrap()
        .query_row("SELECT count(*) FROM agenda_items WHERE meeting_id = ?1", [big], |r| r.get(0))
        .unwrap();
    line(
        &format!("minutes ({items} items, md)"),
        run(&db, &["minutes", "--meeting", &big_s, "--format", "md", "--force", "--out", &o("big.md")]),
        Some(read_floor(&db, &reads)),
    );
    line(
        "sheets merged (json)",
        run(&db, &["sheets", "merged", "--format", "json"]),
        Some(read_floor(
            &db,
            &["SELECT s.* FROM sheets s JOIN cases c ON c.id = s.case_id WHERE c.status = 'open' ORDER BY c.number"],
        )),
    );
    let all_cases = ["SELECT * FROM cases ORDER BY number"];
    line(
        "ledger export (csv)",
        run(&db, &["ledger", "export", "--force", &o("l.csv")]),
        Some(read_floor(&db, &all_cases)),
    );
    line(
        "ledger export (xlsx)",
        run(&db, &["ledger", "export", "--force", &o("l.xlsx")]),
        Some(read_floor(&db, &all_cases)),
    );
    let stats_reads = ["SELECT * FROM cases", "SELECT * FROM decisions", "SELECT * FROM actions"];
    line(
        "stats (json)",
        run(&db, &["stats", "--format", "json", "--fiscal-year", "2026"]),
        Some(read_floor(&db, &stats_reads)),
    );
    line(
        "audit verify",
        run(&copy(&common::cached_demo("cli", cases), &format!("cli-audit-{cases}.db")), &["audit", "verify"]),
        Some(read_floor(&db, &["SELECT * FROM audit_log ORDER BY seq"])),
    );
}

fn main() {
    let sizes: Vec<usize> = std::env::var("SHINKO_BENCH_CASES")
        .unwrap_or_else(|_| "85,1560,100000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    for n in sizes {
        bench(n);
    }
}
