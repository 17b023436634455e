//! `shinko ledger import/export` through the real binary, on the fixtures in fixtures/intake.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod intake {
    pub mod common;
}

use intake::common::{case_count, empty_db, fixture, shinko, stderr, stdout};

fn show(home: &std::path::Path, db: &std::path::Path, number: &str) -> serde_json::Value {
    let o = shinko(home, db).args(["ledger", "show", number, "--format", "json"]).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn shift_jis_csv_with_title_row_and_wareki_dates() {
    let home = tempfile::tempdir().unwrap();
    let db = empty_db(home.path());
    let o = shinko(home.path(), &db).args(["ledger", "import"]).arg(fixture("ledger_sjis.csv")).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("新規 5 件"), "{err}");
    assert!(!err.contains("読み取らなかった列"), "備考 is read: {err}");
    assert_eq!(case_count(home.path(), &db), 5);
    let v = show(home.path(), &db, "H28-003");
    assert_eq!(v["case"]["name"], "髙橋 はると");
    assert_eq!(v["case"]["birth_date"], "2016-10-03");
    assert_eq!(v["case"]["accepted_on"], "2019-04-02");
    assert_eq!(v["case"]["registration"], "NeedsProtection");
    assert_eq!(v["affiliation_name"], "若葉小学校");
    assert_eq!(v["case"]["notes"], "前回会議で継続");
    // 備考 goes out and comes back in.
    let out = home.path().join("出力.xlsx");
    shinko(home.path(), &db).args(["ledger", "export"]).arg(&out).assert().success();
    let fresh = home.path().join("fresh.db");
    shinko(home.path(), &fresh).arg("init").assert().success();
    shinko(home.path(), &fresh).args(["ledger", "import"]).arg(&out).assert().success();
    assert_eq!(show(home.path(), &fresh, "H28-003")["case"]["notes"], "前回会議で継続");

    // The same file again: every row matches, nothing is duplicated or changed.
    let o = shinko(home.path(), &db).args(["ledger", "import"]).arg(fixture("ledger_sjis.csv")).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("新規 0 件") && err.contains("変更なし 5 件"), "{err}");
    assert!(err.contains("ケース番号で一致"), "{err}");
    assert_eq!(case_count(home.path(), &db), 5);
}

#[test]
fn xlsx_with_shuffled_headers_excel_dates_and_wareki() {
    let home = tempfile::tempdir().unwrap();
    let db = empty_db(home.path());
    let o = shinko(home.path(), &db).args(["ledger", "import"]).arg(fixture("ledger_shuffled.xlsx")).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(case_count(home.path(), &db), 4);
    // An Excel date cell, an Excel serial number, 令和6年4月1日, R6.4.1 and H31.4.1.
    let a = show(home.path(), &db, "R6-101");
    assert_eq!(a["case"]["birth_date"], "2015-05-05");
    assert_eq!(a["case"]["accepted_on"], "2024-04-01");
    let b = show(home.path(), &db, "R6-102");
    assert_eq!(b["case"]["accepted_on"], "2024-04-01");
    assert_eq!(b["case"]["rank"], "A");
    assert_eq!(show(home.path(), &db, "R6-103")["case"]["accepted_on"], "2024-04-01");
    assert_eq!(show(home.path(), &db, "R6-104")["case"]["accepted_on"], "2019-04-01");
    assert!(stderr(&o).contains("数式は計算せず"), "formulas are reported: {}", stderr(&o));
}

