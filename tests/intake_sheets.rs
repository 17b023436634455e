//! Assessment sheets end to end through the real binary: templates from the demo town,
//! filled copies written into them (xlsx and CSV), import, duplicates, bad cells, merged view.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod intake {
    pub mod common;
}

use std::path::{Path, PathBuf};

use intake::common::{fill, first_child, grid, name_in, set_meta, shinko, stderr, stdout, write_csv, write_xlsx};

const DUE: &str = "2026-12-10";

struct Town {
    home: tempfile::TempDir,
    db: PathBuf,
    templates: PathBuf,
}

fn town() -> Town {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("demo.db");
    shinko(home.path(), &db).args(["demo", "--no-tui"]).assert().success();
    let templates = home.path().join("様式");
    let o = shinko(home.path(), &db)
        .args(["sheets", "templates", "--due", "R8.12.10", "--out"])
        .arg(&templates)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("提出依頼を記録しました"));
    Town { home, db, templates }
}

impl Town {
    fn template(&self, code: &str) -> PathBuf {
        std::fs::read_dir(&self.templates)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_string_lossy().contains(&format!("_{code}_")))
            .unwrap_or_else(|| panic!("no template for {code}"))
    }

    fn run(&self, args: &[&str], files: &[&Path]) -> std::process::Output {
        let mut c = shinko(self.home.path(), &self.db);
        c.args(args);
        for f in files {
            c.arg(f);
        }
        c.output().unwrap()
    }

    fn merged(&self, number: &str) -> serde_json::Value {
        let o = self.run(&["sheets", "merged", "--case", number, "--format", "json"], &[]);
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_slice(&o.stdout).unwrap()
    }

    fn all_merged(&self) -> String {
        let o = self.run(&["sheets", "merged", "--format", "json"], &[]);
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
    }
}

