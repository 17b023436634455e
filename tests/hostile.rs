//! Hostile and broken input: the config parser and text checks under property tests, a corpus
//! of bad configuration files and ledger arguments through the real binary, bad import files
//! (enabled once the importers are merged), and terminal sizes down to nothing.
//!
//! Every bad input must end with a clear Japanese error, no change to the database, bounded
//! memory (peak RSS measured with wait4) and never a panic. PROPTEST_CASES raises the bounded
//! case counts for a longer run.
#![allow(clippy::unwrap_used)] // tests may unwrap
#![cfg(unix)]

mod trust_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use proptest::prelude::*;
use shinko::domain::Config;
use trust_support::Env;

/// What a finished process left: exit success, stderr, and its peak memory in MiB.
struct Measured {
    success: bool,
    stderr: String,
    peak_mib: u64,
}

/// Runs `cmd` to the end under GNU time, which reports the peak resident memory of the
/// program alone (measuring from this process would count the test's own pages at fork).
fn measured(cmd: Command) -> Measured {
    let report = tempfile::NamedTempFile::new().unwrap();
    let mut timed = Command::new("/usr/bin/time");
    timed.arg("-f").arg("%M %x").arg("-o").arg(report.path()).arg(cmd.get_program()).args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => timed.env(k, v),
            None => timed.env_remove(k),
        };
    }
    let out = timed.stdin(Stdio::null()).output().unwrap();
    let report = std::fs::read_to_string(report.path()).unwrap();
    assert!(!report.contains("signal"), "killed by a signal (crash, stack overflow?): {report}");
    let last = report.lines().last().unwrap_or_default();
    let (kib, code) = last.split_once(' ').unwrap_or(("0", "1"));
    Measured {
        success: out.status.success() && code.trim() == "0",
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        peak_mib: kib.trim().parse::<u64>().unwrap_or(0) / 1024,
    }
}

/// Peak memory any bad input may cost.
const MEMORY_BOUND_MIB: u64 = 150;

fn assert_refused(m: &Measured, what: &str) {
    assert!(!m.success, "{what}: accepted");
    assert!(m.stderr.starts_with("エラー: "), "{what}: unclear error: {}", m.stderr);
    assert!(!m.stderr.contains("panicked"), "{what}: {}", m.stderr);
    assert!(m.peak_mib < MEMORY_BOUND_MIB, "{what}: peak {} MiB", m.peak_mib);
}

// ---------------------------------------------------------------- configuration

/// Property-test cases per property: 512 in CI, PROPTEST_CASES for a longer run.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512)
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(cases()) })]

    #[test]
    fn config_parser_never_panics_on_any_text(s in any::<String>()) {
        let _ = Config::from_toml(&s);
    }

    /// Damaged copies of a real configuration: bytes replaced, lines cut, junk inserted. The
    /// parser either accepts them or names a line inside the file.
    #[test]
    fn config_errors_name_a_line_inside_the_file(
        cut in 0usize..4000, junk in "[\\PC\\n\"\\[\\]=#]{0,12}", at in 0usize..4000,
    ) {
        let good = Config::default().to_toml();
        let mut chars: Vec<char> = good.chars().collect();
        let cut = cut.min(chars.len());
        chars.truncate(cut.max(chars.len() / 2));
        let at = at.min(chars.len());
        let text: String = chars[..at].iter().copied().chain(junk.chars()).chain(chars[at..].iter().copied()).collect();
        if let Err(shinko::domain::config::ConfigError::Syntax { line, .. }) = Config::from_toml(&text) {
            prop_assert!(line >= 1 && line <= text.lines().count().max(1) + 1, "line {} of {}", line, text.lines().count());
        }
    }
}

