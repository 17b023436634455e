//! Assessment sheets end to end through the real binary: templates from the demo town,
//! filled copies written into them (xlsx and CSV), import, duplicates, bad cells, merged view.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod intake {
    pub mod common;
}

use std::path::{Path, PathBuf};

use intake::common::{Town, fill, first_child, grid, name_in, set_meta, stderr, stdout, write_csv, write_xlsx};

const DUE: &str = "2026-12-10";

fn town() -> Town {
    let (t, said) = Town::with_templates(&["sheets", "templates", "--due", "R8.12.10"], "様式");
    assert!(said.contains("提出依頼を記録しました"));
    t
}

impl Town {
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

// ---------------------------------------------------------------- the mistakes people make

/// Children of a template: (0-based grid row, number, name).
fn children(g: &[Vec<String>]) -> Vec<(usize, String, String)> {
    let h = g.iter().position(|r| r[0] == "ケース番号").unwrap();
    (h + 1..g.len()).filter(|&r| !g[r][0].is_empty()).map(|r| (r, g[r][0].clone(), g[r][1].clone())).collect()
}

fn col(g: &[Vec<String>], header: &str) -> usize {
    let h = g.iter().position(|r| r[0] == "ケース番号").unwrap();
    g[h].iter().position(|x| x.starts_with(header)).unwrap()
}

/// A child's row as a school fills it: the scale falls to 3, absences noted.
fn fill_row(g: &mut [Vec<String>], r: usize) {
    let (a, n, s) = (col(g, "欠席・遅刻・早退"), col(g, "気になること"), col(g, "セーフティスケール"));
    g[r][a] = "○".into();
    g[r][n] = "11月から欠席が続く".into();
    g[r][s] = "3".into();
}

fn written(g: &mut [Vec<String>], on: &str) {
    set_meta(g, "記入者", "担任");
    set_meta(g, "記入日", on);
}

/// Writes a workbook with a cover sheet before the data sheet.
fn write_xlsx_with_cover(g: &[Vec<String>], path: &Path) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let cover = wb.add_worksheet();
    cover.set_name("表紙").unwrap();
    cover.write_string(0, 0, "令和8年度 アセスメントシート 提出用").unwrap();
    let ws = wb.add_worksheet();
    for (r, row) in g.iter().enumerate() {
        for (c, v) in row.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
            ws.write_string(r as u32, c as u16, v).unwrap();
        }
    }
    wb.save(path).unwrap();
}

/// One plausible-but-wrong submission: its file, what stderr must say, and whether the
/// import of it alone is refused.
struct Mistake {
    what: &'static str,
    file: PathBuf,
    says: Vec<String>,
    refused: bool,
    /// Names (and readings) that must never appear in the output.
    private: Vec<String>,
}

