//! The Windows build, driven under wine with a Japanese locale through the loop a secretariat
//! runs on its own PC: demo, sheet templates, import of a filled template by a cmd-style
//! wildcard, agenda and packets, minutes, schedule, backup and restore, encryption and a
//! passphrase change, a listing piped into a reader that closes early. Every file written is
//! opened and checked.
//!
//! It runs when SHINKO_WINDOWS_EXE names the cross-built `shinko.exe` (`.ci/run` builds it and
//! sets it, with SHINKO_WINE_SHIM naming the ProcessPrng stand-in for wine 8, see
//! tests/wine/processprng.c); without it the test says so and passes, since a developer's
//! `cargo test` need not have wine.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;
mod intake {
    pub mod common;
}

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use intake::common::{fill, first_child, grid, set_meta, write_xlsx};

struct Wine {
    exe: PathBuf,
    prefix: PathBuf,
    work: PathBuf,
    _dir: tempfile::TempDir,
}

impl Wine {
    /// A fresh wine prefix and a work folder with the .exe (and the shim beside it).
    fn new(exe: &Path) -> Wine {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::copy(exe, bin.join("shinko.exe")).unwrap();
        if let Ok(shim) = std::env::var("SHINKO_WINE_SHIM") {
            std::fs::copy(shim, bin.join("bcryptprimitives.dll")).unwrap();
        }
        let work = dir.path().join("作業");
        std::fs::create_dir_all(&work).unwrap();
        Wine { exe: bin.join("shinko.exe"), prefix: dir.path().join("prefix"), work, _dir: dir }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new("wine");
        c.arg(&self.exe)
            .args(args)
            .current_dir(&self.work)
            .env("WINEPREFIX", &self.prefix)
            .env("WINEDEBUG", "-all")
            // The shim beside the .exe wins over wine's own bcryptprimitives.
            .env("WINEDLLOVERRIDES", "bcryptprimitives=n,b;mscoree,mshtml=")
            .env("LANG", "ja_JP.UTF-8")
            .env("LC_ALL", "ja_JP.UTF-8")
            .env("SHINKO_TODAY", "2026-11-24")
            .env("SHINKO_DB", "demo.db")
            .env_remove("SHINKO_CONFIG")
            .env_remove("SHINKO_PASSPHRASE")
            .env_remove("SHINKO_NEW_PASSPHRASE");
        c
    }

    /// Runs one step, prints its time, and fails with what shinko said.
    fn step(&self, what: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
        let start = Instant::now();
        let run = || {
            let mut c = self.command(args);
            for (k, v) in env {
                c.env(k, v);
            }
            c.output().expect("wine runs")
        };
        let mut o = run();
        // Under load, wine has once ended a process that had done its work and said so with a
        // failing status and no error at all. Such a run is said and run once more; a failure
        // with shinko's own message (「エラー」) is never retried.
        if !o.status.success() && !String::from_utf8_lossy(&o.stderr).contains("エラー") {
            eprintln!("wine: {what}: ended with {:?} and no error message; running it again", o.status.code());
            o = run();
        }
        let err = String::from_utf8_lossy(&o.stderr);
        eprintln!(
            "wine: {what}: {} ({:.1} s)",
            if o.status.success() { "ok" } else { "FAILED" },
            start.elapsed().as_secs_f64()
        );
        assert!(o.status.success(), "{what} failed under wine ({:?}): {err}", o.status.code());
        assert!(!err.contains("panicked"), "{what} panicked: {err}");
        o
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.work.join(rel)
    }
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    v.sort();
    v
}

/// An Office file (or any zip) whose `part` holds `needle`.
fn zip_part_contains(path: &Path, part: &str, needle: &str) -> bool {
    let f = std::fs::File::open(path).unwrap();
    let mut z = zip::ZipArchive::new(f).unwrap_or_else(|e| panic!("{} is not a zip: {e}", path.display()));
    let mut text = String::new();
    z.by_name(part).unwrap().read_to_string(&mut text).unwrap();
    text.contains(needle)
}

