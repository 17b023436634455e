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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guesses_kind_from_name() {
        assert_eq!(AgencyKind::guess_from_name("高浜小学校"), AgencyKind::PrimarySchool);
        assert_eq!(AgencyKind::guess_from_name("中央児童相談所"), AgencyKind::ChildGuidanceCentre);
        assert_eq!(AgencyKind::guess_from_name("あおぞら保育園"), AgencyKind::Nursery);
        assert_eq!(AgencyKind::guess_from_name("第一中学校"), AgencyKind::JuniorHighSchool);
    }
}
