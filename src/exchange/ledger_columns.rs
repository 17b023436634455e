//! The ledger's column vocabulary: one field per column, its header as shinko writes it, and
//! the variants found in municipalities' own ledgers. A mapping file (TOML) can name the
//! columns a town spells its own way:
//!
//! ```toml
//! [columns]
//! "児童の名前" = "氏名"     # a field's header, one of its variants, or its key ("name")
//! "連絡先" = "無視"         # or "ignore": read past this column without reporting it
//! ```

use std::collections::BTreeMap;

use unicode_normalization::UnicodeNormalization;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LedgerField {
    Number,
    Name,
    Kana,
    Sex,
    BirthDate,
    DueDate,
    Registration,
    Rank,
    AbuseTypes,
    Town,
    AcceptedOn,
    Concern,
    Affiliation,
    Grade,
    LeadAgency,
    KeyWorker,
    Cgc,
    Policy,
    LastReview,
    NextReview,
    Status,
    ClosedOn,
    CloseReason,
    Notes,
    Household,
    People,
    MonthlyReport,
}

use LedgerField as F;

impl LedgerField {
    /// Export order.
    pub const ALL: [LedgerField; 27] = [
        F::Number,
        F::Name,
        F::Kana,
        F::Sex,
        F::BirthDate,
        F::DueDate,
        F::Registration,
        F::Rank,
        F::AbuseTypes,
        F::Town,
        F::AcceptedOn,
        F::Concern,
        F::Affiliation,
        F::Grade,
        F::LeadAgency,
        F::KeyWorker,
        F::Cgc,
        F::Policy,
        F::LastReview,
        F::NextReview,
        F::Status,
        F::ClosedOn,
        F::CloseReason,
        F::Notes,
        F::Household,
        F::People,
        F::MonthlyReport,
    ];

    /// The header shinko writes.
    pub fn header(self) -> &'static str {
        self.names()[0]
    }

    /// Key for mapping files.
    pub fn key(self) -> &'static str {
        match self {
            F::Number => "number",
            F::Name => "name",
            F::Kana => "kana",
            F::Sex => "sex",
            F::BirthDate => "birth_date",
            F::DueDate => "due_date",
            F::Registration => "registration",
            F::Rank => "rank",
            F::AbuseTypes => "abuse_types",
            F::Town => "town",
            F::AcceptedOn => "accepted_on",
            F::Concern => "presenting_concern",
            F::Affiliation => "affiliation",
            F::Grade => "grade",
            F::LeadAgency => "lead_agency",
            F::KeyWorker => "key_worker",
            F::Cgc => "cgc",
            F::Policy => "support_policy",
            F::LastReview => "last_review",
            F::NextReview => "next_review",
            F::Status => "status",
            F::ClosedOn => "closed_on",
            F::CloseReason => "close_reason",
            F::Notes => "notes",
            F::People => "people",
            F::Household => "household",
            F::MonthlyReport => "monthly_report",
        }
    }

    /// The header first, then the variants ledgers use.
    fn names(self) -> &'static [&'static str] {
        match self {
            F::Number => &["ケース番号", "ケースNo", "ケースNo.", "台帳番号", "整理番号", "管理番号", "ケースID"],
            F::Name => &["氏名", "児童氏名", "名前", "児童名", "子ども氏名", "対象者氏名", "妊婦氏名", "対象児童"],
            F::Kana => &["ふりがな", "フリガナ", "カナ", "かな", "よみがな", "ヨミガナ", "氏名カナ", "カナ氏名"],
            F::Sex => &["性別"],
            F::BirthDate => &["生年月日", "誕生日", "生年月日西暦", "生年月日和暦"],
            F::DueDate => &["出産予定日", "分娩予定日"],
            F::Registration => &["登録区分", "区分", "対象区分", "登録種別"],
            F::Rank => &["ランク", "緊急度", "重症度", "リスク", "ランク緊急度"],
            F::AbuseTypes => &["虐待種別", "虐待の種類", "主たる虐待種別", "虐待内容", "種別"],
            F::Town => &["町名", "地区", "居住地区", "住所地区"],
            F::AcceptedOn => &["受理日", "受理年月日", "受付日", "相談受理日", "受付年月日"],
            F::Concern => &["主訴", "相談内容", "主な相談内容"],
            F::Affiliation => &["所属", "所属機関", "学校・園", "学校園", "所属学校・園", "学校", "園・学校", "所属先"],
            F::Grade => &["学年・クラス", "学年", "クラス", "学年組"],
            F::LeadAgency => &["主担当", "主担当機関", "担当機関"],
            F::KeyWorker => &["主たる援助者", "援助者", "担当者"],
            F::Cgc => &["児相の関与", "児相関与", "児童相談所の関与", "児相"],
            F::Policy => &["援助方針", "支援方針", "今後の方針"],
            F::LastReview => &["前回確認日", "最終確認日", "前回確認"],
            F::NextReview => &["次回確認日", "次回確認", "次回見直し日"],
            F::Status => &["状態", "進行状況", "ステータス"],
            F::ClosedOn => &["終結日", "終結年月日", "終結・移管日"],
            F::CloseReason => &["終結理由", "終結・移管理由"],
            F::Notes => &["備考", "メモ", "特記事項"],
            F::People => &["保護者・同居人", "保護者", "同居人", "保護者氏名", "家族"],
            F::Household => &["世帯番号", "世帯", "世帯No", "世帯ID"],
            F::MonthlyReport => &["月次報告", "月次報告対象", "定期的な情報提供", "定期報告"],
        }
    }

    pub fn is_date(self) -> bool {
        matches!(self, F::BirthDate | F::DueDate | F::AcceptedOn | F::LastReview | F::NextReview | F::ClosedOn)
    }

    /// Columns whose values are personal data (never repeated in a message).
    pub fn is_personal(self) -> bool {
        !matches!(
            self,
            F::Number | F::Sex | F::Registration | F::Rank | F::Cgc | F::Status | F::AbuseTypes | F::MonthlyReport
        )
    }

    fn parse_name(s: &str) -> Option<Self> {
        let n = normalize(s);
        Self::ALL.into_iter().find(|f| f.key() == s.trim() || f.names().iter().any(|v| normalize(v) == n))
    }
}