#[test]
fn a_bad_row_means_nothing_is_written_and_every_problem_is_listed() {
    let home = tempfile::tempdir().unwrap();
    let db = empty_db(home.path());
    let o = shinko(home.path(), &db).args(["ledger", "import"]).arg(fixture("ledger_bad_rows.csv")).output().unwrap();
    assert!(!o.status.success());
    let err = stderr(&o);
    for want in [
        "ledger_bad_rows.csv 3行目 「生年月日」列: 存在しない日付です",
        "4行目 「区分」列: 「その他」は読めません",
        "5行目 「氏名」列: 氏名が空です",
        "6行目 「氏名」列: 文字の向きを変える制御文字",
        "7行目 「ケース番号」列: ケース番号「B-002」が 2 行目と重複しています",
        "8行目 「緊急度」列: ランク「Z」は設定にありません",
    ] {
        assert!(err.contains(want), "missing «{want}» in\n{err}");
    }
    assert!(!err.contains("2015/13/1"), "personal values are not echoed: {err}");
    assert_eq!(case_count(home.path(), &db), 0);

    // --dry-run reports and writes nothing either.
    let o = shinko(home.path(), &db)
        .args(["ledger", "import", "--dry-run"])
        .arg(fixture("ledger_sjis.csv"))
        .output()
        .unwrap();
    assert!(o.status.success() && stderr(&o).contains("確認のみ"), "{}", stderr(&o));
    assert_eq!(case_count(home.path(), &db), 0);

    // --skip-invalid imports the good rows and writes the others where the user said.
    let rejects = home.path().join("rejects.csv");
    let o = shinko(home.path(), &db)
        .args(["ledger", "import", "--skip-invalid", "--rejects"])
        .arg(&rejects)
        .arg(fixture("ledger_bad_rows.csv"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(case_count(home.path(), &db), 1);
    let text = std::fs::read_to_string(&rejects).unwrap();
    assert_eq!(text.trim_start_matches('\u{feff}').lines().count(), 1 + 6, "{text}");
    assert!(text.contains("取込できなかった理由") && text.contains("ランク「Z」"), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&rejects).unwrap().permissions().mode() & 0o777, 0o600);
    }
}

/// The households as sets of case numbers (ids differ between databases).
fn households(home: &std::path::Path, db: &std::path::Path) -> std::collections::BTreeSet<Vec<String>> {
    let o = shinko(home, db).args(["ledger", "list", "--all", "--format", "json"]).output().unwrap();
    let cases: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    let mut by: std::collections::BTreeMap<i64, Vec<String>> = Default::default();
    for c in &cases {
        if let Some(h) = c["household_id"].as_i64() {
            by.entry(h).or_default().push(c["number"].as_str().unwrap().to_string());
        }
    }
    by.into_values()
        .map(|mut v| {
            v.sort();
            v
        })
        .collect()
}

#[test]
fn export_then_import_round_trips() {
    let home = tempfile::tempdir().unwrap();
    let demo = home.path().join("demo.db");
    shinko(home.path(), &demo).args(["demo", "--no-tui"]).assert().success();
    for ext in ["csv", "xlsx"] {
        let out = home.path().join(format!("台帳.{ext}"));
        shinko(home.path(), &demo).args(["ledger", "export"]).arg(&out).assert().success();
        let fresh = home.path().join(format!("fresh-{ext}.db"));
        shinko(home.path(), &fresh).arg("init").assert().success();
        let o = shinko(home.path(), &fresh).args(["ledger", "import"]).arg(&out).output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        let again = home.path().join(format!("again-{ext}.csv"));
        let first = home.path().join(format!("first-{ext}.csv"));
        shinko(home.path(), &demo).args(["ledger", "export"]).arg(&first).assert().success();
        shinko(home.path(), &fresh).args(["ledger", "export"]).arg(&again).assert().success();
        assert_eq!(std::fs::read(&first).unwrap(), std::fs::read(&again).unwrap(), "{ext} round trip");
        let siblings = households(home.path(), &demo);
        assert!(siblings.iter().any(|h| h.len() >= 2), "the demo town has siblings");
        assert_eq!(households(home.path(), &fresh), siblings, "{ext}: household links survive");
    }
    // Never over an existing file without --force.
    let out = home.path().join("台帳.csv");
    let o = shinko(home.path(), &demo).args(["ledger", "export"]).arg(&out).output().unwrap();
    assert!(!o.status.success() && stderr(&o).contains("--force"));
    assert!(stdout(&o).is_empty());
}