fn mistakes(t: &Town) -> Vec<Mistake> {
    let dir = t.home.path().join("届いたシート");
    std::fs::create_dir_all(&dir).unwrap();
    let es01 = grid(&t.template("ES01"));
    let es02 = grid(&t.template("ES02"));
    let kids = children(&es01);
    let (a, b) = (&kids[0], &kids[1]);
    let other = &children(&es02)[0];
    let names = vec![a.2.clone(), b.2.clone(), other.2.clone()];
    let mut out = Vec::new();
    let mut add = |what: &'static str, name: &str, g: &[Vec<String>], says: Vec<String>, refused: bool| {
        let file = dir.join(name);
        if name.ends_with(".csv") {
            write_csv(g, &file)
        } else {
            write_xlsx(g, &file)
        }
        out.push(Mistake { what, file, says, refused, private: names.clone() });
    };

    // The school's sheet for a, filled in; each mistake is made on a copy.
    let filled = || {
        let mut g = es01.clone();
        written(&mut g, "R8.12.1");
        fill_row(&mut g, a.0);
        g
    };
    // The number of another child of the same school typed into a's row.
    let mut g = filled();
    g[a.0][0] = b.1.clone();
    add(
        "mistyped number",
        "本町小_番号違い.xlsx",
        &g,
        vec![
            format!("本町小_番号違い.xlsx {}行目 「氏名」列: ケース番号 {} の児童", a.0 + 1, b.1),
            "氏名が一致しません".into(),
            format!("シートの氏名はケース {}", a.1),
            "書き間違い".into(),
        ],
        true,
    );

    let mut g = filled();
    g[a.0][0] = b.1.clone();
    g[b.0][0] = a.1.clone();
    fill_row(&mut g, b.0);
    add(
        "swapped numbers",
        "本町小_入れ替え.csv",
        &g,
        vec![
            format!("本町小_入れ替え.csv {}行目 「氏名」列: ケース番号 {} の児童", a.0 + 1, b.1),
            format!("本町小_入れ替え.csv {}行目 「氏名」列: ケース番号 {} の児童", b.0 + 1, a.1),
        ],
        true,
    );

    let mut g = filled();
    g[a.0][1] = "試験 花子".into();
    add(
        "name overwritten",
        "本町小_氏名上書き.xlsx",
        &g,
        vec![format!("{}行目", a.0 + 1), "シートの氏名は台帳のどの児童とも一致しません".into()],
        true,
    );

    let mut g = filled();
    g[a.0][1] = String::new();
    add("name deleted", "本町小_氏名なし.csv", &g, vec![format!("ケース {} の行に氏名がありません", a.1)], true);

    // Another school's file with its code left unchanged, holding this school's child.
    let mut g = filled();
    g[a.0][0] = other.1.clone();
    g[a.0][1] = other.2.clone();
    add(
        "another institution's file",
        "東小_本町小の様式.xlsx",
        &g,
        vec![format!("ケース {} は機関「ES01」の児童として登録されていません（所属は ES02）", other.1)],
        true,
    );

    let mut g = filled();
    set_meta(&mut g, "機関名", "東小学校");
    add(
        "機関名 not the code's",
        "機関名違い.xlsx",
        &g,
        vec!["機関名「東小学校」は機関コード「ES01」の機関（本町小学校）ではありません".into()],
        true,
    );

    let mut g = filled();
    set_meta(&mut g, "機関コード", "ES99");
    add("unknown code", "コード違い.csv", &g, vec!["機関コード「ES99」は登録されていません".into()], true);

    let mut g = filled();
    g[a.0][col(&es01, "セーフティスケール")] = "5.5".into();
    add("5.5", "小数.csv", &g, vec!["セーフティスケール 5.5 は整数ではありません".into()], true);

    let mut g = filled();
    g[a.0][col(&es01, "セーフティスケール")] = String::new();
    add("blank scale with ticks", "スケール空欄.xlsx", &g, vec!["セーフティスケールが空です".into()], true);

    let unchanged = dir.join("本町小_未記入.xlsx");
    std::fs::copy(t.template("ES01"), &unchanged).unwrap();
    out.push(Mistake {
        what: "unchanged template",
        file: unchanged,
        says: vec!["本町小_未記入.xlsx（ES01）: 未記入の様式".into()],
        refused: false,
        private: names.clone(),
    });

    let mut g = es02.clone();
    written(&mut g, "R8.12.1");
    fill_row(&mut g, children(&es02)[0].0);
    let cover = dir.join("東小_表紙つき.xlsx");
    write_xlsx_with_cover(&g, &cover);
    out.push(Mistake {
        what: "cover sheet first",
        file: cover,
        says: vec![
            "東小_表紙つき.xlsx: 2 枚目のシートを読みました".into(),
            "東小_表紙つき.xlsx（ES02）: 取込 1 件".into(),
        ],
        refused: false,
        private: names,
    });
    out
}

fn one_mistake(what: &str) {
    let t = town();
    let m = mistakes(&t).into_iter().find(|m| m.what == what).unwrap();
    let before = t.all_merged();
    let o = t.run(&["sheets", "import", "--dry-run"], &[&m.file]);
    let err = stderr(&o);
    assert_eq!(o.status.success(), !m.refused, "{what}: {err}");
    for s in &m.says {
        assert!(err.contains(s.as_str()), "{what}: missing 「{s}」 in\n{err}");
    }
    for n in &m.private {
        assert!(!err.contains(n.as_str()) && !err.contains(&n.replace(' ', "")), "{what}: a child's name in\n{err}");
    }
    assert_eq!(t.all_merged(), before, "{what}: a dry run stores nothing");
    eprintln!("{what}: {}", if m.refused { "refused" } else { "accepted" });
}

#[test]
fn a_mistyped_number_of_another_child_is_refused() {
    one_mistake("mistyped number");
}

#[test]
fn swapped_numbers_are_both_refused() {
    one_mistake("swapped numbers");
}

#[test]
fn an_overwritten_name_is_refused() {
    one_mistake("name overwritten");
}

#[test]
fn a_deleted_name_is_refused() {
    one_mistake("name deleted");
}

#[test]
fn another_institutions_file_is_refused() {
    one_mistake("another institution's file");
}

#[test]
fn an_agency_name_that_is_not_the_codes_is_refused() {
    one_mistake("機関名 not the code's");
}

#[test]
fn an_unknown_agency_code_is_refused() {
    one_mistake("unknown code");
}

#[test]
fn a_fraction_is_not_a_whole_number() {
    one_mistake("5.5");
}

#[test]
fn a_blank_scale_on_a_row_with_ticks_is_refused() {
    one_mistake("blank scale with ticks");
}

