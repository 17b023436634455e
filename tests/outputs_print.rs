//! What a clerk hands over as it is: the real binary's .xlsx read back with calamine (numbers
//! are numbers, dates are dates) and its .docx XML (repeated header rows, rows that do not
//! split, columns wide enough for dates, document properties, one date style).
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};

use calamine::{Data, DataType, Reader, Xlsx};

use common::Demo;

/// Runs shinko on the demo and returns the file it wrote to `name`.
fn make(env: &Demo, name: &str, args: &[&str]) -> PathBuf {
    let out = env.path(name);
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--out", out.to_str().unwrap()]);
    env.ok(&all);
    out
}

/// A configuration file holding `toml`.
fn config(env: &Demo, toml: &str) -> PathBuf {
    let p = env.path("config.toml");
    std::fs::write(&p, toml).unwrap();
    p
}

fn part(file: &Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(file).unwrap()).unwrap();
    let mut xml = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut xml).unwrap();
    xml
}

/// The first sheet's cells.
fn sheet(file: &Path) -> calamine::Range<Data> {
    let mut wb: Xlsx<_> = calamine::open_workbook(file).unwrap();
    wb.worksheet_range_at(0).unwrap().unwrap()
}

/// The column titled `title` in `range`: its cells below the header row.
fn column<'a>(range: &'a calamine::Range<Data>, title: &str) -> Vec<&'a Data> {
    let rows: Vec<&[Data]> = range.rows().collect();
    let (head, col) = rows
        .iter()
        .enumerate()
        .find_map(|(r, cells)| cells.iter().position(|c| c.get_string() == Some(title)).map(|c| (r, c)))
        .unwrap_or_else(|| panic!("no column {title}"));
    rows[head + 1..].iter().map(|r| &r[col]).take_while(|c| !matches!(c, Data::Empty)).collect()
}

