//! アセスメントシート: one institution's quarterly sheet for one child, and the merged view
//! the secretariat builds from all institutions' sheets.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Id;
use super::search::fold;

/// 虐待防止進行管理アセスメントシート as filled by one institution for one case and period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentSheet {
    pub id: Id,
    pub case_id: Id,
    pub agency_id: Id,
    /// The last day of the period the sheet covers (対象期間の末日 = the due date asked for).
    pub period: NaiveDate,
    /// The day the institution filled it in (記入日).
    pub written_on: Option<NaiveDate>,
    /// Keys of the ticked check items (configured `sheet_items`).
    pub checks: Vec<String>,
    /// Free-text answers by item key.
    pub notes: BTreeMap<String, String>,
    /// セーフティスケール: 0 = cannot stay home … 10 = safe enough to close.
    pub safety_scale: Option<u8>,
    /// 記入者
    pub writer: String,
    /// File the sheet was imported from (file name only, never a full path).
    pub source: String,
}

impl AssessmentSheet {
    /// True when the institution wrote anything that needs a follow-up visit.
    pub fn has_content(&self) -> bool {
        !self.checks.is_empty() || self.notes.values().any(|v| !v.trim().is_empty())
    }
}

/// How the 氏名/ふりがな on a sheet row compare with the case its ケース番号 names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameCheck {
    Same,
    Differs,
    /// Nothing to compare: no 氏名, and no ふりがな or none in the ledger.
    Missing,
}

/// Whether a sheet row names the case's child. Every name the row gives must equal the
/// case's under the one folding ([`fold`]: width, kana, spaces, variant kanji, variation
/// selectors); a 氏名 written in kana may match the case's ふりがな.
pub fn check_names(name: &str, kana: &str, case_name: &str, case_kana: &str) -> NameCheck {
    let (n, k, cn, ck) = (fold(name), fold(kana), fold(case_name), fold(case_kana));
    let name_ok = n.is_empty() || n == cn || (!ck.is_empty() && n == ck);
    let kana_ok = k.is_empty() || ck.is_empty() || k == ck;
    if !name_ok || !kana_ok {
        NameCheck::Differs
    } else if n.is_empty() && (k.is_empty() || ck.is_empty()) {
        NameCheck::Missing
    } else {
        NameCheck::Same
    }
}

/// When a submission of a sheet was written, to tell which of two versions is the later:
/// its 記入日, then its file's modification time (seconds since 1970). A missing value counts
/// as earlier, so a dated correction wins over an undated copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Written {
    pub on: Option<NaiveDate>,
    pub file_time: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_compared_through_the_one_folding() {
        use NameCheck::*;
        assert_eq!(check_names("髙橋　はな", "", "高橋 はな", "たかはし はな"), Same);
        assert_eq!(check_names("葛\u{E0100}城美咲", "", "葛城 美咲", ""), Same);
        assert_eq!(check_names("タカハシ ハナ", "", "高橋 はな", "たかはし はな"), Same, "氏名 in kana");
        assert_eq!(check_names("", "ﾀｶﾊｼ ﾊﾅ", "高橋 はな", "たかはし はな"), Same);
        assert_eq!(check_names("高橋 はな", "すずき はな", "高橋 はな", "たかはし はな"), Differs);
        assert_eq!(check_names("鈴木 一郎", "", "高橋 はな", "たかはし はな"), Differs);
        assert_eq!(check_names("", "", "高橋 はな", "たかはし はな"), Missing);
        assert_eq!(check_names("", "たかはし はな", "高橋 はな", ""), Missing, "no kana in the ledger");
    }

    #[test]
    fn the_later_記入日_wins_then_the_later_file() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day);
        let w = |on, file_time| Written { on, file_time };
        assert!(w(d(12, 8), Some(1)) > w(d(12, 3), Some(9)));
        assert!(w(d(12, 3), Some(9)) > w(d(12, 3), Some(1)));
        assert!(w(d(12, 3), None) > w(None, Some(9)), "an undated copy counts as earlier");
    }
}