/// Bad configuration files, each refused with the file's path and a reason.
fn config_corpus(dir: &Path) -> Vec<(&'static str, PathBuf)> {
    let mut out = Vec::new();
    let mut put = |name: &'static str, bytes: Vec<u8>| {
        let p = dir.join(format!("{name}.toml"));
        std::fs::write(&p, bytes).unwrap();
        out.push((name, p));
    };
    put("binary", (0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect());
    // Shift_JIS itself is read (Notepad's 「ANSI」, tests/typed_input_cli.rs); a mistake in such a
    // file is still named like any other.
    put("shift_jis_unknown_key", encoding_rs::SHIFT_JIS.encode("[municipality]\nnmae = \"高浜町\"\n").0.into_owned());
    put("utf16", {
        let mut v = vec![0xff, 0xfe];
        v.extend("[municipality]\nname = \"町\"\n".encode_utf16().flat_map(|u| u.to_le_bytes()));
        v
    });
    put("deep_nesting", format!("x = {}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes());
    put("deep_tables", format!("x = {}1{}", "{a = ".repeat(50_000), "}".repeat(50_000)).into_bytes());
    put("ten_megabytes", format!("[municipality]\nname = \"{}\"\n", "あ".repeat(3_500_000)).into_bytes());
    put("control_in_user", b"[municipality]\nuser = \"\\u001b[31m\\u0007\"\n".to_vec());
    put("rtl_in_user", "[municipality]\nuser = \"事務局\u{202E}局務事\"\n".as_bytes().to_vec());
    put("empty_user", b"[municipality]\nuser = \"  \"\n".to_vec());
    put("unknown_key", b"[municipality]\nnmae = \"x\"\n".to_vec());
    put("huge_number", b"[budget]\nquick_minutes = 1e308\n".to_vec());
    put("negative_months", b"[[ranks]]\ncode = \"A\"\nlabel = \"A\"\nreview_months = -1\n".to_vec());
    put("nul_bytes", b"[municipality]\0\0\0name = \"x\"\n".to_vec());
    put("truncated", Config::default().to_toml().as_bytes()[..200].to_vec());
    out
}

#[test]
fn bad_configuration_files_are_refused_clearly() {
    let env = Env::new(false);
    let before = env.fingerprint();
    let dir = env.root.join("configs");
    std::fs::create_dir_all(&dir).unwrap();
    let corpus = config_corpus(&dir);
    for (name, path) in &corpus {
        let mut c = env.cmd();
        c.arg("--config").arg(path).args([
            "ledger",
            "add",
            "--number",
            "H-1",
            "--name",
            "試験 一",
            "--birth",
            "2018-04-02",
        ]);
        let m = measured(c);
        assert_refused(&m, name);
        assert!(m.stderr.contains(&path.display().to_string()), "{name}: the file is not named: {}", m.stderr);
        eprintln!("config {name}: refused, peak {} MiB", m.peak_mib);
    }
    assert_eq!(env.fingerprint(), before, "a bad configuration changed the database");
    eprintln!("config corpus: {} files refused", corpus.len());
}

// ---------------------------------------------------------------- ledger commands

#[test]
fn hostile_text_in_ledger_fields_is_refused_and_changes_nothing() {
    let env = Env::new(true);
    env.ok(&["ledger", "add", "--number", "H-1", "--name", "試験 一", "--birth", "2018-04-02"]);
    let before = env.fingerprint();
    let long_line = "あ".repeat(201);
    let long_text = "い".repeat(30_000); // a single argument is limited to 128 KiB
    let cases: &[(&str, &str, &str)] = &[
        ("--name", "試験\u{202E}一", "U+202E"),
        ("--name", "試験\u{2067}一", "U+2067"),
        ("--kana", "しけん\u{200F}", "U+200F"),
        ("--name", "試験\u{1b}[31m一", "U+001B"),
        ("--town", "本町\u{7}", "U+0007"),
        ("--name", "試験\n一", "U+000A"),
        ("--concern", "主訴\u{85}", "U+0085"),
        ("--policy", "方針\u{FFFF}", "U+FFFF"),
        ("--grade", "小1\u{202D}", "U+202D"),
        ("--name", &long_line, "200文字まで"),
        ("--policy", &long_text, "20000文字まで"),
    ];
    for (flag, value, expect) in cases {
        for verb in ["add", "edit"] {
            let number = if verb == "add" { "H-2" } else { "H-1" };
            let mut c = env.cmd();
            c.args(["ledger", verb, "--number", number, flag, value]);
            if verb == "add" {
                c.args(["--birth", "2018-04-02"]);
                if *flag != "--name" {
                    c.args(["--name", "試験 二"]);
                }
            }
            let m = measured(c);
            assert_refused(&m, &format!("{verb} {flag}"));
            assert!(m.stderr.contains(expect), "{verb} {flag}: {}", m.stderr);
        }
    }
    let err = env.fails(&["ledger", "edit", "--number", "H-1", "--affiliation", "第一小学校\u{202E}"]);
    assert!(err.contains("機関名") && err.contains("U+202E"), "{err}");
    let err = env.fails(&["ledger", "close", "H-1", "--reason", "転出\u{202E}", "--category", "転出"]);
    assert!(err.contains("終結理由") && err.contains("U+202E"), "{err}");
    let err = env.fails(&["ledger", "add", "--number", "H-\u{7}", "--name", "試験", "--birth", "2018-04-02"]);
    assert!(err.contains("ケース番号"), "{err}");
    assert_eq!(env.fingerprint(), before, "hostile text changed the database");
    assert_eq!(env.open().audit_verify().unwrap(), Ok(1));
    eprintln!("ledger: {} hostile values × add/edit refused", cases.len());
}

#[test]
fn hostile_dates_and_choices_are_refused() {
    let env = Env::new(false);
    let before = env.fingerprint();
    for (flag, v) in [
        ("--birth", "2018-02-30"),
        ("--birth", "R99.99.99"),
        ("--birth", "99999999999999999999"),
        ("--birth", "\u{202E}2018-04-02"),
        ("--registration", "要\u{1}保護"),
        ("--sex", "🙂"),
        ("--cgc", "不明な値"),
        ("--next-review", "令和"),
    ] {
        let mut args = vec!["ledger", "add", "--number", "H-9", "--name", "試験 九", flag, v];
        if flag != "--birth" {
            args.extend(["--birth", "2018-04-02"]);
        }
        let err = env.fails(&args);
        assert!(err.starts_with("エラー: "), "{flag} {v:?}: {err}");
    }
    assert_eq!(env.fingerprint(), before);
}

// ---------------------------------------------------------------- importers (after merge)

fn xlsx(path: &Path, rows: &[Vec<String>], formula: Option<&str>) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, v).unwrap();
        }
    }
    if let Some(f) = formula {
        ws.write_formula(1, 1, f).unwrap();
    }
    wb.save(path).unwrap();
}

