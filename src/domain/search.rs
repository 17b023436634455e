//! Search keys: case number, name and kana folded so that ひらがな, カタカナ, ﾊﾝｶｸ and full-width
//! letters all match. Only keys are folded; what the user typed is stored unchanged.

use unicode_normalization::UnicodeNormalization;

/// NFKC (half-width → full-width kana, full-width ASCII → ASCII), katakana → hiragana,
/// lower case, no spaces.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.nfkc() {
        match c {
            // Katakana ァ..ヶ map onto hiragana ぁ..ゖ by a fixed offset.
            'ァ'..='ヶ' => out.push(char::from_u32(c as u32 - 0x60).unwrap_or(c)),
            ' ' | '\u{3000}' | '\t' => {}
            c if c.is_ascii_uppercase() => out.push(c.to_ascii_lowercase()),
            c => out.push(c),
        }
    }
    out
}

/// The folded key a case is found by.
pub fn case_key(number: &str, name: &str, kana: &str) -> String {
    format!("{}\u{1f}{}\u{1f}{}", fold(number), fold(name), fold(kana))
}

/// True when every space-separated word of the (already folded) query appears in the key.
pub fn matches(key: &str, folded_query_words: &[String]) -> bool {
    folded_query_words.iter().all(|w| key.contains(w.as_str()))
}

/// Splits and folds a query typed by the user.
pub fn query_words(query: &str) -> Vec<String> {
    query.split([' ', '\u{3000}']).map(fold).filter(|w| !w.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn kana_width_and_case_fold() {
        assert_eq!(fold("ヤマダ タロウ"), "やまだたろう");
        assert_eq!(fold("ﾔﾏﾀﾞ ﾀﾛｳ"), "やまだたろう");
        assert_eq!(fold("Ｒ６－０１２"), "r6-012");
        assert_eq!(fold("スーパー"), "すーぱー");
    }

    #[test]
    fn query_matches_name_kana_or_number() {
        let key = case_key("R6-012", "山田 太郎", "やまだ たろう");
        assert!(matches(&key, &query_words("ヤマダ")));
        assert!(matches(&key, &query_words("ﾀﾛｳ")));
        assert!(matches(&key, &query_words("山田")));
        assert!(matches(&key, &query_words("r6-01")));
        assert!(matches(&key, &query_words("やまだ　たろう")));
        assert!(!matches(&key, &query_words("すずき")));
    }

    proptest! {
        #[test]
        fn fold_is_idempotent(s in "[ぁ-んァ-ヶ一-龥a-zA-Z0-9Ａ-Ｚ０-９ 　-]{0,20}") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once);
        }
    }
}