fn xlsx_opens(path: &Path) -> usize {
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = wb.sheet_names()[0].clone();
    wb.worksheet_range(&name).unwrap().height()
}

fn is_encrypted(path: &Path) -> bool {
    !std::fs::read(path).unwrap().starts_with(b"SQLite format 3\0")
}

#[test]
fn the_windows_build_runs_the_whole_loop_under_wine() {
    let Ok(exe) = std::env::var("SHINKO_WINDOWS_EXE") else {
        eprintln!(
            "SHINKO_WINDOWS_EXE が未設定のため、wine での Windows 版の確認はスキップしました（.ci/run が実行します）"
        );
        return;
    };
    let w = Wine::new(Path::new(&exe));

    w.step("demo", &["demo", "--no-tui"], &[]);
    assert!(w.path("demo.db").is_file());

    w.step("sheets templates", &["sheets", "templates", "--due", "R8.12.10", "--out", "様式"], &[]);
    let templates = files_in(&w.path("様式"));
    assert!(templates.len() > 3, "{templates:?}");
    for t in &templates {
        assert!(xlsx_opens(t) > 5, "{} has no rows", t.display());
    }

    // A school fills its template; the clerk imports it as cmd would pass it: backslash and *.
    let mut g = grid(&templates[0]);
    let child = first_child(&g);
    set_meta(&mut g, "記入者", "山田 花子");
    set_meta(&mut g, "記入日", "2026-12-03");
    fill(&mut g, &child, &[("良い変化", "登校が安定した"), ("セーフティスケール", "7")]);
    std::fs::create_dir_all(w.path("記入済")).unwrap();
    write_xlsx(&g, &w.path("記入済/本町小_記入済.xlsx"));
    let o = w.step("sheets import (wildcard)", &["sheets", "import", r"記入済\*.xlsx"], &[]);
    let said = String::from_utf8_lossy(&o.stderr);
    assert!(said.contains("シート 1 件"), "{said}");

    w.step("agenda build", &["agenda", "build", "--meeting", "2"], &[]);
    w.step("agenda packets", &["agenda", "packets", "--meeting", "2", "--out", "事前送付"], &[]);
    let packets = files_in(&w.path("事前送付"));
    assert!(!packets.is_empty());
    for p in &packets {
        if p.extension().is_some_and(|e| e == "xlsx") {
            xlsx_opens(p);
        }
    }

    w.step("minutes docx", &["minutes", "--meeting", "1", "--format", "docx", "--out", "会議録.docx"], &[]);
    assert!(zip_part_contains(&w.path("会議録.docx"), "word/document.xml", "会議録"));
    w.step("minutes md", &["minutes", "--meeting", "1", "--format", "md", "--out", "会議録.md"], &[]);
    assert!(std::fs::read_to_string(w.path("会議録.md")).unwrap().starts_with("# "));
    // Never over an existing file without --force, on Windows too.
    let o = w.command(&["minutes", "--meeting", "1", "--format", "md", "--out", "会議録.md"]).output().unwrap();
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("--force"));

    w.step("schedule ics", &["schedule", "--format", "ics", "--out", "次回確認.ics"], &[]);
    let ics = std::fs::read_to_string(w.path("次回確認.ics")).unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.trim_end().ends_with("END:VCALENDAR"), "{ics:.200}");

    // A listing piped into a reader that stops early ends quietly (no panic, no backtrace).
    // It must be longer than the pipe's buffer for the write to fail: the 府中市-sized demo.
    w.step("demo (府中市規模)", &["--db", "府中.db", "demo", "--no-tui", "--scale", "fuchu"], &[]);
    let start = Instant::now();
    let mut c = w.command(&["--db", "府中.db", "ledger", "list", "--format", "json"]);
    c.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut listing = c.spawn().unwrap();
    let mut first = [0u8; 64];
    listing.stdout.as_mut().unwrap().read_exact(&mut first).unwrap();
    drop(listing.stdout.take());
    let o = listing.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    eprintln!("wine: ledger list | (closed early): {:?} ({:.1} s)", o.status.code(), start.elapsed().as_secs_f64());
    assert!(
        o.status.success() && !err.contains("panicked") && !err.contains("エラー"),
        "a closed pipe is quiet: {err}"
    );

    w.step("backup", &["backup", "--out", r"控え\shinko-20261124.db"], &[]);
    assert!(w.path("控え/shinko-20261124.db").is_file());
    w.step("restore", &["restore", "--from", r"控え\shinko-20261124.db", "--force"], &[]);
    let kept: Vec<_> = files_in(&w.work).into_iter().filter(|p| p.to_string_lossy().contains(".restore前-")).collect();
    assert_eq!(kept.len(), 1, "the replaced database is kept: {kept:?}");

    // The other outputs a clerk hands over, and the ledger as a file and back.
    w.step("ledger export", &["ledger", "export", "台帳.xlsx"], &[]);
    assert!(xlsx_opens(&w.path("台帳.xlsx")) > 80);
    let o = w.step("ledger import --dry-run", &["ledger", "import", "台帳.xlsx", "--dry-run"], &[]);
    assert!(!String::from_utf8_lossy(&o.stderr).contains("エラー"));
    w.step("stats xlsx", &["stats", "--fiscal-year", "2026", "--format", "xlsx", "--out", "統計.xlsx"], &[]);
    xlsx_opens(&w.path("統計.xlsx"));
    w.step("actions --by-agency", &["actions", "--by-agency", "--out", "役割分担"], &[]);
    assert!(!files_in(&w.path("役割分担")).is_empty());
    let o = w.step("audit verify", &["audit", "verify", "--anchor"], &[]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("監査ログは正常です"));

    let pass = [("SHINKO_PASSPHRASE", "はじめの合言葉です")];
    let o = w.step("passphrase encrypt", &["passphrase", "encrypt"], &pass);
    assert!(String::from_utf8_lossy(&o.stderr).contains("上書きして削除しました"), "the plaintext is wiped");
    assert!(is_encrypted(&w.path("demo.db")));
    assert!(!w.path("demo.db.plaintext-wipe").exists());
    let change = [("SHINKO_PASSPHRASE", "はじめの合言葉です"), ("SHINKO_NEW_PASSPHRASE", "つぎの合言葉です")];
    w.step("passphrase change", &["passphrase", "change"], &change);
    let o = w.step(
        "ledger list (new passphrase)",
        &["ledger", "list", "--format", "json"],
        &[("SHINKO_PASSPHRASE", "つぎの合言葉です")],
    );
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert!(rows.len() > 50, "{} cases", rows.len());
    let o = w.command(&["ledger", "list"]).env("SHINKO_PASSPHRASE", "はじめの合言葉です").output().unwrap();
    assert!(!o.status.success(), "the old passphrase no longer opens it");

    // The meeting's session as MS-IME types it: full-width digits and ～.
    w.step(
        "meeting new (IME input)",
        &[
            "meeting",
            "new",
            "--title",
            "第5回 進行管理会議",
            "--session",
            "２０２７－０３－０８ ０９：３０～１２：００",
        ],
        &[("SHINKO_PASSPHRASE", "つぎの合言葉です")],
    );

    tui_under_wine(&w);
}

