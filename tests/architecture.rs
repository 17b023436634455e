//! The layers stay apart: domain is pure, only the TUI knows the terminal, the store does not
//! know files or screens. Checked on the source text so a wrong `use` fails the build's tests.
#![allow(clippy::unwrap_used)] // tests may unwrap

use std::fs;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
    out
}

/// Source without `#[cfg(test)]` modules (tests may use anything).
fn production_code(p: &Path) -> String {
    let text = fs::read_to_string(p).unwrap();
    match text.find("#[cfg(test)]") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

fn assert_layer(dir: &str, forbidden: &[&str]) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(dir);
    let files = rust_files(&root);
    assert!(!files.is_empty(), "{dir} has no sources");
    for f in files {
        let code = production_code(&f);
        for word in forbidden {
            assert!(!code.contains(word), "{} uses `{word}`, which its layer must not", f.display());
        }
    }
}

const TERMINAL: &[&str] = &["ratatui", "crossterm", "crate::tui"];

#[test]
fn domain_is_pure() {
    assert_layer(
        "domain",
        &[
            "rusqlite",
            "std::fs",
            "std::io",
            "std::net",
            "std::process",
            "std::env",
            "Local::now",
            "Utc::now",
            "SystemTime",
            "Instant::now",
            "crate::store",
            "crate::exchange",
            "crate::cli",
            "crate::tui",
            "ratatui",
            "crossterm",
            "println!",
            "eprintln!",
        ],
    );
}

#[test]
fn store_knows_neither_files_nor_screens() {
    let mut f = TERMINAL.to_vec();
    f.extend(["crate::exchange", "crate::cli", "println!", "eprintln!"]);
    assert_layer("store", &f);
}

#[test]
fn exchange_knows_no_screen() {
    let mut f = TERMINAL.to_vec();
    f.extend(["crate::cli"]);
    assert_layer("exchange", &f);
}

#[test]
fn cli_does_not_draw() {
    assert_layer("cli", &["ratatui", "crossterm"]);
}
