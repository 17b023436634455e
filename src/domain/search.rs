//! Search keys: case number, name and kana folded so that ひらがな, カタカナ, ﾊﾝｶｸ, full-width
//! letters, the common variant kanji of names (髙/高, 﨑/崎, 𠮷/吉…), variation selectors and
//! middle dots all match. Only keys are folded; what the user typed is stored unchanged. The one
//! folding: search, duplicate checks, agency matching and masking all use [`fold`].

use unicode_normalization::UnicodeNormalization;

/// Changes whenever [`fold`] folds differently: stored search keys are then computed again
/// (`Store::open`).
pub const FOLD_VERSION: &str = "3";

/// Variant kanji of names and the character they are searched, matched and masked as. Most
/// are unified ideographs NFKC leaves alone (髙, 𠮷), or the compatibility ideographs it does
/// not map (﨑).
const VARIANTS: [(char, char); 23] = [
    ('髙', '高'),
    ('﨑', '崎'),
    ('嵜', '崎'),
    ('𠮷', '吉'),
    ('濵', '浜'),
    ('濱', '浜'),
    ('邊', '辺'),
    ('邉', '辺'),
    ('齋', '斎'),
    // 齊 is the old form of 斉; 斉藤 and 斎藤 are written for the same family often enough
    // that all four spellings of さいとう are searched and matched as one.
    ('齊', '斎'),
    ('斉', '斎'),
    ('德', '徳'),
    ('藏', '蔵'),
    ('澤', '沢'),
    ('櫻', '桜'),
    ('廣', '広'),
    ('國', '国'),
    ('彌', '弥'),
    ('瀨', '瀬'),
    ('槇', '槙'),
    ('舘', '館'),
    ('冨', '富'),
    ('𡈽', '土'),
];

/// NFKC (half-width → full-width kana, full-width ASCII → ASCII), katakana → hiragana, the
/// variant kanji of names → their common form, lower case; no spaces, middle dots or
/// variation selectors.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.nfkc() {
        match c {
            // Katakana ァ..ヶ map onto hiragana ぁ..ゖ by a fixed offset.
            'ァ'..='ヶ' => out.push(char::from_u32(c as u32 - 0x60).unwrap_or(c)),
            ' ' | '\u{3000}' | '\t' => {}
            // Middle dots between name parts (ジョン・スミス) and variation selectors (葛󠄀).
            '・' | '･' | '·' | '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}' => {}
            c if c.is_ascii_uppercase() => out.push(c.to_ascii_lowercase()),
            c => out.push(VARIANTS.iter().find(|(v, _)| *v == c).map(|(_, to)| *to).unwrap_or(c)),
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
    fn the_spellings_of_a_name_fold_together() {
        assert_eq!(fold("髙橋"), fold("高橋"));
        assert_eq!(fold("山﨑"), fold("山崎"));
        assert_eq!(fold("𠮷田"), fold("吉田"));
        assert_eq!(fold("葛\u{E0100}城"), fold("葛城"), "a variation selector");
        assert_eq!(fold("ジョン・スミス"), fold("ジョンスミス"));
        assert_eq!(fold("ｼﾞｮﾝ･ｽﾐｽ"), fold("じょんすみす"));
        assert_eq!(fold("渡邊"), fold("渡辺"));
        assert_eq!(fold("渡邉"), fold("渡辺"));
        assert_eq!(fold("齋藤"), fold("斎藤"));
        assert_eq!(fold("齊藤"), fold("斉藤"));
        assert_eq!(fold("齊藤"), fold("斎藤"));
        assert_ne!(fold("高橋"), fold("髙田"), "different names stay different");
    }

    #[test]
    fn every_variant_folds_onto_a_form_that_stays_put() {
        for (v, to) in VARIANTS {
            assert_eq!(fold(&v.to_string()), to.to_string(), "{v}");
            assert_eq!(fold(&to.to_string()), to.to_string(), "{to} is not itself a variant");
            assert_eq!(fold(&format!("{v}\u{E0100}")), to.to_string(), "{v} with a variation selector");
        }
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
