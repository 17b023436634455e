//! 就学段階: where a child is in the school system, by birth cohort (2 April – 1 April), not by
//! age in years. A 6-year-old still at nursery is 未就学 until the April after the cohort's
//! sixth year; a 部会 for 乳幼児 says 未就学, not "under 6".

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Case, Registration};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SchoolStage {
    #[serde(rename = "未就学")]
    Preschool,
    #[serde(rename = "小学生")]
    Primary,
    #[serde(rename = "中学生")]
    LowerSecondary,
    /// 高校生年代: the three years after 中学校, whether or not the child goes to 高校.
    #[serde(rename = "高校生年代")]
    UpperSecondary,
    #[serde(rename = "高校卒業後")]
    AfterUpperSecondary,
}

impl SchoolStage {
    pub const ALL: [SchoolStage; 5] = [
        SchoolStage::Preschool,
        SchoolStage::Primary,
        SchoolStage::LowerSecondary,
        SchoolStage::UpperSecondary,
        SchoolStage::AfterUpperSecondary,
    ];

    pub fn label(self) -> &'static str {
        match self {
            SchoolStage::Preschool => "未就学",
            SchoolStage::Primary => "小学生",
            SchoolStage::LowerSecondary => "中学生",
            SchoolStage::UpperSecondary => "高校生年代",
            SchoolStage::AfterUpperSecondary => "高校卒業後",
        }
    }

    /// The stage of school year `year` (see [`super::case::school_year`]: 1 = 小1).
    pub fn of_year(year: i32) -> SchoolStage {
        match year {
            ..=0 => SchoolStage::Preschool,
            1..=6 => SchoolStage::Primary,
            7..=9 => SchoolStage::LowerSecondary,
            10..=12 => SchoolStage::UpperSecondary,
            _ => SchoolStage::AfterUpperSecondary,
        }
    }

    /// The child's stage on `day`; None for an expectant mother or a child without a birth date.
    pub fn of(case: &Case, day: NaiveDate) -> Option<SchoolStage> {
        if case.registration == Registration::ExpectantMother {
            return None;
        }
        case.school_year_on(day).map(SchoolStage::of_year)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn child(born: (i32, u32, u32)) -> Case {
        let mut c = Case::blank(NaiveDate::from_ymd_opt(2026, 4, 1).unwrap());
        c.registration = Registration::NeedsProtection;
        c.birth_date = NaiveDate::from_ymd_opt(born.0, born.1, born.2);
        c
    }

    fn on(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_cohort_turns_on_the_second_of_april() {
        // Born 1 April 2020: the cohort of 2019, 小1 from April 2026.
        assert_eq!(SchoolStage::of(&child((2020, 4, 1)), on(2026, 4, 1)), Some(SchoolStage::Primary));
        // Born 2 April 2020: a year later; at six and a half still at nursery.
        let c = child((2020, 4, 2));
        assert_eq!(c.age_on(on(2026, 12, 1)), Some(6));
        assert_eq!(SchoolStage::of(&c, on(2026, 12, 1)), Some(SchoolStage::Preschool));
        assert_eq!(SchoolStage::of(&c, on(2027, 3, 31)), Some(SchoolStage::Preschool));
        assert_eq!(SchoolStage::of(&c, on(2027, 4, 1)), Some(SchoolStage::Primary));
    }

    #[test]
    fn every_stage_in_turn() {
        let c = child((2010, 6, 15));
        let stage = |y| SchoolStage::of(&c, on(y, 6, 1)).unwrap();
        assert_eq!(stage(2016), SchoolStage::Preschool);
        assert_eq!(stage(2017), SchoolStage::Primary);
        assert_eq!(stage(2022), SchoolStage::Primary, "小6");
        assert_eq!(stage(2023), SchoolStage::LowerSecondary);
        assert_eq!(stage(2026), SchoolStage::UpperSecondary);
        assert_eq!(stage(2028), SchoolStage::UpperSecondary, "高3");
        assert_eq!(stage(2029), SchoolStage::AfterUpperSecondary);
    }

    #[test]
    fn expectant_mothers_and_unknown_births_have_no_stage() {
        let mut c = child((2000, 1, 1));
        c.registration = Registration::ExpectantMother;
        assert_eq!(SchoolStage::of(&c, on(2026, 6, 1)), None);
        let mut c = child((2010, 1, 1));
        c.birth_date = None;
        assert_eq!(SchoolStage::of(&c, on(2026, 6, 1)), None);
    }
}
