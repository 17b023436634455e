//! The spellings a facilitator types of a person's name, for the masking property tests (the
//! masker's own in `domain::mask`, the presentation-mode frames in `tui::present_tests` and the
//! masked outputs in `exchange::masked_outputs_tests`).

use unicode_normalization::UnicodeNormalization;

/// (as the ledger writes it, reading, the common spelling of the kanji).
pub const PEOPLE: [(&str, &str, &str); 10] = [
    ("髙橋 葵", "たかはし あおい", "高橋 葵"),
    ("山﨑 陽翔", "やまざき はると", "山崎 陽翔"),
    ("𠮷田 律", "よしだ りつ", "吉田 律"),
    ("渡邊 結愛", "わたなべ ゆあ", "渡辺 結愛"),
    ("齋藤 蓮", "さいとう れん", "斎藤 蓮"),
    ("中島 トメ", "なかじま とめ", "中島 トメ"),
    ("葛\u{E0100}城 美咲", "かつらぎ みさき", "葛城 美咲"),
    ("林 花子", "はやし はなこ", "林 花子"),
    ("ジョン・スミス", "", "ジョン・スミス"),
    ("佐々木 大翔", "ささき ひろと", "佐々木 大翔"),
];

pub const TEXTS: [&str; 6] = [
    "{}の登校を毎朝確認",
    "祖母（{}）宅で見守り",
    "母が{}に連絡した",
    "{}は欠席が続く",
    "{}の様子",
    "面談で{}が話した",
];

pub fn katakana(s: &str) -> String {
    s.chars()
        .map(|c| if ('ぁ'..='ゖ').contains(&c) { char::from_u32(c as u32 + 0x60).unwrap_or(c) } else { c })
        .collect()
}

/// Full-width katakana to half-width, voiced marks split off as ﾞ ﾟ.
pub fn half_width(s: &str) -> String {
    const FULL: &str = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲンァィゥェォャュョッー・";
    const HALF: &str = "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝｧｨｩｪｫｬｭｮｯｰ･";
    let full: Vec<char> = FULL.chars().collect();
    let half: Vec<char> = HALF.chars().collect();
    katakana(s)
        .nfd()
        .map(|c| match c {
            '\u{3099}' => 'ﾞ',
            '\u{309A}' => 'ﾟ',
            c => full.iter().position(|f| *f == c).map_or(c, |i| half[i]),
        })
        .collect()
}

/// Every way the person is likely to be typed in a note.
pub fn spellings(name: &str, kana: &str, common: &str) -> Vec<String> {
    let mut out = Vec::new();
    for full in [name, common] {
        let parts: Vec<&str> = full.split([' ', '・']).collect();
        out.push(full.to_string());
        out.push(parts.concat());
        out.push(parts.join("\u{3000}"));
        for p in &parts {
            out.push(if p.chars().filter(|c| !('\u{E0100}'..='\u{E01EF}').contains(c)).count() >= 2 {
                p.to_string()
            } else {
                format!("{p}さん")
            });
        }
    }
    if !kana.is_empty() {
        for k in [kana.to_string(), kana.replace(' ', "")] {
            out.push(katakana(&k));
            out.push(half_width(&k));
            out.push(k);
        }
    } else {
        out.push(half_width(name));
    }
    out
}