/// Whether the ledger's count says the search narrowed the 1,562 cases: 「269件/1562件」. Wine
/// can misplace characters under load (「269 /1562件」, or 「269件」 a line away from the rest), so
/// the digits are read beside either 件: a count between 20 and 1,561 is only ever the
/// ledger's (the detail pane's counts are small).
fn narrowed_count(screen: &str) -> bool {
    let digits_before = |at: usize, skip: usize| {
        let back = screen[..at].chars().rev().take(8).skip_while(|c| skip > 0 && !c.is_ascii_digit());
        let d: String = back.take_while(char::is_ascii_digit).collect::<Vec<_>>().into_iter().rev().collect();
        d.parse::<u32>().ok()
    };
    let beside_total = screen.match_indices("/1562件").any(|(at, _)| digits_before(at, 1).is_some_and(|n| n < 1562));
    let anywhere =
        screen.match_indices('件').any(|(at, _)| digits_before(at, 0).is_some_and(|n| (20..1562).contains(&n)));
    beside_total || anywhere
}

/// The TUI in a terminal (wine's console on a tmux pane, the nearest to Windows Terminal we
/// have): it starts on the ledger, takes Japanese typed into the search, and quits cleanly.
/// Wine's console redraws wide characters imperfectly, so only whole words are looked for.
fn tui_under_wine(w: &Wine) {
    if !common::tmux::tmux_or_skip() {
        return;
    }
    let t = common::tmux::Tmux { socket: format!("shinko-wine-{}", std::process::id()) };
    let c = w.command(&[]);
    // `env -u NAME …` first (what the command removes), then NAME='value'.
    let mut envs: Vec<String> = c
        .get_envs()
        .map(|(k, v)| match v {
            Some(v) => format!("{}='{}'", k.to_string_lossy(), v.to_string_lossy()),
            None => format!("-u {}", k.to_string_lossy()),
        })
        .collect();
    envs.sort_by_key(|e| !e.starts_with("-u "));
    let run = |args: &str, marker: &str| {
        format!(
            "cd '{work}' && env {envs} wine '{exe}' {args}; echo {marker}=$?; sleep 600",
            work = w.work.display(),
            envs = envs.join(" "),
            exe = w.exe.display(),
        )
    };
    let script = run("--db 府中.db", "SHINKO_EXIT");
    let start = Instant::now();
    let out = t.cmd(&["new-session", "-d", "-s", "j", "-x", "160", "-y", "45", &script]);
    assert!(out.status.success(), "tmux: {}", String::from_utf8_lossy(&out.stderr));
    // The classic console (no WT_SESSION) gets ASCII lines: rows start with | and borders with +-.
    t.wait_redrawing("the ledger under wine", |s| s.contains("|R4-00") && s.contains("+---"));
    t.keys(&["/"]);
    t.type_text("やまざき");
    t.wait_redrawing("the search under wine", narrowed_count);
    // While the screen has the database open, a restore over it is refused for what it is.
    let before = std::fs::read(w.path("府中.db")).unwrap();
    let o =
        w.command(&["--db", "府中.db", "restore", "--from", r"控え\shinko-20261124.db", "--force"]).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains("開いています") && !err.contains("壊れて"), "{err}");
    assert_eq!(std::fs::read(w.path("府中.db")).unwrap(), before, "nothing replaced");
    eprintln!("wine: restore while the TUI has the database: refused ({})", err.trim());
    t.keys(&["Escape"]);
    t.keys(&["q"]);
    let s = t.wait_text("SHINKO_EXIT=");
    assert!(s.contains("SHINKO_EXIT=0"), "{s}");
    eprintln!("wine: TUI start, search, quit: ok ({:.1} s)", start.elapsed().as_secs_f64());

    // The passphrase prompt reads in Japanese on the console, and a Japanese passphrase typed
    // there (ReadConsoleW) opens the encrypted database.
    let start = Instant::now();
    assert!(t.cmd(&["respawn-pane", "-k", "-t", "j", &run("ledger list", "LISTED")]).status.success());
    t.wait_text("パスフレーズ:");
    t.type_text("つぎの合言葉です");
    t.keys(&["Enter"]);
    let s = t.wait_text("LISTED=");
    assert!(s.contains("LISTED=0") && s.contains("R8-0"), "{s}");
    assert!(!s.contains("つぎの合言葉です"), "the passphrase is not echoed: {s}");
    eprintln!("wine: passphrase prompt (Japanese typed at the console): ok ({:.1} s)", start.elapsed().as_secs_f64());
}

#[test]
fn the_narrowed_count_is_read_through_wines_misplaced_characters() {
    assert!(narrowed_count("|検索: やまざき   269 /1562件 ケース番号順|"));
    assert!(narrowed_count("|R4-000やまざき  結愛   さいとう  件/1562件 ケース番号順|\n269件護08   村上 蓮|"));
    assert!(!narrowed_count("|検索:       1562件/1562件 ケース番号順|  [協議の記録 1件] [未確認の役割分担 0件]|"));
}
