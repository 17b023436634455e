//! The few symbols the screens draw, in two sets. Box-drawing lines, arrows and … are East
//! Asian Ambiguous width: Windows Terminal and Linux terminals draw them one column wide, but
//! the classic Windows console under code page 932 draws them two columns wide, which pushes
//! every bordered row out of line. There the screens use ASCII instead.
//!
//! Chosen once at start: `SHINKO_LINES=ascii` or `unicode` decides; otherwise ASCII on a
//! Windows console that is not Windows Terminal (no `WT_SESSION`), Unicode everywhere else.

use std::sync::OnceLock;

use ratatui::symbols::border;
use ratatui::widgets::Block;

/// One set of symbols.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Glyphs {
    pub border: border::Set<'static>,
    /// Between two values: rank A→B.
    pub arrow: &'static str,
    /// Between header fields.
    pub bar: &'static str,
    /// Something still loading.
    pub ellipsis: &'static str,
    /// A share from almost none to all (a month's attendance), and a month with no figures.
    pub levels: [char; 8],
    pub no_level: char,
}

pub const UNICODE: Glyphs = Glyphs {
    border: border::PLAIN,
    arrow: "→",
    bar: "│",
    ellipsis: "…",
    levels: ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'],
    no_level: '-',
};

pub const ASCII: Glyphs = Glyphs {
    border: border::Set {
        top_left: "+",
        top_right: "+",
        bottom_left: "+",
        bottom_right: "+",
        vertical_left: "|",
        vertical_right: "|",
        horizontal_top: "-",
        horizontal_bottom: "-",
    },
    arrow: "->",
    bar: "|",
    ellipsis: "...",
    levels: ['0', '1', '2', '3', '4', '5', '6', '7'],
    no_level: '-',
};

static CHOSEN: OnceLock<Glyphs> = OnceLock::new();

/// Which set `SHINKO_LINES` and the console ask for.
pub fn choose(lines: Option<&str>, windows: bool, windows_terminal: bool) -> Glyphs {
    match lines.map(str::to_ascii_lowercase).as_deref() {
        Some("ascii") => ASCII,
        Some("unicode") => UNICODE,
        _ if windows && !windows_terminal => ASCII,
        _ => UNICODE,
    }
}

/// Fixes the set for this process (the runtime calls it once, before the first frame).
pub fn init_from_env() {
    let lines = std::env::var("SHINKO_LINES").ok();
    let _ = CHOSEN.set(choose(lines.as_deref(), cfg!(windows), std::env::var_os("WT_SESSION").is_some()));
}

/// The set in use (Unicode until [`init_from_env`] chose, as in tests).
pub fn get() -> &'static Glyphs {
    CHOSEN.get().unwrap_or(&UNICODE)
}

/// 「読み込み中…」 in the set in use.
pub fn loading() -> String {
    format!("読み込み中{}", get().ellipsis)
}

/// A bordered block drawn with the set in use.
pub fn block<'a>() -> Block<'a> {
    Block::bordered().border_set(get().border)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_classic_console_gets_ascii_and_the_user_can_choose() {
        assert_eq!(choose(None, true, false), ASCII);
        assert_eq!(choose(None, true, true), UNICODE);
        assert_eq!(choose(None, false, false), UNICODE);
        assert_eq!(choose(Some("ASCII"), false, false), ASCII);
        assert_eq!(choose(Some("unicode"), true, false), UNICODE);
    }

    #[test]
    fn every_ascii_symbol_is_one_column_everywhere() {
        let s = ASCII;
        let b = s.border;
        for g in [b.top_left, b.top_right, b.bottom_left, b.bottom_right, b.vertical_left, b.horizontal_top, s.bar] {
            assert!(g.is_ascii() && g.len() == 1, "{g}");
        }
        assert!(s.arrow.is_ascii() && s.ellipsis.is_ascii());
    }
}