fn ledger_header() -> Vec<String> {
    ["ケース番号", "氏名", "ふりがな", "性別", "生年月日", "受理日", "登録区分", "ランク"].map(String::from).to_vec()
}

fn ledger_row(i: usize, name: &str) -> Vec<String> {
    [
        format!("H-{i:07}"),
        name.to_string(),
        "しけん".into(),
        "男".into(),
        "2018/4/2".into(),
        "2024/4/1".into(),
        "要支援".into(),
        "C".into(),
    ]
    .to_vec()
}

fn csv(path: &Path, header: &[String], rows: impl Iterator<Item = Vec<String>>) {
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(header).unwrap();
    for r in rows {
        w.write_record(&r).unwrap();
    }
    w.flush().unwrap();
}

/// A copy of a real workbook with one part (found by the end of its name) rewritten:
/// `write` gets the part's old text and writes the new one.
fn repack(good: &Path, path: &Path, part: &str, write: impl FnOnce(&str, &mut dyn std::io::Write)) {
    let mut src = zip::ZipArchive::new(std::fs::File::open(good).unwrap()).unwrap();
    let mut out = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let deflate = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
        .large_file(true);
    let mut old = None;
    for i in 0..src.len() {
        let f = src.by_index(i).unwrap();
        if f.name().unwrap().ends_with(part) {
            old = Some(std::io::read_to_string(f).unwrap());
        } else {
            out.raw_copy_file(f).unwrap();
        }
    }
    let old = old.unwrap_or_else(|| panic!("rust_xlsxwriter writes {part}"));
    out.start_file(format!("xl/{part}"), deflate).unwrap();
    write(&old, &mut out);
    out.finish().unwrap();
}

