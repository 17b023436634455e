//! Masking for wider distribution and projection: a child is shown by initials from the kana
//! (「Y.T.」) or by case number, and names typed into free text are blotted out.
//!
//! Used by the masked minutes and by the TUI's presentation mode, so both hide the same way.

use std::collections::{BTreeSet, HashMap, HashSet};

use wana_kana::ConvertJapanese;

use super::Case;
use super::search::fold;

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

/// Blots out the names of a known set of people wherever they appear in free text, however
/// they were typed: text and names are compared through the search folding
/// ([`crate::domain::search::fold`]: カタカナ = ひらがな, 半角 = 全角, spaces ignored), so
/// 「スズキナオキ」, 「ﾀﾅｶ ﾀｸﾐ」 and 「山田太郎」 are found for 鈴木 直樹, 田中 匠 and 山田 太郎.
///
/// Whole names (with or without the space), readings and name parts of two or more characters
/// are replaced anywhere; a one-character part (林, 蓮) only before an honorific, so ordinary
/// words that share the character stay readable. Over-masking is preferred to a leak.
#[derive(Debug, Clone, Default)]
pub struct Masker {
    /// Folded needles by their first folded character, so a text is only checked against the
    /// names that could start somewhere in it.
    by_first: HashMap<char, Needles>,
}

/// A piece of the text as it folds: its byte range in the original and its folded form. A
/// half-width kana and the voiced mark after it (ﾀﾞ) are one piece, as NFKC joins them.
/// The folded spellings that start with one character, and their lengths in characters: a
/// position of the text is looked up once per length, whatever the size of the ledger.
#[derive(Debug, Clone, Default)]
struct Needles {
    lengths: BTreeSet<usize>,
    spellings: HashSet<String>,
}

struct Piece {
    start: usize,
    end: usize,
    folded: String,
}

fn pieces(text: &str) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    for (i, c) in text.char_indices() {
        let end = i + c.len_utf8();
        if matches!(c, '\u{FF9E}' | '\u{FF9F}')
            && let Some(last) = out.last_mut()
        {
            last.end = end;
            last.folded = fold(&text[last.start..end]);
            continue;
        }
        out.push(Piece { start: i, end, folded: fold(&text[i..end]) });
    }
    out
}