/// Headers compare after NFKC, without spaces, 「・」, asterisks and a trailing remark in
/// brackets (「生年月日（西暦）」 is 生年月日西暦, 「氏名 ※必須」 is 氏名).
pub fn normalize(s: &str) -> String {
    let t: String = s.nfkc().collect();
    let t = t.split('※').next().unwrap_or("");
    t.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '・' | '*' | '(' | ')' | '「' | '」' | '【' | '】'))
        .collect()
}

/// Headers that may hold the town's own case ids, or only a row count (「No.」, 「番号」).
const ID_LIKE: [&str; 5] = ["no", "番号", "id", "ケース", "通し番号"];

/// True for a header like 「No.」, 「№」, 「番号」 or 「ID」.
pub fn is_id_like_header(h: &str) -> bool {
    let n = normalize(h).to_lowercase();
    ID_LIKE.contains(&n.trim_end_matches('.'))
}

/// Whether an id-like column's values are case numbers: every row has one, none repeats,
/// and they are not just the rows counted 1, 2, 3, … (a row count is not an id).
pub fn values_are_ids(values: &[String]) -> bool {
    let mut seen = std::collections::HashSet::new();
    if values.is_empty() || values.iter().any(|v| v.trim().is_empty() || !seen.insert(v.trim())) {
        return false;
    }
    let numbers: Option<Vec<i64>> = values.iter().map(|v| v.trim().parse::<i64>().ok()).collect();
    !numbers.is_some_and(|n| n.windows(2).all(|w| w[1] == w[0] + 1))
}

/// Header overrides read from a mapping file; `None` = ignore the column.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mapping {
    overrides: BTreeMap<String, Option<LedgerField>>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    #[serde(default)]
    columns: BTreeMap<String, String>,
}

impl Mapping {
    pub fn from_toml(text: &str) -> Result<Self, String> {
        let f: MappingFile = toml::from_str(text).map_err(|e| format!("対応表を読めません: {}", e.message().trim()))?;
        let mut overrides = BTreeMap::new();
        for (header, target) in f.columns {
            let field = match target.trim() {
                "無視" | "ignore" => None,
                t => Some(
                    LedgerField::parse_name(t)
                        .ok_or_else(|| format!("対応表: 「{header}」の対応先「{target}」は台帳の項目にありません"))?,
                ),
            };
            overrides.insert(normalize(&header), field);
        }
        Ok(Mapping { overrides })
    }

    fn lookup(&self, header: &str) -> Option<Option<LedgerField>> {
        self.overrides.get(&normalize(header)).copied()
    }
}