/// A real workbook whose shared-strings table is padded with about `mib` MiB of one-letter
/// strings no cell uses: a few MB on disk that unpack to far more (a zip bomb, or a sheet
/// once filled and cleared).
fn zip_bomb(good: &Path, path: &Path, mib: usize) {
    repack(good, path, "sharedStrings.xml", |sst, out| {
        let (head, tail) = sst.split_at(sst.rfind("</sst>").unwrap());
        out.write_all(head.as_bytes()).unwrap();
        let chunk = "<si><t>x</t></si>".repeat(4096);
        for _ in 0..(mib << 20) / chunk.len() {
            out.write_all(chunk.as_bytes()).unwrap();
        }
        out.write_all(tail.as_bytes()).unwrap();
    });
}

/// A real workbook whose sheet holds one 60 MiB inline string (60 KB on disk).
fn one_huge_cell(good: &Path, path: &Path) {
    repack(good, path, "worksheets/sheet1.xml", |_, out| {
        out.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>"#).unwrap();
        let chunk = vec![b'A'; 1 << 20];
        for _ in 0..60 {
            out.write_all(&chunk).unwrap();
        }
        out.write_all(b"</t></is></c></row></sheetData></worksheet>").unwrap();
    });
}

/// The bad files every importer must refuse; `large` adds the million-row file and the
/// zip bomb.
fn import_corpus(dir: &Path, large: bool) -> Vec<(&'static str, PathBuf)> {
    let mut out = Vec::new();
    let h = ledger_header();
    let p = |n: &str| dir.join(n);

    let good = p("good.xlsx");
    xlsx(&good, &[h.clone(), ledger_row(1, "試験 一")], None);
    let bytes = std::fs::read(&good).unwrap();
    std::fs::write(p("truncated.xlsx"), &bytes[..bytes.len() / 2]).unwrap();
    out.push(("truncated xlsx", p("truncated.xlsx")));
    std::fs::write(p("not_zip.xlsx"), b"PK\x03\x04 this is not a workbook").unwrap();
    out.push(("not a zip", p("not_zip.xlsx")));
    std::fs::write(p("empty.xlsx"), b"").unwrap();
    out.push(("empty xlsx", p("empty.xlsx")));

    let utf16: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain(
            format!("{}\n{}\n", h.join(","), ledger_row(1, "試験 一").join(","))
                .encode_utf16()
                .flat_map(|u| u.to_le_bytes()),
        )
        .collect();
    std::fs::write(p("utf16.csv"), utf16).unwrap();
    out.push(("wrong encoding (UTF-16)", p("utf16.csv")));
    std::fs::write(
        p("binary.csv"),
        (0..65536u32).map(|i| (i.wrapping_mul(2654435761) >> 11) as u8).collect::<Vec<_>>(),
    )
    .unwrap();
    out.push(("binary as csv", p("binary.csv")));
    let mut broken_sjis = encoding_rs::SHIFT_JIS.encode(&h.join(",")).0.into_owned();
    broken_sjis.extend(b"\nH-1,\x82\xa0\x82\n");
    std::fs::write(p("broken_sjis.csv"), broken_sjis).unwrap();
    out.push(("broken Shift_JIS", p("broken_sjis.csv")));

    csv(&p("big_cell.csv"), &h, std::iter::once(ledger_row(1, &"あ".repeat(3_500_000))));
    out.push(("10 MB cell (csv)", p("big_cell.csv")));
    xlsx(
        &p("big_cell.xlsx"),
        &[h.clone(), ledger_row(1, &"あ".repeat(10_000)), ledger_row(2, &"い".repeat(32_767))],
        None,
    );
    out.push(("longest cell Excel allows (xlsx)", p("big_cell.xlsx")));
    csv(&p("control.csv"), &h, [ledger_row(1, "試験\u{1b}[2J一"), ledger_row(2, "試験\u{7}二")].into_iter());
    out.push(("control characters", p("control.csv")));
    csv(&p("rtl.csv"), &h, std::iter::once(ledger_row(1, "試験\u{202E}一")));
    out.push(("RTL override", p("rtl.csv")));
    xlsx(&p("rtl.xlsx"), &[h.clone(), ledger_row(1, "試験\u{2067}一")], None);
    out.push(("RTL isolate (xlsx)", p("rtl.xlsx")));
    if large {
        csv(&p("million.csv"), &h, (0..1_000_000).map(|i| ledger_row(i, "試験 太郎")));
        out.push(("1 million rows", p("million.csv")));
        zip_bomb(&good, &p("bomb.xlsx"), 1024);
        out.push(("zip bomb: 1 GiB of unused shared strings", p("bomb.xlsx")));
        one_huge_cell(&good, &p("huge_cell.xlsx"));
        out.push(("one 60 MiB cell in a 60 KB xlsx", p("huge_cell.xlsx")));
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (c, v) in h.iter().enumerate() {
            ws.write_string(0, c as u16, v).unwrap();
        }
        for r in 1..100_000u32 {
            ws.write_string(r, 16_383, "x").unwrap();
        }
        wb.save(p("wide.xlsx")).unwrap();
        out.push(("a cell in the last column (XFD) of 100,000 rows", p("wide.xlsx")));
    }
    out
}