#[test]
fn hostile_files_are_refused_cleanly() {
    let home = tempfile::tempdir().unwrap();
    let db = empty_db(home.path());
    // Too many rows for the configured limit.
    let o = shinko(home.path(), &db)
        .args(["ledger", "import", "--max-rows", "3"])
        .arg(fixture("ledger_sjis.csv"))
        .output()
        .unwrap();
    assert!(!o.status.success() && stderr(&o).contains("行数が上限（3 行）"), "{}", stderr(&o));
    // The same for a workbook: its declared size is refused before any cell is read.
    let many = home.path().join("many.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "氏名").unwrap();
    for r in 1..=20u32 {
        ws.write_string(r, 0, format!("児童{r}")).unwrap();
    }
    wb.save(&many).unwrap();
    let o = shinko(home.path(), &db).args(["ledger", "import", "--max-rows", "10"]).arg(&many).output().unwrap();
    assert!(!o.status.success() && stderr(&o).contains("行数が上限（10 行）"), "{}", stderr(&o));
    // An oversized cell.
    let big = home.path().join("big.csv");
    std::fs::write(&big, format!("氏名,生年月日,受理日\n{},2015/1/1,2024/4/1\n", "あ".repeat(30_000))).unwrap();
    let o = shinko(home.path(), &db).args(["ledger", "import"]).arg(&big).output().unwrap();
    assert!(!o.status.success() && stderr(&o).contains("2行目 「A」列: セルの文字数が上限"), "{}", stderr(&o));
    // A truncated workbook.
    let bytes = std::fs::read(fixture("ledger_shuffled.xlsx")).unwrap();
    let cut = home.path().join("cut.xlsx");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let o = shinko(home.path(), &db).args(["ledger", "import"]).arg(&cut).output().unwrap();
    assert!(!o.status.success() && stderr(&o).contains("途中で切れています"), "{}", stderr(&o));
    assert_eq!(case_count(home.path(), &db), 0);
}

#[test]
fn a_mapping_file_names_unusual_headers() {
    let home = tempfile::tempdir().unwrap();
    let db = empty_db(home.path());
    let csv = home.path().join("town.csv");
    std::fs::write(&csv, "整理No,児童の名前,生まれた日,受けた日,メモ\nT-1,森 ひなた,R2.2.2,R6.6.6,x\n").unwrap();
    let o = shinko(home.path(), &db).args(["ledger", "import"]).arg(&csv).output().unwrap();
    assert!(!o.status.success() && stderr(&o).contains("見出し行が見つかりません"), "{}", stderr(&o));
    let map = home.path().join("map.toml");
    std::fs::write(
        &map,
        "[columns]\n\"整理No\" = \"number\"\n\"児童の名前\" = \"氏名\"\n\"生まれた日\" = \"生年月日\"\n\"受けた日\" = \"受理日\"\n\"メモ\" = \"無視\"\n",
    )
    .unwrap();
    let o = shinko(home.path(), &db).args(["ledger", "import", "--mapping"]).arg(&map).arg(&csv).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("読み取らなかった列"), "{}", stderr(&o));
    assert_eq!(show(home.path(), &db, "T-1")["case"]["birth_date"], "2020-02-02");
}

/// Writes the fixtures in fixtures/intake (run once with `--ignored`; the files are committed).
#[test]
#[ignore]
fn write_fixtures() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let sjis = "令和6年度 要保護児童等 進行管理台帳（高浜町形式）\r\n\
ケースNo.,児童氏名,フリガナ,性別,生年月日,区分,緊急度,受理年月日,学校・園,学年,主担当機関,虐待種別,備考\r\n\
H27-001,森 さくら,もり さくら,女,H27.5.5,要支援,C,平成27年9月1日,あおぞら保育園,年長,こども家庭センター,ネグレクト,\r\n\
H28-003,髙橋 はると,たかはし はると,男,平成28年10月3日,要保護,B,2019/4/2,若葉小学校,3年,こども家庭センター,身体的・心理的,前回会議で継続\r\n\
R2-010,﨑山 ゆい,さきやま ゆい,女,2018-07-07,要支援,D,R2.7.7,若葉小学校,1年,若葉小学校,,\r\n\
R5-021,小川 みなと,おがわ みなと,男,R1.12.24,要保護,A,令和5年6月1日,第二中学校,1年,こども家庭センター,心理的,\r\n\
R6-002,中村 あかり,なかむら あかり,女,R5.3.3,要支援,C,R6.4.10,,,保健センター,ネグレクト,未就園\r\n";
    let (bytes, _, bad) = encoding_rs::SHIFT_JIS.encode(sjis);
    assert!(!bad);
    std::fs::write(fixture("ledger_sjis.csv"), &bytes).unwrap();

    let bad_rows = "ケース番号,氏名,生年月日,区分,緊急度,受理日\n\
B-002,野村 そら,2016/2/2,要支援,C,2024/4/1\n\
B-003,野村 うみ,2015/13/1,要支援,C,2024/4/1\n\
B-004,野村 りく,2014/4/4,その他,C,2024/4/1\n\
B-005,,2014/4/4,要支援,C,2024/4/1\n\
B-006,野村\u{202E}はな,2014/4/4,要支援,C,2024/4/1\n\
B-002,野村 かい,2013/3/3,要支援,C,2024/4/1\n\
B-008,野村 れん,2013/3/3,要支援,Z,2024/4/1\n";
    std::fs::write(fixture("ledger_bad_rows.csv"), bad_rows).unwrap();

    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date = Format::new().set_num_format("yyyy/m/d");
    let headers = ["受理日", "緊急度", "誕生日", "名前", "ケース番号", "登録区分", "所属機関", "ふりがな", "メモ"];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let rows: [(&str, &str, &str, &str, &str, &str); 4] = [
        ("", "B", "", "青木 ひかり", "R6-101", "要保護"),
        ("", "A", "H29.8.8", "青木 つばさ", "R6-102", "要保護児童"),
        ("令和6年4月1日", "C", "2012/1/20", "石井 こはる", "R6-103", "要支援"),
        ("H31.4.1", "D", "令和元年5月1日", "上田 いつき", "R6-104", "特定妊婦"),
    ];
    for (i, (acc, rank, birth, name, number, reg)) in rows.iter().enumerate() {
        let r = (i + 1) as u32;
        match i {
            0 => {
                ws.write_date_with_format(r, 0, ExcelDateTime::from_ymd(2024, 4, 1).unwrap(), &date).unwrap();
                ws.write_date_with_format(r, 2, ExcelDateTime::from_ymd(2015, 5, 5).unwrap(), &date).unwrap();
            }
            1 => {
                ws.write_number(r, 0, 45383.0).unwrap(); // Excel serial for 2024-04-01, no date format
                ws.write_string(r, 2, *birth).unwrap();
            }
            _ => {
                ws.write_string(r, 0, *acc).unwrap();
                ws.write_string(r, 2, *birth).unwrap();
            }
        }
        ws.write_string(r, 1, *rank).unwrap();
        ws.write_string(r, 3, *name).unwrap();
        ws.write_string(r, 4, *number).unwrap();
        ws.write_string(r, 5, *reg).unwrap();
        ws.write_string(r, 6, if i < 2 { "若葉小学校" } else { "" }).unwrap();
    }
    ws.write_formula(1, 8, rust_xlsxwriter::Formula::new("=1+1").set_result("2")).unwrap();
    wb.save(fixture("ledger_shuffled.xlsx")).unwrap();
}