impl Masker {
    pub fn new<'a>(people: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut needles = Vec::new();
        for (name, kana) in people {
            for full in [name, kana] {
                // Name parts are split at spaces and at the middle dots of foreign names.
                let parts: Vec<&str> = full.split([' ', '\u{3000}', '・', '･']).filter(|p| !p.is_empty()).collect();
                if parts.is_empty() {
                    continue;
                }
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
        let mut by_first: HashMap<char, Needles> = HashMap::new();
        for n in needles.iter().map(|n| fold(n)) {
            if let Some(c) = n.chars().next() {
                let e = by_first.entry(c).or_default();
                e.lengths.insert(n.chars().count());
                e.spellings.insert(n);
            }
        }
        Masker { by_first }
    }

    /// The masker of every shared output and of presentation mode: every person the ledger
    /// names (`people` as `Store::case_names` reads them: each child and its 保護者・同居人), less
    /// the configured `confidentiality.unmasked_words` ([`Masker::keeping`]).
    pub fn for_ledger(people: &[(String, String)], unmasked_words: &[String]) -> Self {
        Self::new(people.iter().map(|(n, k)| (n.as_str(), k.as_str()))).keeping(unmasked_words)
    }

    /// The masker without the needles that are one of `words` (the configured
    /// `confidentiality.unmasked_words`: common words that happen to be a name part, like 希望
    /// or 大和), compared through the same folding. A whole name that contains such a word is
    /// still masked; the word alone is left as it is.
    pub fn keeping(mut self, words: &[String]) -> Self {
        let keep: Vec<String> = words.iter().map(|w| fold(w.trim())).filter(|w| !w.is_empty()).collect();
        if keep.is_empty() {
            return self;
        }
        for n in self.by_first.values_mut() {
            n.spellings.retain(|s| !keep.contains(s));
        }
        self
    }

    /// The masker without the needles of `people` (a packet's own children, whom it names by
    /// design): everyone else stays masked, but a needle the spared share with another person
    /// (a family name, with a sibling or a parent) is left readable alone. It borrows this
    /// masker: one masker of the whole ledger serves every packet.
    pub fn sparing<'m, 'a>(&'m self, people: impl IntoIterator<Item = (&'a str, &'a str)>) -> Sparing<'m> {
        Sparing { everyone: self, spared: Masker::new(people) }
    }

    fn has(&self, first: char, folded: &str) -> bool {
        self.by_first.get(&first).is_some_and(|n| n.spellings.contains(folded))
    }

    /// `text` with every known name, in any spelling, replaced by [`BLOT`] (one blot for a run
    /// of name characters).
    pub fn scrub(&self, text: &str) -> String {
        self.scrub_unless(text, None)
    }

    /// [`Masker::scrub`], leaving the spellings `spared` knows.
    fn scrub_unless(&self, text: &str, spared: Option<&Masker>) -> String {
        let pieces = pieces(text);
        let mut folded = String::new();
        // For each byte of `folded`, the piece it came from.
        let mut owner: Vec<usize> = Vec::new();
        for (i, p) in pieces.iter().enumerate() {
            folded.push_str(&p.folded);
            owner.extend(std::iter::repeat_n(i, p.folded.len()));
        }
        // Every occurrence of every spelling covers its pieces (「山田太郎」 and 「山田」 alike).
        let chars: Vec<(usize, char)> = folded.char_indices().collect();
        let mut covered = vec![false; pieces.len()];
        let mut any = false;
        for (k, &(at, c)) in chars.iter().enumerate() {
            let Some(n) = self.by_first.get(&c) else { continue };
            for &len in n.lengths.iter().take_while(|l| k + **l <= chars.len()) {
                let end = chars.get(k + len).map_or(folded.len(), |(e, _)| *e);
                let s = &folded[at..end];
                if n.spellings.contains(s) && !spared.is_some_and(|x| x.has(c, s)) {
                    any = true;
                    for c in &mut covered[owner[at]..=owner[end - 1]] {
                        *c = true;
                    }
                }
            }
        }
        if !any {
            return text.to_string();
        }
        let mut out = String::new();
        for (i, p) in pieces.iter().enumerate() {
            match (covered[i], i > 0 && covered[i - 1]) {
                (true, true) => {}
                (true, false) => out.push_str(BLOT),
                (false, _) => out.push_str(&text[p.start..p.end]),
            }
        }
        out
    }
}

/// A masker that leaves some people readable ([`Masker::sparing`]).
pub struct Sparing<'m> {
    everyone: &'m Masker,
    spared: Masker,
}

impl Sparing<'_> {
    pub fn scrub(&self, text: &str) -> String {
        self.everyone.scrub_unless(text, Some(&self.spared))
    }
}