fn importer_refuses_everything(args: &[&str]) {
    let env = Env::new(false);
    let before = env.fingerprint();
    let dir = env.root.join("imports");
    std::fs::create_dir_all(&dir).unwrap();
    for (what, file) in import_corpus(&dir, true) {
        let mut c = env.cmd();
        c.args(args).arg(&file);
        let m = measured(c);
        assert_refused(&m, what);
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        assert!(m.stderr.contains(&name), "{what}: the file is not named: {}", m.stderr);
        assert!(!m.stderr.contains("試験"), "{what}: the error repeats personal data: {}", m.stderr);
        assert_eq!(env.fingerprint(), before, "{what}: the database changed");
        eprintln!("{args:?} {what}: refused, peak {} MiB", m.peak_mib);
    }
}

/// The largest shared-strings table an import accepts, made of the shortest strings (the
/// most costly per byte), stays under the bound.
#[test]
fn the_largest_string_table_accepted_stays_under_the_memory_bound() {
    let env = Env::new(false);
    let dir = env.root.join("imports");
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.xlsx");
    xlsx(&good, &[ledger_header(), ledger_row(1, "試験 一")], None);
    let full = dir.join("full.xlsx");
    zip_bomb(&good, &full, 23);
    let m = measured({
        let mut c = env.cmd();
        c.args(["ledger", "import", "--dry-run"]).arg(&full);
        c
    });
    assert!(m.success, "{}", m.stderr);
    assert!(m.peak_mib < MEMORY_BOUND_MIB, "peak {} MiB", m.peak_mib);
    eprintln!("23 MiB of shared strings accepted, peak {} MiB", m.peak_mib);
}

#[test]
fn ledger_import_refuses_hostile_files() {
    importer_refuses_everything(&["ledger", "import"]);
}

#[test]
fn sheets_import_refuses_hostile_files() {
    importer_refuses_everything(&["sheets", "import"]);
}