fn is_iso_date(s: &str) -> bool {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

/// No text cell anywhere that Excel would flag as "number stored as text", or that is a date
/// written as text.
fn assert_no_numbers_or_dates_as_text(range: &calamine::Range<Data>, what: &str) {
    for c in range.used_cells() {
        if let (r, col, Data::String(s)) = c {
            assert!(s.parse::<f64>().is_err() && !is_iso_date(s), "{what} ({r},{col}): 「{s}」 is text");
        }
    }
}

#[test]
fn excel_outputs_store_numbers_as_numbers_and_dates_as_japanese_dates() {
    let env = Demo::new();
    let stats = make(&env, "統計.xlsx", &["stats", "--fiscal-year", "2026", "--format", "xlsx"]);
    let range = sheet(&stats);
    assert_no_numbers_or_dates_as_text(&range, "stats");
    let counts = column(&range, "件数");
    assert!(!counts.is_empty() && counts.iter().all(|c| matches!(c, Data::Float(_) | Data::Int(_))), "{counts:?}");
    // SUM works: the 合計 row equals the sum of the rows above it.
    let n: Vec<f64> = counts.iter().map(|c| c.as_f64().unwrap()).collect();
    assert_eq!(n[..n.len() - 1].iter().sum::<f64>(), n[n.len() - 1], "虐待種別 rows add up to 合計");
    // The breakdowns are drawn too, from the figures' cells (not copies of them).
    assert!(part(&stats, "xl/workbook.xml").contains(r#"name="グラフ""#));
    let chart = part(&stats, "xl/charts/chart1.xml");
    assert!(chart.contains("<c:barChart>") && chart.contains("年度統計!$B$"), "{chart}");

    let schedule = make(&env, "予定.xlsx", &["schedule", "--format", "xlsx"]);
    let range = sheet(&schedule);
    assert_no_numbers_or_dates_as_text(&range, "schedule");
    let days = column(&range, "日付");
    assert!(days.len() > 50 && days.iter().all(|c| c.is_datetime()), "{:?}", &days[..3]);
    let styles = part(&schedule, "xl/styles.xml");
    assert!(styles.contains("ggge&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"), "和暦 date format: {styles}");

    let minutes = make(&env, "会議録.xlsx", &["minutes", "--meeting", "1", "--format", "xlsx"]);
    let range = sheet(&minutes);
    assert_no_numbers_or_dates_as_text(&range, "minutes");
    assert!(column(&range, "次回確認日").iter().all(|c| c.is_datetime() || c.get_string() == Some("-")));

    let dir = env.path("機関別");
    env.ok(&["actions", "--by-agency", "--out", dir.to_str().unwrap()]);
    for f in std::fs::read_dir(&dir).unwrap() {
        let range = sheet(&f.unwrap().path());
        assert_no_numbers_or_dates_as_text(&range, "actions");
        assert!(column(&range, "期限").iter().all(|c| c.is_datetime() || c.is_empty()));
    }
}

#[test]
fn excel_sheets_print_readably_with_frozen_filtered_repeated_headers() {
    let env = Demo::new();
    let schedule = make(&env, "予定.xlsx", &["schedule", "--format", "xlsx"]);
    let xml = part(&schedule, "xl/worksheets/sheet1.xml");
    assert!(xml.contains(r#"orientation="landscape""#) && xml.contains(r#"paperSize="9""#), "wide: A4 landscape");
    let scale: u32 = xml.split(r#"scale=""#).nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
    assert!((75..=100).contains(&scale), "11 pt text printed at {scale}% stays at 8 pt or more");
    assert!(!xml.contains("fitToWidth"), "no fit-to-page that would shrink below the readable scale");
    assert!(xml.contains(r#"state="frozen""#) && xml.contains("<autoFilter "), "frozen header and filter");
    let workbook = part(&schedule, "xl/workbook.xml");
    assert!(workbook.contains("_xlnm.Print_Titles"), "the header row repeats on every printed page");
    // Column widths follow the content: the date column fits 「令和8年12月8日」, nothing is 80 wide.
    let widths: Vec<f64> = xml
        .split("<col ")
        .skip(1)
        .map(|c| c.split(r#"width=""#).nth(1).unwrap().split('"').next().unwrap().parse().unwrap())
        .collect();
    assert!(widths[0] >= 16.0 && widths.iter().all(|w| *w <= 41.0), "{widths:?}");

    // A4 or A3, as configured.
    let cfg = config(&env, "[output]\npaper = \"a3\"\n");
    let a3 = make(&env, "予定A3.xlsx", &["--config", cfg.to_str().unwrap(), "schedule", "--format", "xlsx"]);
    assert!(part(&a3, "xl/worksheets/sheet1.xml").contains(r#"paperSize="8""#));
}

/// The `w:tcW` width of every table cell whose whole text is `text`-like (`pred`).
fn cell_widths(xml: &str, pred: impl Fn(&str) -> bool) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for tc in xml.split("<w:tc>").skip(1) {
        let tc = tc.split("</w:tc>").next().unwrap();
        let text: String =
            tc.split("<w:t xml:space=\"preserve\">").skip(1).map(|t| t.split("</w:t>").next().unwrap()).collect();
        if pred(&text) {
            let w = tc.split(r#"<w:tcW w:w=""#).nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
            out.push((text, w));
        }
    }
    out
}

#[test]
fn word_minutes_repeat_headers_keep_rows_whole_and_fit_dates_ranks_and_case_numbers() {
    let env = Demo::new();
    let docx = make(&env, "会議録.docx", &["minutes", "--meeting", "1", "--format", "docx"]);
    let xml = part(&docx, "word/document.xml");
    let tables = xml.matches("<w:tbl>").count();
    let headers = xml.matches("<w:tblHeader />").count();
    let fields_tables = xml.split("<w:tbl>").filter(|t| !t.contains("<w:tblHeader />")).count() - 1;
    assert!(headers >= 5 && headers + fields_tables == tables, "{headers} header rows in {tables} tables");
    assert!(!xml.contains(r#"<w:trHeight w:val="1""#), "the header-row mark is replaced everywhere");
    assert_eq!(xml.matches("<w:tr>").count(), xml.matches("<w:cantSplit />").count(), "no row splits");
    assert!(xml.matches("<w:keepNext />").count() > 100, "a case's block is kept together");
    // At 9 pt a full-width character is 180 twips, a digit about 100, the space Word puts
    // between them 45; a cell pads 230.
    let needs = |t: &str| {
        let wide = t.chars().filter(|c| !c.is_ascii()).count();
        wide * 180 + (t.chars().count() - wide) * 100 + 230 + 4 * 45
    };
    let dates = cell_widths(&xml, |t| t.starts_with("令和") && t.ends_with('日') && t.chars().count() <= 10);
    assert!(dates.len() > 40, "{}", dates.len());
    for (t, w) in &dates {
        assert!(*w >= needs(t), "「{t}」 in {w} twips would wrap");
    }
    for (t, w) in cell_widths(&xml, |t| t.starts_with('R') && t.len() == 8 && t.as_bytes()[3] == b'-') {
        assert!(w >= 8 * 105 + 230, "case number {t} in {w} twips would wrap");
    }
    for (t, w) in cell_widths(&xml, |t| t == "ランク") {
        assert!(w >= 3 * 180 + 230, "{t} in {w} twips would wrap");
    }
    // One date style: no ISO dates in the text.
    let text: String =
        xml.split("<w:t xml:space=\"preserve\">").skip(1).map(|t| t.split("</w:t>").next().unwrap()).collect();
    assert!(!text.contains("2026-") && !text.contains("2027-"), "ISO dates left in the minutes");
    assert!(text.contains("要保護児童対策地域協議会"), "the council is named in the title");

    let core = part(&docx, "docProps/core.xml");
    assert!(core.contains("<dc:creator>shinko</dc:creator>"), "{core}");
    assert!(core.contains("2026-11-24T00:00:00Z") && !core.contains("1970"), "{core}");
    assert!(core.contains("<dc:title>") && core.contains("会議録"), "{core}");
}

#[test]
fn word_minutes_in_western_dates_with_an_approval_box_when_configured() {
    let env = Demo::new();
    let cfg = config(&env, "[output]\ndate_style = \"seireki\"\napproval = [\"課長\", \"係長\", \"担当\"]\n");
    let docx = make(
        &env,
        "会議録.docx",
        &["--config", cfg.to_str().unwrap(), "minutes", "--meeting", "1", "--format", "docx"],
    );
    let xml = part(&docx, "word/document.xml");
    // (The meeting's own title says 令和8年度.)
    assert!(!xml.replace("令和8年度", "").contains("令和"), "西暦 throughout, including the 日時 line");
    assert!(xml.contains("2026年9月1日（火）"));
    let approval = xml.find(">課長<").expect("決裁欄");
    assert!(approval < xml.find("1. 会議の概要").unwrap() && xml.contains(">係長<") && xml.contains(">担当<"));
    // Without the setting there is no approval box.
    let plain = make(&env, "会議録2.docx", &["minutes", "--meeting", "1", "--format", "docx"]);
    assert!(!part(&plain, "word/document.xml").contains(">課長<"));
}

#[test]
fn a_mistyped_output_setting_is_refused_naming_the_line() {
    let env = Demo::new();
    let cfg = config(&env, "[output]\ndate_style = \"heisei\"\n");
    let out = env.run(&["--config", cfg.to_str().unwrap(), "stats"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("2行目") && err.contains("「heisei」は使えません"), "{err}");
    // Written as people write them, they are understood.
    let cfg = config(&env, "[output]\ndate_style = \"西暦\"\npaper = \"Ａ３\"\n");
    let xlsx = make(&env, "予定.xlsx", &["--config", cfg.to_str().unwrap(), "schedule", "--format", "xlsx"]);
    assert!(part(&xlsx, "xl/worksheets/sheet1.xml").contains(r#"paperSize="8""#));
    assert!(part(&xlsx, "xl/styles.xml").contains("yyyy&quot;年&quot;"));
}

#[test]
fn statistics_carry_the_notice_the_breakdowns_and_the_previous_year() {
    let env = Demo::new();
    let json = env.ok(&["stats", "--fiscal-year", "2026", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let notice = shinko::domain::Config::default().confidentiality.notice;
    assert_eq!(v["notice"], notice.as_str());
    // The database's municipality (the demo's), not the configuration's default.
    assert!(v["municipality"].as_str().unwrap().starts_with("たかはま町"), "{}", v["municipality"]);
    assert_eq!(v["previous"]["fiscal_year"], 2025);
    assert_eq!(v["breakdown"]["by_month"].as_array().unwrap().len(), 12);
    let lead: u64 =
        v["breakdown"]["by_lead_agency"].as_array().unwrap().iter().map(|c| c["count"].as_u64().unwrap()).sum();
    assert_eq!(lead, v["registered_total"].as_u64().unwrap(), "every registered case has one row by 主担当機関");
    let md = env.ok(&["stats", "--fiscal-year", "2026"]);
    for heading in [
        "主担当機関別",
        "虐待種別 × 年齢",
        "児童相談所の関与",
        "ランク別",
        "月別の新規受理・終結",
        "年度末の継続ケース",
        "前年度",
    ] {
        assert!(md.contains(heading), "{heading} missing");
    }
}

/// The page sizes (width, height in points) of a PDF, as LibreOffice writes them.
fn pdf_pages(pdf: &Path) -> Vec<(f64, f64)> {
    let bytes = std::fs::read(pdf).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    text.split("/MediaBox[")
        .skip(1)
        .filter_map(|b| {
            let n: Vec<f64> = b.split(']').next()?.split_whitespace().filter_map(|x| x.parse().ok()).collect();
            (n.len() == 4).then(|| (n[2] - n[0], n[3] - n[1]))
        })
        .collect()
}

/// Where LibreOffice is installed (not in CI), the files convert to PDF: the minutes on A4
/// portrait, the schedule (a wide table) on A4 landscape.
#[test]
fn renders_through_libreoffice_where_it_is_installed() {
    let Ok(soffice) = std::process::Command::new("soffice").arg("--version").output() else { return };
    if !soffice.status.success() {
        return;
    }
    let env = Demo::new();
    let docx = make(&env, "minutes.docx", &["minutes", "--meeting", "1", "--format", "docx"]);
    let xlsx = make(&env, "schedule.xlsx", &["schedule", "--format", "xlsx"]);
    let profile = format!("file://{}", env.path("lo-profile").display());
    let out = std::process::Command::new("soffice")
        .args([&format!("-env:UserInstallation={profile}"), "--headless", "--convert-to", "pdf", "--outdir"])
        .arg(env.dir.path())
        .args([&docx, &xlsx])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let a4 = |(w, h): (f64, f64)| (w.min(h) - 595.3).abs() < 1.0 && (w.max(h) - 841.9).abs() < 1.0;
    let minutes = pdf_pages(&env.path("minutes.pdf"));
    assert!(!minutes.is_empty() && minutes.iter().all(|p| a4(*p) && p.0 < p.1), "{minutes:?}");
    let schedule = pdf_pages(&env.path("schedule.pdf"));
    assert!(!schedule.is_empty() && schedule.iter().all(|p| a4(*p) && p.0 > p.1), "{schedule:?}");
}
