//! Masking for wider distribution and projection: a child is shown by initials from the kana
//! (「Y.T.」) or by case number, and names typed into free text are blotted out.
//!
//! Used by the masked minutes and by the TUI's presentation mode, so both hide the same way.

use std::collections::{BTreeSet, HashMap};

use wana_kana::ConvertJapanese;

use super::Case;

/// What replaces a name found inside free text.
pub const BLOT: &str = "〇〇";

/// Honorifics after which even a one-character name part is treated as a name.
const HONORIFICS: [&str; 5] = ["さん", "くん", "君", "ちゃん", "様"];

/// Initials from a kana reading, in the ledger's order (family first): 「やまだ たろう」 → 「Y.T.」.
/// None when the reading is empty or not kana.
pub fn initials(kana: &str) -> Option<String> {
    let mut out = String::new();
    for part in kana.split([' ', '\u{3000}']).filter(|p| !p.is_empty()) {
        let romaji = part.to_romaji();
        let first = romaji.chars().find(|c| c.is_ascii_alphabetic())?;
        out.push(first.to_ascii_uppercase());
        out.push('.');
    }
    (!out.is_empty()).then_some(out)
}

/// How a case is named in masked output: initials when the kana allows, else the case number.
pub fn case_label(case: &Case) -> String {
    initials(&case.kana).unwrap_or_else(|| case.number.clone())
}

/// Blots out the names of a known set of people wherever they appear in free text.
///
/// Whole names (with or without the space), readings and name parts of two or more characters
/// are replaced anywhere; a one-character part (林, 蓮) only before an honorific, so ordinary
/// words that share the character stay readable. Over-masking is preferred to a leak.
#[derive(Debug, Clone, Default)]
pub struct Masker {
    /// Needles by their first character, so a text is only checked against the names that
    /// could start somewhere in it.
    by_first: HashMap<char, Vec<String>>,
}

impl Masker {
    pub fn new<'a>(people: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut needles = Vec::new();
        for (name, kana) in people {
            for full in [name, kana] {
                let parts: Vec<&str> = full.split([' ', '\u{3000}']).filter(|p| !p.is_empty()).collect();
                if parts.is_empty() {
                    continue;
                }
                needles.push(full.trim().to_string());
                needles.push(parts.concat());
                for p in parts {
                    if p.chars().count() >= 2 {
                        needles.push(p.to_string());
                    } else {
                        needles.extend(HONORIFICS.iter().map(|h| format!("{p}{h}")));
                    }
                }
            }
        }
        let mut by_first: HashMap<char, Vec<String>> = HashMap::new();
        for n in needles {
            if let Some(c) = n.chars().next() {
                by_first.entry(c).or_default().push(n);
            }
        }
        Masker { by_first }
    }

    /// A masker for the names and readings of `cases`.
    pub fn for_cases<'a>(cases: impl IntoIterator<Item = &'a Case>) -> Self {
        Self::new(cases.into_iter().map(|c| (c.name.as_str(), c.kana.as_str())))
    }

    /// `text` with every known name replaced by [`BLOT`].
    pub fn scrub(&self, text: &str) -> String {
        let firsts: BTreeSet<char> = text.chars().collect();
        let mut found: Vec<&String> = firsts
            .iter()
            .filter_map(|c| self.by_first.get(c))
            .flatten()
            .filter(|n| text.contains(n.as_str()))
            .collect();
        // Longest first, so 「山田 太郎」 is replaced before 「山田」.
        found.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then_with(|| a.cmp(b)));
        found.dedup();
        let mut out = text.to_string();
        for n in found {
            if out.contains(n.as_str()) {
                out = out.replace(n.as_str(), BLOT);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_follow_the_kana() {
        assert_eq!(initials("やまだ たろう").as_deref(), Some("Y.T."));
        assert_eq!(initials("シミズ　ショウ").as_deref(), Some("S.S."));
        assert_eq!(initials("いとう"), Some("I.".into()));
        assert_eq!(initials(""), None);
        assert_eq!(initials("山田"), None);
    }

    #[test]
    fn case_label_falls_back_to_the_number() {
        let mut c = Case::blank(chrono::NaiveDate::from_ymd_opt(2025, 4, 1).unwrap());
        c.number = "R7-00001".into();
        c.name = "山田 太郎".into();
        assert_eq!(case_label(&c), "R7-00001");
        c.kana = "やまだ たろう".into();
        assert_eq!(case_label(&c), "Y.T.");
    }

    #[test]
    fn scrub_blots_names_but_keeps_ordinary_words() {
        let m = Masker::new([("山田 太郎", "やまだ たろう"), ("林 蓮", "はやし れん")]);
        assert_eq!(m.scrub("母が山田太郎を叩いた"), "母が〇〇を叩いた");
        assert_eq!(m.scrub("太郎は元気"), "〇〇は元気");
        assert_eq!(m.scrub("蓮くんと林さん、森林公園で"), "〇〇と〇〇、森林公園で");
        assert_eq!(m.scrub("やまだ たろう"), "〇〇");
    }
}