/// The variant-name table end to end: children registered as 髙橋, 山﨑, 𠮷田, 渡邊, 齋藤 and
/// 葛󠄀城 (a variation selector) are found by the common spelling, shown as they were written,
/// exported unchanged, and the same children typed in the common spelling are not registered
/// a second time.
#[test]
fn variant_spellings_are_found_kept_and_never_a_second_child() {
    let home = tempfile::tempdir().unwrap();
    let db = empty_db(home.path());
    let spelled = [
        ("V-1", "髙橋 はな", "高橋"),
        ("V-2", "山﨑 蓮", "山崎"),
        ("V-3", "𠮷田 葵", "吉田"),
        ("V-4", "渡邊 湊", "渡辺"),
        ("V-5", "齋藤 結衣", "斎藤"),
        ("V-6", "葛\u{E0100}城 美咲", "葛城"),
    ];
    let mut csv = String::from("ケース番号,氏名,生年月日,受理日\n");
    for (i, (n, name, _)) in spelled.iter().enumerate() {
        csv += &format!("{n},{name},2016/4/{},2024/4/1\n", i + 1);
    }
    let f = home.path().join("異体字.csv");
    std::fs::write(&f, &csv).unwrap();
    let o = shinko(home.path(), &db).args(["ledger", "import"]).arg(&f).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    for (n, name, common) in spelled {
        let o =
            shinko(home.path(), &db).args(["ledger", "list", "--query", common, "--format", "json"]).output().unwrap();
        let found: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(found.len(), 1, "{common} finds {name}");
        assert_eq!(found[0]["number"], n);
        assert_eq!(show(home.path(), &db, n)["case"]["name"], name, "stored and shown as written");
    }
    let out = home.path().join("出力.csv");
    let o = shinko(home.path(), &db).args(["ledger", "export"]).arg(&out).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let exported = std::fs::read_to_string(&out).unwrap();
    assert!(spelled.iter().all(|(_, name, _)| exported.contains(name)), "{exported}");

    // The same children again, without numbers and in the common spelling.
    let mut again = String::from("氏名,生年月日,受理日\n");
    for (i, (_, name, common)) in spelled.iter().enumerate() {
        let given = name.split(' ').nth(1).unwrap();
        again += &format!("{common}　{given},2016/4/{},2024/4/1\n", i + 1);
    }
    std::fs::write(&f, &again).unwrap();
    let o = shinko(home.path(), &db).args(["ledger", "import"]).arg(&f).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("新規 0 件"), "{}", stderr(&o));
    assert_eq!(case_count(home.path(), &db), spelled.len());
}

