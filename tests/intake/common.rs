//! Shared helpers of the intake tests: the real binary in an isolated home, fixture paths.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use calamine::{Data, Reader, open_workbook_auto};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/intake").join(name)
}

/// `shinko --db DB …` with a fixed today and config/data folders inside `home`.
pub fn shinko(home: &Path, db: &Path) -> Command {
    let mut c = Command::cargo_bin("shinko").unwrap();
    c.arg("--db")
        .arg(db)
        .env("SHINKO_TODAY", "2026-11-24")
        .env("XDG_DATA_HOME", home)
        .env("XDG_CONFIG_HOME", home)
        .env("HOME", home)
        .env_remove("SHINKO_DB")
        .env_remove("SHINKO_CONFIG");
    c
}

pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A fresh empty database in `home`.
pub fn empty_db(home: &Path) -> PathBuf {
    let db = home.join("shinko.db");
    shinko(home, &db).arg("init").assert().success();
    db
}

/// Number of cases (open and closed) as `ledger list --all` counts them.
pub fn case_count(home: &Path, db: &Path) -> usize {
    let o = shinko(home, db).args(["ledger", "list", "--all", "--format", "json"]).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_slice::<Vec<serde_json::Value>>(&o.stdout).unwrap().len()
}

/// The template's cells as text, row by row.
pub fn grid(template: &Path) -> Vec<Vec<String>> {
    let mut wb = open_workbook_auto(template).unwrap();
    let name = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&name).unwrap();
    let mut out = vec![vec![String::new(); range.width()]; range.end().unwrap().0 as usize + 1];
    for (r, c, v) in range.used_cells() {
        let (r0, c0) = range.start().unwrap();
        out[r0 as usize + r][c0 as usize + c] = match v {
            Data::String(s) => s.clone(),
            Data::Float(f) => f.to_string(),
            Data::Int(i) => i.to_string(),
            _ => String::new(),
        };
    }
    out
}

/// Writes `values` (header → value) into the row of `number`, or a copy of the first child
/// row with its number replaced when the template does not hold that child.
pub fn fill(g: &mut [Vec<String>], number: &str, values: &[(&str, &str)]) {
    let h = g.iter().position(|r| r[0] == "ケース番号").unwrap();
    let header = g[h].clone();
    let r = match g.iter().position(|r| r[0] == number) {
        Some(r) => r,
        None => {
            g[h + 1][0] = number.to_string();
            h + 1
        }
    };
    for (k, v) in values {
        let c = header.iter().position(|x| x.starts_with(k)).unwrap_or_else(|| panic!("no column {k}"));
        g[r][c] = v.to_string();
    }
}

pub fn set_meta(g: &mut [Vec<String>], label: &str, value: &str) {
    let r = g.iter().position(|r| r[0] == label).unwrap();
    g[r][1] = value.to_string();
}

/// The 氏名 the template shows for `number`.
pub fn name_in(g: &[Vec<String>], number: &str) -> String {
    g.iter().find(|r| r[0] == number).map(|r| r[1].clone()).unwrap_or_default()
}

pub fn first_child(g: &[Vec<String>]) -> String {
    let h = g.iter().position(|r| r[0] == "ケース番号").unwrap();
    g[h + 1][0].clone()
}

pub fn write_xlsx(g: &[Vec<String>], path: &Path) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in g.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            match v.parse::<f64>() {
                Ok(n) if !v.contains('-') => ws.write_number(r as u32, c as u16, n).unwrap(),
                _ => ws.write_string(r as u32, c as u16, v).unwrap(),
            };
        }
    }
    wb.save(path).unwrap();
}

pub fn write_csv(g: &[Vec<String>], path: &Path) {
    let mut w = csv::Writer::from_path(path).unwrap();
    for row in g {
        w.write_record(row).unwrap();
    }
    w.flush().unwrap();
}

/// The demo town in a temporary home, with one kind of template written into `templates`.
pub struct Town {
    pub home: tempfile::TempDir,
    pub db: PathBuf,
    pub templates: PathBuf,
}

impl Town {
    /// `shinko demo`, then `shinko ARGS --out FOLDER`; the templates command's stderr is
    /// returned for the caller to check.
    pub fn with_templates(args: &[&str], folder: &str) -> (Town, String) {
        let home = tempfile::tempdir().unwrap();
        let db = home.path().join("demo.db");
        shinko(home.path(), &db).args(["demo", "--no-tui"]).assert().success();
        let templates = home.path().join(folder);
        let o = shinko(home.path(), &db).args(args).arg("--out").arg(&templates).output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        (Town { home, db, templates }, stderr(&o))
    }

    /// The template written for institution `code`.
    pub fn template(&self, code: &str) -> PathBuf {
        std::fs::read_dir(&self.templates)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_string_lossy().contains(&format!("_{code}_")))
            .unwrap_or_else(|| panic!("no template for {code}"))
    }

    pub fn run(&self, args: &[&str], files: &[&Path]) -> std::process::Output {
        let mut c = shinko(self.home.path(), &self.db);
        c.args(args);
        for f in files {
            c.arg(f);
        }
        c.output().unwrap()
    }
}