#[test]
fn filled_templates_import_and_merge() {
    let t = town();
    let es01 = t.template("ES01");
    let mut g1 = grid(&es01);
    assert!(g1.iter().any(|r| r.iter().any(|c| c.contains("取扱注意"))), "confidentiality notice");
    assert!(g1.iter().any(|r| r[0] == "提出期限（対象期間の末日）" && r[1] == DUE));
    let child = first_child(&g1);
    // Only the institution's own children, and the 0–10 scale column is there.
    let h = g1.iter().position(|r| r[0] == "ケース番号").unwrap();
    assert!(g1[h].iter().any(|c| c.starts_with("セーフティスケール")));
    for row in g1[h + 1..].iter().filter(|r| !r[0].is_empty()) {
        let o = t.run(&["ledger", "show", &row[0], "--format", "json"], &[]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["affiliation_name"], "本町小学校", "{}", row[0]);
    }
    set_meta(&mut g1, "記入者", "担任");
    set_meta(&mut g1, "記入日", "R8.12.1");
    fill(
        &mut g1,
        &child,
        &[
            ("欠席・遅刻・早退", "○"),
            ("不自然なけが", "○"),
            ("気になること", "月曜日に空腹を訴える"),
            ("セーフティスケール", "1"),
        ],
    );
    let filled1 = t.home.path().join("本町小_記入済.xlsx");
    write_xlsx(&g1, &filled1);

    let es02 = t.template("ES02");
    let mut g2 = grid(&es02);
    let child2 = first_child(&g2);
    fill(&mut g2, &child2, &[("良い変化", "登校が安定した"), ("セーフティスケール", "８")]);
    let filled2 = t.home.path().join("東小_記入済.csv");
    write_csv(&g2, &filled2);

    let before = t.all_merged();
    let o = t.run(&["sheets", "import", "--dry-run"], &[&filled1, &filled2]);
    assert!(o.status.success() && stderr(&o).contains("確認のみ"), "{}", stderr(&o));
    assert_eq!(t.all_merged(), before);
    let o = t.run(&["sheets", "import"], &[&filled1, &filled2]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("シート 2 件"), "{}", stderr(&o));

    let m = t.merged(&child);
    let col = m["institutions"].as_array().unwrap().iter().find(|c| c["agency_code"] == "ES01").unwrap().clone();
    assert_eq!(col["period"], DUE);
    assert_eq!(col["safety_scale"], 1);
    assert_eq!(col["written_on"], "2026-12-01");
    assert!(col["checks"].as_array().unwrap().iter().any(|c| c == "欠席・遅刻・早退が目立つ"));
    assert!(col["notes"].to_string().contains("月曜日に空腹を訴える"));
    assert!(!m["missing"].as_array().unwrap().iter().any(|x| x["agency_code"] == "ES01"), "answered: {m}");
    if col["previous_scale"].is_number() {
        assert_eq!(col["scale_change"], 1 - col["previous_scale"].as_i64().unwrap());
    }
    let m2 = t.merged(&child2);
    let col2 = m2["institutions"].as_array().unwrap().iter().find(|c| c["agency_code"] == "ES02").unwrap().clone();
    assert_eq!(col2["safety_scale"], 8);

    // Text view names the institution and says which expected sheets are missing.
    let o = t.run(&["sheets", "merged"], &[]);
    let text = stdout(&o);
    assert!(text.contains("未提出:") && text.contains("本町小学校（ES01）"), "{text}");

    // --due keeps the cases to be reviewed by then.
    let due: Vec<serde_json::Value> =
        serde_json::from_slice(&t.run(&["sheets", "merged", "--due", "2026-12-01", "--format", "json"], &[]).stdout)
            .unwrap();
    let all: Vec<serde_json::Value> = serde_json::from_str(&t.all_merged()).unwrap();
    assert!(!due.is_empty() && due.len() < all.len(), "{} of {}", due.len(), all.len());

    // The same submission again: reported, nothing changes, until the user says which wins.
    let before = t.all_merged();
    let o = t.run(&["sheets", "import"], &[&filled1]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("重複") && stderr(&o).contains("--prefer"), "{}", stderr(&o));
    assert_eq!(t.all_merged(), before);
    fill(&mut g1, &child, &[("セーフティスケール", "2")]);
    let newer = t.home.path().join("本町小_再提出.xlsx");
    write_xlsx(&g1, &newer);
    let o = t.run(&["sheets", "import", "--prefer", "old"], &[&newer]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(t.all_merged(), before);
    let o = t.run(&["sheets", "import", "--prefer", "new"], &[&newer]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("置き換え 1 件"), "{}", stderr(&o));
    let col = t.merged(&child)["institutions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["agency_code"] == "ES01")
        .unwrap()
        .clone();
    assert_eq!(col["safety_scale"], 2);
}

#[test]
fn bad_cells_and_broken_files_change_nothing() {
    let t = town();
    let es01 = t.template("ES01");
    let g = grid(&es01);
    let child = first_child(&g);
    let es02 = grid(&t.template("ES02"));
    let other = first_child(&es02);
    let before = t.all_merged();

    let mut bad = g.clone();
    fill(&mut bad, &child, &[("セーフティスケール", "11"), ("欠席・遅刻・早退", "たぶん")]);
    let p = t.home.path().join("bad.csv");
    write_csv(&bad, &p);
    let mut foreign = g.clone();
    fill(&mut foreign, &other, &[("氏名", &name_in(&es02, &other)), ("セーフティスケール", "5")]);
    let q = t.home.path().join("foreign.xlsx");
    write_xlsx(&foreign, &q);
    let o = t.run(&["sheets", "import"], &[&p]);
    let err = stderr(&o);
    assert!(!o.status.success());
    assert!(err.contains("セーフティスケール 11 は範囲外"), "{err}");
    assert!(err.contains("チェック欄には「○」か空欄"), "{err}");
    let o = t.run(&["sheets", "import"], &[&q]);
    let err = stderr(&o);
    assert!(!o.status.success() && err.contains("機関「ES01」の児童として登録されていません"), "{err}");
    let mut unknown = g.clone();
    let h = unknown.iter().position(|r| r[0] == "ケース番号").unwrap();
    unknown[h + 1][0] = "R9-99999".into();
    fill(&mut unknown, "R9-99999", &[("セーフティスケール", "5")]);
    let u = t.home.path().join("unknown.csv");
    write_csv(&unknown, &u);
    let o = t.run(&["sheets", "import"], &[&u]);
    assert!(!o.status.success() && stderr(&o).contains("ケース番号「R9-99999」は台帳にありません"), "{}", stderr(&o));

    // A good file together with a truncated one: the whole import stops.
    let mut good = g.clone();
    fill(&mut good, &child, &[("セーフティスケール", "7")]);
    let ok = t.home.path().join("good.xlsx");
    write_xlsx(&good, &ok);
    let bytes = std::fs::read(&ok).unwrap();
    let cut = t.home.path().join("cut.xlsx");
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let o = t.run(&["sheets", "import"], &[&ok, &cut]);
    assert!(!o.status.success() && stderr(&o).contains("cut.xlsx: Excelファイルとして読めません"), "{}", stderr(&o));
    assert_eq!(t.all_merged(), before, "nothing changed");
}