#[test]
fn an_unchanged_template_is_named_in_the_table() {
    one_mistake("unchanged template");
}

#[test]
fn the_data_sheet_is_found_behind_a_cover_sheet() {
    one_mistake("cover sheet first");
}

/// Every mistake at once: each problem of each file in the one run, a table line per file,
/// nothing stored.
#[test]
fn every_mistake_of_every_file_in_one_run() {
    let t = town();
    let all = mistakes(&t);
    let before = t.all_merged();
    let files: Vec<&Path> = all.iter().map(|m| m.file.as_path()).collect();
    let o = t.run(&["sheets", "import"], &files);
    let err = stderr(&o);
    assert!(!o.status.success(), "{err}");
    for m in &all {
        for s in &m.says {
            assert!(err.contains(s.as_str()), "{}: missing 「{s}」 in\n{err}", m.what);
        }
        let name = m.file.file_name().unwrap().to_string_lossy().into_owned();
        assert!(err.lines().any(|l| l.starts_with(&format!("  {name}"))), "{}: no table line\n{err}", m.what);
    }
    let refused = all.iter().filter(|m| m.refused).count();
    let lines = err.lines().filter(|l| l.contains("取り込めません（問題")).count();
    assert_eq!(lines, refused, "{err}");
    assert_eq!(t.all_merged(), before, "all or nothing");
    eprintln!(
        "{} files, {refused} refused, {} problems\n{err}",
        all.len(),
        err.lines().filter(|l| l.contains("行目")).count()
    );
}

/// The same child's name in another spelling (variant kanji, katakana, half-width) is the
/// same child.
#[test]
fn variant_spellings_of_the_childs_name_match() {
    let t = town();
    let variants = [('崎', '﨑'), ('吉', '𠮷'), ('斎', '齋'), ('高', '髙'), ('辺', '邊')];
    let (code, mut g, r) = std::fs::read_dir(&t.templates)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find_map(|p| {
            let g = grid(&p);
            let code = g.iter().find(|r| r[0] == "機関コード").unwrap()[1].clone();
            let r = children(&g).into_iter().find(|c| variants.iter().any(|(v, _)| c.2.contains(*v)))?.0;
            Some((code, g, r))
        })
        .expect("the demo town has a 崎, 吉, 斎, 高 or 辺");
    let spelled: String =
        g[r][1].chars().map(|c| variants.iter().find(|(v, _)| *v == c).map(|(_, x)| *x).unwrap_or(c)).collect();
    g[r][1] = spelled.replace(' ', "\u{3000}");
    written(&mut g, "R8.12.1");
    fill_row(&mut g, r);
    let f = t.home.path().join("異体字.xlsx");
    write_xlsx(&g, &f);
    let o = t.run(&["sheets", "import"], &[&f]);
    assert!(o.status.success(), "{spelled}: {}", stderr(&o));
    assert!(stderr(&o).contains(&format!("異体字.xlsx（{code}）: 取込 1 件")), "{}", stderr(&o));
}

/// --prefer new keeps the later 記入日 whatever the order of the files, and a re-imported
/// old mail does not overwrite the correction already stored.
#[test]
fn prefer_new_keeps_the_later_記入日_in_any_order_and_against_the_stored_one() {
    let t = town();
    let mut g = grid(&t.template("ES01"));
    let a = children(&g)[0].clone();
    written(&mut g, "2026-12-03");
    fill_row(&mut g, a.0);
    let first = t.home.path().join("本町小_1203.xlsx");
    write_xlsx(&g, &first);
    written(&mut g, "2026-12-08");
    let s = col(&g, "セーフティスケール");
    g[a.0][s] = "7".into();
    let correction = t.home.path().join("本町小_訂正.xlsx");
    write_xlsx(&g, &correction);

    let o = t.run(&["sheets", "import", "--prefer", "new"], &[&correction, &first]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains(&format!(
            "ケース {}・ES01・2026-12-10: 本町小_訂正.xlsx（記入日 2026-12-08） を採用し、本町小_1203.xlsx（記入日 2026-12-03） は採用しません",
            a.1
        )),
        "{err}"
    );
    let scale = |t: &Town| {
        t.merged(&a.1)["institutions"].as_array().unwrap().iter().find(|c| c["agency_code"] == "ES01").unwrap()
            ["safety_scale"]
            .clone()
    };
    assert_eq!(scale(&t), 7);

    // The old mail forwarded again.
    let o = t.run(&["sheets", "import", "--prefer", "new"], &[&first]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("取込済みの 本町小_訂正.xlsx（記入日 2026-12-08） を採用し"), "{err}");
    assert!(err.contains("本町小_1203.xlsx（ES01）: 取込 0 件 / 別の版を採用 1 件"), "{err}");
    assert_eq!(scale(&t), 7, "the correction stays");
}
