//! 定期的な情報提供 end to end through the real binary: templates from the demo town, filled
//! copies (xlsx, UTF-8 and Shift_JIS CSV), import, the alerts, the missing list, one test per
//! plausible mistake (each changes nothing), and an urgent report by hand.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod intake {
    pub mod common;
}

use std::path::{Path, PathBuf};

use intake::common::{Town, fill, first_child, grid, name_in, set_meta, stderr, stdout, write_csv, write_xlsx};

/// The demo's today is 2026-11-24 and it holds September's and October's reports: these tests
/// fill August's, due on 2026-09-10.
const MONTH: &str = "2026-08";

fn town() -> Town {
    let (t, said) = Town::with_templates(&["reports", "templates", "--month", "R8.8"], "月次様式");
    assert!(said.contains("2026年8月 の様式を作成しました（提出期限 2026-09-10）"), "{said}");
    t
}

/// The template's cells.
fn template(t: &Town, code: &str) -> Vec<Vec<String>> {
    grid(&t.template(code))
}

impl Town {
    fn list(&self) -> Vec<serde_json::Value> {
        let o = self.run(&["reports", "list", "--month", MONTH, "--format", "json"], &[]);
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_slice(&o.stdout).unwrap()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.home.path().join(name)
    }

    /// A refused import: every expected phrase said, nothing stored.
    fn refused(&self, file: &Path, said: &[&str]) {
        let before = self.list();
        let o = self.run(&["reports", "import"], &[file]);
        let err = stderr(&o);
        assert!(!o.status.success(), "{err}");
        assert!(err.contains("何も取り込んでいません"), "{err}");
        for s in said {
            assert!(err.contains(s), "{s}: {err}");
        }
        assert_eq!(self.list(), before);
    }
}

fn ok_row<'a>() -> Vec<(&'a str, &'a str)> {
    vec![
        ("授業日数", "20"),
        ("出席日数", "18"),
        ("欠席日数", "2"),
        ("うち連絡あり", "2"),
        ("うち連絡なし", "0"),
        ("遅刻・早退", "1"),
        ("連続欠席の最長日数", "1"),
        ("欠席理由", "発熱"),
    ]
}

fn filled(t: &Town, code: &str, values: &[(&str, &str)]) -> (Vec<Vec<String>>, String) {
    let mut g = template(t, code);
    let child = first_child(&g);
    set_meta(&mut g, "記入者", "担任");
    set_meta(&mut g, "記入日", "2026-09-03");
    fill(&mut g, &child, values);
    (g, child)
}