/// Which column holds which field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ColumnMap {
    pub fields: BTreeMap<LedgerField, usize>,
    /// Headers no field matched (reported, not fatal).
    pub unknown: Vec<String>,
}

impl ColumnMap {
    pub fn col(&self, f: LedgerField) -> Option<usize> {
        self.fields.get(&f).copied()
    }

    /// Maps a header row; two columns for one field is an error naming both.
    pub fn from_headers(headers: &[String], mapping: &Mapping) -> Result<Self, String> {
        let mut m = ColumnMap::default();
        for (i, h) in headers.iter().enumerate() {
            if h.trim().is_empty() {
                continue;
            }
            let field = match mapping.lookup(h) {
                Some(f) => f,
                None => match LedgerField::parse_name(h) {
                    Some(f) => Some(f),
                    None => {
                        m.unknown.push(h.trim().to_string());
                        continue;
                    }
                },
            };
            if let Some(f) = field
                && let Some(prev) = m.fields.insert(f, i)
            {
                return Err(format!(
                    "「{}」と「{}」の両方が{}の列として読めます。対応表（--mapping）でどちらかを「無視」にしてください",
                    headers[prev].trim(),
                    h.trim(),
                    f.header()
                ));
            }
        }
        Ok(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn variants_in_any_order() {
        let m = ColumnMap::from_headers(
            &h(&["フリガナ", "児童氏名", "誕生日", "区分", "学校・園", "主担当機関", "受理年月日", "緊急度", "身長"]),
            &Mapping::default(),
        )
        .unwrap();
        assert_eq!(m.col(F::Kana), Some(0));
        assert_eq!(m.col(F::Name), Some(1));
        assert_eq!(m.col(F::BirthDate), Some(2));
        assert_eq!(m.col(F::Registration), Some(3));
        assert_eq!(m.col(F::Affiliation), Some(4));
        assert_eq!(m.col(F::LeadAgency), Some(5));
        assert_eq!(m.col(F::AcceptedOn), Some(6));
        assert_eq!(m.col(F::Rank), Some(7));
        assert_eq!(m.unknown, vec!["身長".to_string()]);
    }

    #[test]
    fn width_and_remarks_do_not_matter() {
        let m =
            ColumnMap::from_headers(&h(&["氏　名 ※必須", "生年月日（西暦）", "ｹｰｽNo."]), &Mapping::default()).unwrap();
        assert_eq!(m.col(F::Name), Some(0));
        assert_eq!(m.col(F::BirthDate), Some(1));
        assert_eq!(m.col(F::Number), Some(2));
    }

    #[test]
    fn mapping_overrides_and_ignores() {
        let mapping = Mapping::from_toml(
            "[columns]\n\"児童の名前\" = \"氏名\"\n\"区分\" = \"無視\"\n\"種類\" = \"registration\"\n",
        )
        .unwrap();
        let m = ColumnMap::from_headers(&h(&["児童の名前", "区分", "種類"]), &mapping).unwrap();
        assert_eq!(m.col(F::Name), Some(0));
        assert_eq!(m.col(F::Registration), Some(2));
        assert!(m.unknown.is_empty());
        assert!(Mapping::from_toml("[columns]\n\"x\" = \"身長\"\n").unwrap_err().contains("身長"));
    }

    #[test]
    fn two_columns_for_one_field_is_an_error() {
        let e = ColumnMap::from_headers(&h(&["氏名", "児童氏名"]), &Mapping::default()).unwrap_err();
        assert!(e.contains("氏名") && e.contains("児童氏名"));
    }

    #[test]
    fn an_id_column_is_told_from_a_row_count() {
        for h in ["No.", "NO", "№", "番号", "ID", "ｎｏ．"] {
            assert!(is_id_like_header(h), "{h}");
        }
        assert!(!is_id_like_header("電話番号"));
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(values_are_ids(&v(&["R001", "R002", "R003"])));
        assert!(values_are_ids(&v(&["12", "15", "31"])), "numbers with gaps are ids");
        assert!(!values_are_ids(&v(&["1", "2", "3"])), "a row count");
        assert!(!values_are_ids(&v(&["R001", "R001"])), "a repeated value");
        assert!(!values_are_ids(&v(&["R001", ""])), "a row without one");
    }

    #[test]
    fn every_header_reads_back_as_its_field() {
        for f in LedgerField::ALL {
            assert_eq!(LedgerField::parse_name(f.header()), Some(f), "{f:?}");
        }
    }
}
