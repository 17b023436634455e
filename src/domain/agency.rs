//! 関係機関: schools, nurseries, 児童相談所, 教育委員会 and the others around a case.

use serde::{Deserialize, Serialize};

use super::Id;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub enum AgencyKind {
    /// 事務局 (調整機関)
    Secretariat,
    /// 児童相談所
    ChildGuidanceCentre,
    /// 教育委員会
    BoardOfEducation,
    /// 小学校
    PrimarySchool,
    /// 中学校
    JuniorHighSchool,
    /// 高等学校
    HighSchool,
    /// 保育所・認定こども園
    Nursery,
    /// 幼稚園
    Kindergarten,
    /// 母子保健 (保健センター)
    HealthCentre,
    /// 医療機関
    Hospital,
    /// 警察
    Police,
    /// 福祉 (生活保護・障害福祉等)
    Welfare,
    /// その他
    Other,
}

impl AgencyKind {
    pub const ALL: [AgencyKind; 13] = [
        AgencyKind::Secretariat,
        AgencyKind::ChildGuidanceCentre,
        AgencyKind::BoardOfEducation,
        AgencyKind::PrimarySchool,
        AgencyKind::JuniorHighSchool,
        AgencyKind::HighSchool,
        AgencyKind::Nursery,
        AgencyKind::Kindergarten,
        AgencyKind::HealthCentre,
        AgencyKind::Hospital,
        AgencyKind::Police,
        AgencyKind::Welfare,
        AgencyKind::Other,
    ];

    pub fn label(self) -> &'static str {
        match self {
            AgencyKind::Secretariat => "事務局",
            AgencyKind::ChildGuidanceCentre => "児童相談所",
            AgencyKind::BoardOfEducation => "教育委員会",
            AgencyKind::PrimarySchool => "小学校",
            AgencyKind::JuniorHighSchool => "中学校",
            AgencyKind::HighSchool => "高等学校",
            AgencyKind::Nursery => "保育所",
            AgencyKind::Kindergarten => "幼稚園",
            AgencyKind::HealthCentre => "保健センター",
            AgencyKind::Hospital => "医療機関",
            AgencyKind::Police => "警察",
            AgencyKind::Welfare => "福祉",
            AgencyKind::Other => "その他",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            AgencyKind::Secretariat => "secretariat",
            AgencyKind::ChildGuidanceCentre => "cgc",
            AgencyKind::BoardOfEducation => "boe",
            AgencyKind::PrimarySchool => "primary",
            AgencyKind::JuniorHighSchool => "junior_high",
            AgencyKind::HighSchool => "high",
            AgencyKind::Nursery => "nursery",
            AgencyKind::Kindergarten => "kindergarten",
            AgencyKind::HealthCentre => "health",
            AgencyKind::Hospital => "hospital",
            AgencyKind::Police => "police",
            AgencyKind::Welfare => "welfare",
            AgencyKind::Other => "other",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    /// Schools and nurseries: the institutions a child attends and that send assessment sheets.
    pub fn is_institution(self) -> bool {
        matches!(
            self,
            AgencyKind::PrimarySchool
                | AgencyKind::JuniorHighSchool
                | AgencyKind::HighSchool
                | AgencyKind::Nursery
                | AgencyKind::Kindergarten
        )
    }

    pub fn is_school(self) -> bool {
        matches!(self, AgencyKind::PrimarySchool | AgencyKind::JuniorHighSchool | AgencyKind::HighSchool)
    }

    /// Guesses the kind from an institution's name, for importers.
    pub fn guess_from_name(name: &str) -> Self {
        let pairs: [(&str, AgencyKind); 12] = [
            ("児童相談所", AgencyKind::ChildGuidanceCentre),
            ("児相", AgencyKind::ChildGuidanceCentre),
            ("教育委員会", AgencyKind::BoardOfEducation),
            ("中学校", AgencyKind::JuniorHighSchool),
            ("小学校", AgencyKind::PrimarySchool),
            ("高等学校", AgencyKind::HighSchool),
            ("高校", AgencyKind::HighSchool),
            ("保育", AgencyKind::Nursery),
            ("こども園", AgencyKind::Nursery),
            ("幼稚園", AgencyKind::Kindergarten),
            ("保健", AgencyKind::HealthCentre),
            ("警察", AgencyKind::Police),
        ];
        pairs.iter().find(|(k, _)| name.contains(k)).map(|(_, v)| *v).unwrap_or(
            if name.contains("病院") || name.contains("クリニック") {
                AgencyKind::Hospital
            } else if name.contains("こども") || name.contains("子ども") || name.contains("課") {
                AgencyKind::Secretariat
            } else {
                AgencyKind::Other
            },
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agency {
    pub id: Id,
    /// Short stable code used in file names and packets (e.g. "ES01")
    pub code: String,
    pub name: String,
    pub kind: AgencyKind,
    /// Contact person (担当者), optional
    pub contact: String,
}

/// How a typed agency name matches the registered agencies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgencyMatch {
    One(Id),
    /// Several fit what was typed (their names, to choose from).
    Several(Vec<String>),
    None,
}

/// The registered agency a typed name means, with the one folding search uses (カナ/かな,
/// 全角/半角, spaces): its code or its whole name, else the one name that starts with what was
/// typed (東小 → 東小学校, 保健センター → 保健センター（母子保健）), else the one that contains
/// it, else the one that has its characters in order (高浜小 → 高浜町立高浜小学校).
pub fn match_agency(typed: &str, agencies: &[Agency]) -> AgencyMatch {
    let found = ranked(typed, agencies);
    let Some(&(top, _)) = found.first() else { return AgencyMatch::None };
    match found.iter().filter(|(t, _)| *t == top).collect::<Vec<_>>().as_slice() {
        [(_, one)] => AgencyMatch::One(one.id),
        best => AgencyMatch::Several(best.iter().map(|(_, a)| a.name.clone()).collect()),
    }
}

/// The registered agencies that fit what was typed, best first (the order of
/// [`match_agency`]'s tiers), for a type-ahead list.
pub fn agency_candidates<'a>(typed: &str, agencies: &'a [Agency]) -> Vec<&'a Agency> {
    ranked(typed, agencies).into_iter().map(|(_, a)| a).collect()
}

/// Each fitting agency with its tier: 0 code or whole name, 1 prefix, 2 contained, 3 its
/// characters in order. Within a tier, shorter names first (a short form most likely means the
/// plainest name), then the registered order.
fn ranked<'a>(typed: &str, agencies: &'a [Agency]) -> Vec<(u8, &'a Agency)> {
    use crate::domain::search::fold;
    let t = fold(typed);
    if t.is_empty() {
        return Vec::new();
    }
    let tier = |a: &Agency| {
        let n = fold(&a.name);
        if n == t || fold(&a.code) == t {
            Some(0)
        } else if n.starts_with(&t) {
            Some(1)
        } else if n.contains(&t) {
            Some(2)
        } else {
            let mut rest = n.chars();
            t.chars().all(|c| rest.any(|m| m == c)).then_some(3)
        }
    };
    let mut found: Vec<(u8, &Agency)> = agencies.iter().filter_map(|a| tier(a).map(|t| (t, a))).collect();
    found.sort_by_key(|(t, a)| (*t, a.name.chars().count()));
    found
}

