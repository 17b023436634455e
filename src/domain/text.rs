//! Checks on free text before it is stored: no control characters, no bidirectional overrides
//! (which can make a ledger row display as something other than what it holds), and a length
//! limit, so a pasted 10 MB cell or a binary blob is refused with a clear message.
//!
//! Messages name the field and the character position, never the text itself (it may be a
//! child's name).

/// Longest single-line value (番号, 氏名, ふりがな, 町名, 学年, 援助者) in characters.
pub const MAX_LINE_CHARS: usize = 200;
/// Longest multi-line value (主訴, 援助方針, notes) in characters.
pub const MAX_TEXT_CHARS: usize = 20_000;

/// Whether a value may hold line breaks and tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Line,
    Text,
}

/// Why `c` is not allowed, if it is not.
fn forbidden(c: char, kind: Kind) -> Option<&'static str> {
    match c {
        '\t' | '\n' if kind == Kind::Text => None,
        '\r' if kind == Kind::Text => None,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => Some("文字の向きを変える制御文字"),
        '\u{200E}' | '\u{200F}' | '\u{061C}' => Some("文字の向きを示す記号"),
        '\u{FFF9}'..='\u{FFFB}' => Some("注釈用の制御文字"),
        '\u{FFFE}' | '\u{FFFF}' => Some("文字として使えない符号"),
        c if c.is_control() => Some("制御文字"),
        _ => None,
    }
}

/// Checks one value; the error is a Japanese sentence naming the position and code point.
pub fn check(value: &str, kind: Kind) -> Result<(), String> {
    let max = match kind {
        Kind::Line => MAX_LINE_CHARS,
        Kind::Text => MAX_TEXT_CHARS,
    };
    let mut n = 0usize;
    for c in value.chars() {
        n += 1;
        if let Some(what) = forbidden(c, kind) {
            return Err(format!("{n}文字目に{what}（U+{:04X}）が含まれています", c as u32));
        }
        if n > max {
            return Err(format!("長すぎます（{max}文字まで）"));
        }
    }
    Ok(())
}

/// Checks several named values, collecting one message per failing field.
pub fn check_fields(fields: &[(&'static str, &str, Kind)]) -> Vec<(&'static str, String)> {
    fields.iter().filter_map(|(name, v, kind)| check(v, *kind).err().map(|m| (*name, m))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rejects_controls_and_direction_overrides() {
        assert!(check("山田 太郎", Kind::Line).is_ok());
        assert!(check("見守り\n家庭訪問\t月1回", Kind::Text).is_ok());
        assert_eq!(check("山田\n太郎", Kind::Line).unwrap_err(), "3文字目に制御文字（U+000A）が含まれています");
        assert!(check("a\u{7}", Kind::Text).unwrap_err().contains("U+0007"));
        assert!(check("a\u{202E}gpj.exe", Kind::Line).unwrap_err().contains("U+202E"));
        assert!(check("\u{200F}", Kind::Text).unwrap_err().contains("向き"));
        assert!(check("\u{85}", Kind::Text).is_err(), "C1 controls too");
        assert!(check(&"あ".repeat(MAX_LINE_CHARS), Kind::Line).is_ok());
        assert!(check(&"あ".repeat(MAX_LINE_CHARS + 1), Kind::Line).unwrap_err().contains("長すぎます"));
    }

    #[test]
    fn messages_never_repeat_the_text() {
        let e = check("秘密の名前\u{202E}", Kind::Line).unwrap_err();
        assert!(!e.contains("秘密"));
    }

    const BAD: &[char] = &['\u{0}', '\u{1b}', '\u{7f}', '\u{9b}', '\u{202E}', '\u{2067}', '\u{200F}', '\u{FFFF}'];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn ordinary_text_passes(s in "[ぁ-んァ-ヶ一-龠a-zA-Z0-9ー・　 ()（）]{0,200}") {
            prop_assert!(check(&s, Kind::Line).is_ok());
        }

        #[test]
        fn any_forbidden_character_anywhere_is_refused(
            s in "[ぁ-ん一-龠a-z ]{0,50}", at in 0usize..51, i in 0..BAD.len(), kind in prop::bool::ANY,
        ) {
            let mut chars: Vec<char> = s.chars().collect();
            let at = at.min(chars.len());
            chars.insert(at, BAD[i]);
            let v: String = chars.into_iter().collect();
            let kind = if kind { Kind::Line } else { Kind::Text };
            let e = check(&v, kind).unwrap_err();
            let expected = format!("{}文字目", at + 1);
            prop_assert!(e.starts_with(&expected), "{}", e);
        }

        #[test]
        fn never_panics(s in any::<String>()) {
            let _ = check(&s, Kind::Line);
            let _ = check(&s, Kind::Text);
        }
    }
}