#[test]
fn filled_reports_import_raise_alerts_and_leave_the_rest_missing() {
    let t = town();
    let g = template(&t, "ES01");
    assert!(g.iter().any(|r| r.iter().any(|c| c.contains("取扱注意"))), "confidentiality notice");
    assert!(g.iter().any(|r| r[0] == "提出期限" && r[1] == "2026-09-10"), "the deadline");
    let h = g.iter().position(|r| r[0] == "ケース番号").unwrap();
    for label in ["出席日数", "うち連絡なし", "連続欠席の最長日数", "家庭・本人の様子", "特記事項"]
    {
        assert!(g[h].iter().any(|c| c == label), "{label}");
    }
    // Only the institution's own children.
    for row in g[h + 1..].iter().filter(|r| !r[0].is_empty()) {
        let o = t.run(&["ledger", "show", &row[0], "--format", "json"], &[]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["affiliation_name"], "本町小学校", "{}", row[0]);
    }

    let (g1, child) = filled(&t, "ES01", &ok_row());
    let calm = t.path("本町小_8月.xlsx");
    write_xlsx(&g1, &calm);
    let (mut g2, child2) = filled(
        &t,
        "ES02",
        &[
            ("授業日数", "20"),
            ("出席日数", "12"),
            ("欠席日数", "8"),
            ("うち連絡あり", "1"),
            ("うち連絡なし", "7"),
            ("遅刻・早退", "0"),
            ("連続欠席の最長日数", "7"),
            ("特記事項", "母と連絡がつかない"),
        ],
    );
    set_meta(&mut g2, "記入日", "R8.9.4");
    let worrying = t.path("東小_8月.csv");
    write_csv(&g2, &worrying);

    let o = t.run(&["reports", "import", "--dry-run"], &[&calm, &worrying]);
    assert!(o.status.success() && stderr(&o).contains("確認のみ"), "{}", stderr(&o));
    assert!(t.list().is_empty());
    let o = t.run(&["reports", "import"], &[&calm, &worrying]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("報告 2 件") && err.contains("要確認: 1 ケースに 3 件"), "{err}");
    assert!(!err.contains(&name_in(&g2, &child2)), "no name in what is said: {err}");

    let listed = t.list();
    let mine = |n: &str| listed.iter().find(|r| r["case"] == n).unwrap().clone();
    assert_eq!(mine(&child)["alerts"], serde_json::json!([]));
    assert_eq!(mine(&child)["absent"], 2);
    let alerts = mine(&child2)["alerts"].to_string();
    assert!(alerts.contains("理由の確かでない連続欠席 7 日（基準 7 日）"), "{alerts}");
    assert!(alerts.contains("連絡のない欠席 7 日") && alerts.contains("特記事項の記載"), "{alerts}");
    assert!(!alerts.contains("母と連絡"), "the remark stays in the case: {alerts}");

    // The same file again (a month's file sent twice): said, nothing changes.
    let o = t.run(&["reports", "import"], &[&calm]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("取込済みと同じ内容です（1 件）。前の月のファイル"), "{}", stderr(&o));
    assert_eq!(t.list(), listed);

    // A correction with a later 記入日 replaces the report.
    let mut g3 = g1.clone();
    set_meta(&mut g3, "記入日", "2026-09-08");
    fill(&mut g3, &child, &[("出席日数", "17"), ("欠席日数", "3"), ("うち連絡あり", "3")]);
    let corrected = t.path("本町小_8月_訂正.xlsx");
    write_xlsx(&g3, &corrected);
    let o = t.run(&["reports", "import"], &[&corrected]);
    assert!(o.status.success() && stderr(&o).contains("置き換え 1 件"), "{}", stderr(&o));
    assert_eq!(t.list().iter().find(|r| r["case"] == child).unwrap()["absent"], 3);

    // Everyone else is missing, per institution, past the deadline.
    let o = t.run(&["reports", "missing", "--month", MONTH, "--format", "json"], &[]);
    let missing: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    let es01 = missing.iter().find(|m| m["agency_code"] == "ES01").unwrap();
    assert_eq!(es01["overdue"], true);
    assert!(!es01["cases"].as_array().unwrap().iter().any(|c| c == &serde_json::json!(child)));
    let text = stdout(&t.run(&["reports", "missing", "--month", MONTH], &[]));
    assert!(text.contains("期限を過ぎています") && text.contains("本町小学校（ES01）: 未提出"), "{text}");
    assert!(!text.contains(&name_in(&g1, &first_child(&g1))), "the reminder carries numbers, not names");
}