#[cfg(test)]
mod tests {

    #[test]
    fn typed_agency_names_find_the_registered_one() {
        let a = |id, code: &str, name: &str| Agency {
            id,
            code: code.into(),
            name: name.into(),
            kind: AgencyKind::guess_from_name(name),
            contact: String::new(),
        };
        let all = [
            a(1, "ES01", "東小学校"),
            a(2, "ES02", "西小学校"),
            a(3, "HC01", "保健センター（母子保健）"),
            a(4, "WF01", "子育て福祉課"),
            a(5, "JH01", "東中学校"),
        ];
        assert_eq!(match_agency("東小", &all), AgencyMatch::One(1));
        assert_eq!(match_agency("保健センター", &all), AgencyMatch::One(3));
        assert_eq!(match_agency("ﾎｹﾝｾﾝﾀｰ", &all), AgencyMatch::None, "kana does not turn into kanji");
        assert_eq!(match_agency("福祉課", &all), AgencyMatch::One(4), "contained, when only one has it");
        assert_eq!(match_agency("es02", &all), AgencyMatch::One(2), "by code");
        assert_eq!(match_agency("東", &all), AgencyMatch::Several(vec!["東小学校".into(), "東中学校".into()]));
        assert_eq!(match_agency("北小", &all), AgencyMatch::None);
        assert_eq!(match_agency(" 東小学校 ", &all), AgencyMatch::One(1));
        assert_eq!(match_agency("子福祉", &all), AgencyMatch::One(4), "its characters in order");
        let names = |t| agency_candidates(t, &all).iter().map(|a| a.name.as_str()).collect::<Vec<_>>();
        assert_eq!(names("東"), ["東小学校", "東中学校"]);
        assert_eq!(names("小学"), ["東小学校", "西小学校"]);
        assert_eq!(names("東小学校"), ["東小学校"]);
        assert_eq!(names("北"), Vec::<&str>::new());
    }
    use super::*;

    #[test]
    fn guesses_kind_from_name() {
        assert_eq!(AgencyKind::guess_from_name("高浜小学校"), AgencyKind::PrimarySchool);
        assert_eq!(AgencyKind::guess_from_name("中央児童相談所"), AgencyKind::ChildGuidanceCentre);
        assert_eq!(AgencyKind::guess_from_name("あおぞら保育園"), AgencyKind::Nursery);
        assert_eq!(AgencyKind::guess_from_name("第一中学校"), AgencyKind::JuniorHighSchool);
    }
}