/// Formulas are never evaluated: the value Excel saved is read, the user is told, and the
/// formula text itself never reaches the database.
#[test]
fn formulas_are_read_as_saved_values_never_evaluated() {
    let env = Env::new(false);
    let dir = env.root.join("imports");
    std::fs::create_dir_all(&dir).unwrap();
    let h = ledger_header();
    for (i, f) in ["=HYPERLINK(\"http://example.invalid\",\"x\")", "=cmd|' /C calc'!A0"].into_iter().enumerate() {
        let file = dir.join(format!("formula{i}.xlsx"));
        xlsx(&file, &[h.clone(), ledger_row(i + 1, "試験 一")], Some(f));
        let m = measured({
            let mut c = env.cmd();
            c.args(["ledger", "import"]).arg(&file);
            c
        });
        assert!(m.stderr.contains("数式は計算せず"), "{f}: {}", m.stderr);
        let store = env.open();
        let names: Vec<String> = store.cases(true).unwrap().into_iter().map(|c| c.name).collect();
        assert!(names.iter().all(|n| !n.contains("HYPERLINK") && !n.contains("cmd|")), "{names:?}");
    }
}

#[test]
fn the_import_corpus_is_what_it_claims() {
    // Guards the generator itself, so the importer tests refuse what they claim to.
    let dir = tempfile::tempdir().unwrap();
    let corpus = import_corpus(dir.path(), false);
    assert!(corpus.len() >= 11);
    let big = std::fs::metadata(dir.path().join("big_cell.csv")).unwrap().len();
    assert!(big > 10_000_000, "{big}");
    assert!(calamine::open_workbook_auto(dir.path().join("truncated.xlsx")).is_err());
    let rtl = std::fs::read_to_string(dir.path().join("rtl.csv")).unwrap();
    assert!(rtl.contains('\u{202E}'));
}

// ---------------------------------------------------------------- terminal sizes

#[test]
fn any_terminal_size_down_to_nothing_never_panics() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use shinko::tui::{keymap::Keymap, model::Model, msg::Msg, runtime::execute, update::update, view};

    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let mut store = shinko::store::Store::open_in_memory().unwrap();
    shinko::demo::generate(&mut store, shinko::demo::Scale::Takahama, 2024, today).unwrap();
    let mut m = Model::new(Config::default(), today, Keymap::defaults(), "demo.db".into());
    let loaded =
        execute(&mut store, shinko::tui::msg::Effect::Ledger(shinko::tui::ledger::LedgerEffect::Load { select: None }))
            .unwrap();
    let mut pump = |m: &mut Model, msg: Msg| {
        let mut queue = vec![msg];
        while let Some(msg) = queue.pop() {
            for e in update(m, msg) {
                queue.extend(execute(&mut store, e));
            }
        }
    };
    pump(&mut m, Msg::Resize(80, 24));
    pump(&mut m, loaded);
    let key = |c: KeyCode| Msg::Key(KeyEvent::new(c, KeyModifiers::NONE));
    let mut sizes = Vec::new();
    for w in (0..=40).chain([59, 60, 79, 80, 81, 119, 120, 160, 250, 400]) {
        for h in (0..=12).chain([20, 23, 24, 25, 45, 100]) {
            sizes.push((w, h));
        }
    }
    let screens = [None, Some(KeyCode::Enter), Some(KeyCode::F(4)), Some(KeyCode::F(1)), Some(KeyCode::F(7))];
    let mut frames = 0;
    for (i, &(w, h)) in sizes.iter().enumerate() {
        // Each size on a different screen, then back to 20x5 and up again.
        let screen = screens[i % screens.len()];
        pump(&mut m, key(KeyCode::Esc));
        pump(&mut m, key(KeyCode::Esc));
        if let Some(k) = screen {
            pump(&mut m, key(k));
        }
        for (w, h) in [(w, h), (20, 5), (w, h)] {
            pump(&mut m, Msg::Resize(w, h));
            pump(&mut m, key(KeyCode::Down));
            let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
            t.draw(|f| view::render(&m, f)).unwrap();
            frames += 1;
        }
    }
    eprintln!("terminal sizes: {} sizes, {frames} frames drawn, no panic", sizes.len());
}