#[test]
fn shift_jis_csv_is_read() {
    let t = town();
    let (g, child) = filled(&t, "ES01", &ok_row());
    let mut text = String::new();
    for row in &g {
        text += &row.join(",");
        text += "\r\n";
    }
    let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(&text);
    let p = t.path("本町小_sjis.csv");
    std::fs::write(&p, &bytes).unwrap();
    let o = t.run(&["reports", "import"], &[&p]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(t.list()[0]["case"], child);
}

#[test]
fn a_wrong_childs_case_number_is_refused() {
    let t = town();
    let g = template(&t, "ES01");
    let h = g.iter().position(|r| r[0] == "ケース番号").unwrap();
    let (first, second) = (g[h + 1][0].clone(), g[h + 2][0].clone());
    let (mut g, _) = filled(&t, "ES01", &ok_row());
    g[h + 1][0] = second.clone();
    let p = t.path("番号違い.xlsx");
    write_xlsx(&g, &p);
    t.refused(&p, &[&format!("ケース番号 {second} の児童"), &format!("シートの氏名はケース {first}")]);
}

#[test]
fn more_absences_than_school_days_are_refused() {
    let t = town();
    let (g, _) =
        filled(&t, "ES01", &[("授業日数", "20"), ("出席日数", "0"), ("欠席日数", "22"), ("うち連絡あり", "22")]);
    let p = t.path("欠席過多.csv");
    write_csv(&g, &p);
    t.refused(&p, &["「欠席日数」列: 欠席日数 22 が授業日数 20 を超えています"]);
}

#[test]
fn contact_days_that_do_not_add_up_are_refused() {
    let t = town();
    let mut row = ok_row();
    row.retain(|(k, _)| *k != "うち連絡あり");
    row.push(("うち連絡あり", "1"));
    let (g, _) = filled(&t, "ES01", &row);
    let p = t.path("内訳違い.csv");
    write_csv(&g, &p);
    t.refused(&p, &["連絡あり 1 日と連絡なし 0 日の合計が欠席日数 2 と合いません"]);
}

#[test]
fn a_month_not_yet_begun_is_refused() {
    let t = town();
    let (mut g, _) = filled(&t, "ES01", &ok_row());
    set_meta(&mut g, "対象月", "2026-12");
    let p = t.path("来月.csv");
    write_csv(&g, &p);
    t.refused(&p, &["「対象月」列: 2026年12月 はまだ来ていない月です"]);
}

#[test]
fn an_institutions_file_with_anothers_code_is_refused() {
    let t = town();
    let (mut g, child) = filled(&t, "ES01", &ok_row());
    set_meta(&mut g, "機関コード", "ES02");
    let p = t.path("コード違い.xlsx");
    write_xlsx(&g, &p);
    t.refused(
        &p,
        &[
            "機関名「本町小学校」は機関コード「ES02」の機関",
            &format!("ケース {child} は機関「ES02」の児童として登録されていません"),
        ],
    );
}

#[test]
fn an_assessment_sheet_is_sent_to_the_other_command() {
    let t = town();
    let sheets = t.path("シート様式");
    let o = t.run(&["sheets", "templates", "--due", "2026-12-10", "--out"], &[&sheets]);
    assert!(o.status.success(), "{}", stderr(&o));
    let any = std::fs::read_dir(&sheets).unwrap().next().unwrap().unwrap().path();
    t.refused(&any, &["shinko sheets import"]);
}

#[test]
fn an_urgent_report_by_hand_raises_the_alert() {
    let t = town();
    let (_, child) = filled(&t, "ES01", &ok_row());
    // 2026-11-13 (Fri) to 2026-11-24 (Tue), 11/23 勤労感謝の日: 7 school days.
    let o = t.run(&["reports", "add", "--case", &child, "--absent-since", "2026-11-13", "--unnotified"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("要確認: 理由の確かでない連続欠席 7 日"), "{}", stderr(&o));
    let o = t.run(&["reports", "list", "--month", "2026-11", "--format", "json"], &[]);
    let listed: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    let r = &listed[0];
    assert_eq!(
        (r["urgent"].clone(), r["absent"].clone(), r["month"].clone()),
        (true.into(), 7.into(), "2026-11".into())
    );
    let audit = stdout(&t.run(&["audit", "log", "--case", &child], &[]));
    assert!(audit.contains("monthly_report"), "{audit}");
}

#[test]
fn a_child_marked_not_designated_gets_no_template_row_and_is_never_missing() {
    let t = town();
    let g = template(&t, "ES01");
    let child = first_child(&g);
    let o = t.run(&["ledger", "edit", "--number", &child, "--monthly-report", "対象外"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let shown = stdout(&t.run(&["ledger", "show", &child], &[]));
    assert!(shown.contains("月次報告: 対象外\n"), "{shown}");

    let again = t.path("月次様式_再作成");
    let o = t.run(&["reports", "templates", "--month", "R8.8", "--out"], &[&again]);
    assert!(o.status.success(), "{}", stderr(&o));
    let file = std::fs::read_dir(&again)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().contains("_ES01_"))
        .unwrap();
    let g2 = grid(&file);
    assert!(!g2.iter().any(|r| r[0] == child), "{child} is 対象外 and must not be in the template");
    assert!(g2.iter().filter(|r| r[0] != child).count() > 0);

    let o = t.run(&["reports", "missing", "--month", MONTH, "--format", "json"], &[]);
    let missing: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        !missing.iter().any(|m| m["cases"].as_array().unwrap().iter().any(|c| c == &serde_json::json!(child))),
        "{child} is 対象外 and must not be listed as 未提出"
    );

    // 対象 again from a typo is refused, naming the choices; 対象 is taken back.
    let o = t.run(&["ledger", "edit", "--number", &child, "--monthly-report", "対称"], &[]);
    assert!(!o.status.success() && stderr(&o).contains("既定/対象/対象外"), "{}", stderr(&o));
    let o = t.run(&["ledger", "edit", "--number", &child, "--monthly-report", "既定"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = t.run(&["audit", "verify"], &[]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
}