#[cfg(test)]
pub(crate) mod spelling;

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

    /// Common words that are also someone's given name (希望 のぞみ, 大和 やまと) are
    /// configurable: alone they stay readable, the person's full name is still masked.
    #[test]
    fn unmasked_words_are_left_readable_but_full_names_are_not() {
        let people = [("佐藤 希望", "さとう のぞみ"), ("大和 健", "やまと けん")];
        let plain = Masker::new(people);
        let text = "本人の希望により大和町の施設へ。佐藤希望さんと大和健の件";
        assert_eq!(plain.scrub(text), "本人の〇〇により〇〇町の施設へ。〇〇さんと〇〇の件", "over-masked by default");
        let words = vec!["希望".to_string(), " 大和 ".to_string()];
        let m = Masker::new(people).keeping(&words);
        assert_eq!(m.scrub(text), "本人の希望により大和町の施設へ。〇〇さんと〇〇の件");
        // The other spellings of those parts are still names: only the word as configured
        // (through the search folding) is kept.
        assert_eq!(m.scrub("のぞみさん、サトウ、やまと"), "〇〇さん、〇〇、〇〇");
        assert_eq!(m.scrub("ヤマト運輸"), "〇〇運輸", "a reading is not the configured word");
    }

    /// A packet spares its own children: everyone else is masked, a shared family name stays.
    #[test]
    fn sparing_leaves_the_spared_readable_and_masks_the_rest() {
        let people = [("山田 太郎", "やまだ たろう"), ("山田 花子", "やまだ はなこ"), ("林 蓮", "はやし れん")];
        let everyone = Masker::new(people);
        let m = everyone.sparing([("山田 太郎", "やまだ たろう")]);
        assert_eq!(
            m.scrub("山田太郎と母の山田花子、ハナコ、林蓮くん。山田が話した"),
            "山田太郎と母の〇〇、〇〇、〇〇。山田が話した"
        );
    }

    #[test]
    fn names_are_found_however_they_were_typed() {
        let m =
            Masker::new([("鈴木 直樹", "すずき なおき"), ("田中 匠", "たなか たくみ"), ("中島 律", "なかじま りつ")]);
        assert_eq!(m.scrub("スズキナオキさんと面談"), "〇〇さんと面談", "katakana reading");
        assert_eq!(m.scrub("ﾀﾅｶ ﾀｸﾐ（半角）"), "〇〇（半角）", "half-width katakana");
        assert_eq!(m.scrub("ﾅｶｼﾞﾏ宅を訪問"), "〇〇宅を訪問", "a half-width voiced mark joins its kana");
        assert_eq!(m.scrub("鈴木　直樹は欠席"), "〇〇は欠席", "an ideographic space inside the name");
        assert_eq!(m.scrub("律くんは中島家の次男"), "〇〇は〇〇家の次男");
        assert_eq!(m.scrub("学校と連携"), "学校と連携", "nothing else changes");
        let m = Masker::new([
            ("髙橋 葵", "たかはし あおい"),
            ("葛\u{E0100}城 陽翔", "かつらぎ はると"),
            ("ジョン・スミス", ""),
        ]);
        assert_eq!(m.scrub("高橋さん宅"), "〇〇さん宅", "髙 in the ledger, 高 in the note");
        assert_eq!(m.scrub("葛城陽翔の兄"), "〇〇の兄", "a variation selector in the ledger only");
        assert_eq!(m.scrub("ジョンスミス氏"), "〇〇氏", "the middle dot left out");
        assert_eq!(m.scrub("ｼﾞｮﾝ･ｽﾐｽ氏"), "〇〇氏");
        assert_eq!(m.scrub("スミスさんの母"), "〇〇さんの母", "a part of a foreign name");
    }

    /// Every spelling a person might type of every person in a random ledger, put into free
    /// text: the masked text holds none of them, and text without names is left as it was.
    mod every_spelling {
        use proptest::prelude::*;

        use super::super::spelling::{PEOPLE, TEXTS, spellings};
        use super::super::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]
            #[test]
            fn no_spelling_of_anyone_survives(
                who in proptest::sample::subsequence((0..PEOPLE.len()).collect::<Vec<_>>(), 1..=4),
                pick in 0usize..64,
                text in 0usize..TEXTS.len(),
            ) {
                let people: Vec<_> = who.iter().map(|i| PEOPLE[*i]).collect();
                let m = Masker::new(people.iter().map(|(n, k, _)| (*n, *k)));
                for (name, kana, common) in &people {
                    let all = spellings(name, kana, common);
                    let spelling = &all[pick % all.len()];
                    let typed = TEXTS[text].replace("{}", spelling);
                    let out = m.scrub(&typed);
                    prop_assert!(out.contains(BLOT), "{typed} → {out}");
                    for s in spellings(name, kana, common) {
                        let bare = s.trim_end_matches("さん");
                        prop_assert!(!out.contains(bare), "{typed} → {out} still has {bare}");
                    }
                }
                // Text that names nobody is left as it was.
                let plain = TEXTS[text].replace("{}", "担任");
                prop_assert_eq!(m.scrub(&plain), plain);
            }
        }

        #[test]
        fn the_generated_spellings_cover_every_kind() {
            let all = spellings("𠮷田 律", "よしだ りつ", "吉田 律");
            for want in ["𠮷田 律", "吉田律", "吉田\u{3000}律", "律さん", "ヨシダ リツ", "ﾖｼﾀﾞﾘﾂ", "よしだりつ"]
            {
                assert!(all.iter().any(|s| s == want), "{want}: {all:?}");
            }
        }
    }
}