/// Another town's ledger numbers its cases in a 「No.」 column (R001…): those are the case
/// numbers, so importing the same file again matches every row instead of refusing them.
#[test]
fn a_towns_own_ids_in_a_no_column_are_kept_and_match_again() {
    let home = tempfile::tempdir().unwrap();
    let db = empty_db(home.path());
    let f = home.path().join("他市台帳.csv");
    std::fs::write(
        &f,
        "No.,児童氏名,生年月日,受理日,世帯番号\nR001,試験 一郎,2015/1/1,2024/4/1,S-1\nR004,試験 二郎,2016/2/2,2024/4/1,S-1\nR009,試験 三郎,2017/3/3,2024/4/1,S-2\n",
    )
    .unwrap();
    for round in ["新規 3 件", "変更なし 3 件"] {
        let o = shinko(home.path(), &db).args(["ledger", "import"]).arg(&f).output().unwrap();
        let err = stderr(&o);
        assert!(o.status.success(), "{err}");
        assert!(err.contains("「No.」列をケース番号として読みました"), "{err}");
        assert!(err.contains(round), "{err}");
    }
    assert_eq!(show(home.path(), &db, "R004")["case"]["birth_date"], "2016-02-02");
    assert_eq!(case_count(home.path(), &db), 3);
    let expected: std::collections::BTreeSet<Vec<String>> =
        [vec!["R001".to_string(), "R004".to_string()], vec!["R009".to_string()]].into_iter().collect();
    assert_eq!(households(home.path(), &db), expected, "rows with the same 世帯番号 are one household");
}

/// A ledger imported as 取込-0001… is given the town's own numbers, from a two-column file,
/// in the audit chain; a wrong list changes nothing and names every problem.
#[test]
fn imported_cases_are_renumbered_and_the_change_is_audited() {
    let home = tempfile::tempdir().unwrap();
    let db = empty_db(home.path());
    let run = |args: &[&str]| shinko(home.path(), &db).args(args).output().unwrap();
    let f = home.path().join("台帳.csv");
    std::fs::write(&f, "氏名,生年月日,受理日\n試験 一郎,2015/1/1,2024/4/1\n試験 二郎,2016/2/2,2024/4/1\n").unwrap();
    let o = shinko(home.path(), &db).args(["ledger", "import"]).arg(&f).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));

    let wrong = home.path().join("誤り.csv");
    std::fs::write(&wrong, "旧ケース番号,新ケース番号\n取込-0001,R001\n取込-0009,R002\n取込-0002,R001\n").unwrap();
    let o = shinko(home.path(), &db).args(["ledger", "renumber", "--file"]).arg(&wrong).output().unwrap();
    let err = stderr(&o);
    assert!(!o.status.success());
    assert!(err.contains("誤り.csv 3行目: ケース番号「取込-0009」は台帳にありません"), "{err}");
    assert!(err.contains("誤り.csv 4行目: 番号「R001」が 2 行目にもあります"), "{err}");
    assert!(show(home.path(), &db, "取込-0001")["case"]["name"] == "試験 一郎", "nothing changed");

    let list = home.path().join("対応.csv");
    std::fs::write(&list, "旧ケース番号,新ケース番号\n取込-0001,R001\n取込-0002,R004\n").unwrap();
    let o = shinko(home.path(), &db).args(["ledger", "renumber", "--file"]).arg(&list).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("2 件のケース番号を付け替えました"), "{}", stderr(&o));
    assert_eq!(show(home.path(), &db, "R004")["case"]["name"], "試験 二郎");
    let o = run(&["ledger", "show", "取込-0001"]);
    assert!(!o.status.success(), "the old number is gone");
    let o = run(&["audit", "log", "--case", "R001", "--values"]);
    let log = stdout(&o);
    assert!(log.contains("number") && log.contains("取込-0001") && log.contains("R001"), "{log}");

    let o = run(&["ledger", "renumber", "R001", "R004"]);
    assert!(!o.status.success() && stderr(&o).contains("新しい番号「R004」は既に使われています"), "{}", stderr(&o));
    let o = run(&["audit", "verify"]);
    assert!(o.status.success(), "{}", stderr(&o));
}
