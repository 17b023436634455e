//! 出生: a 特定妊婦 case records the birth, which registers each newborn (twins: two in one
//! birth) as a case in the mother's household, and the mother's registration continues or
//! closes. The rules of what may be recorded and what the newborn's case starts as.

use chrono::NaiveDate;

use super::case::{Case, Registration, Sex};
use super::config::Config;

/// One newborn as typed: 氏名, ふりがな, 性別.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Newborn {
    pub name: String,
    pub kana: String,
    pub sex: Sex,
}

/// What happens to the mother's registration once the child is born.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MotherAfter {
    /// 継続: the mother stays registered (support after the birth goes on).
    Continue,
    /// 終結: the support continues through the newborn's case.
    Close,
}

impl MotherAfter {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "continue" | "継続" => Some(MotherAfter::Continue),
            "close" | "終結" => Some(MotherAfter::Close),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MotherAfter::Continue => "継続",
            MotherAfter::Close => "終結",
        }
    }
}

/// A birth to record on the mother's case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Birth {
    pub mother_case: super::Id,
    pub born_on: NaiveDate,
    pub newborns: Vec<Newborn>,
    pub mother: MotherAfter,
}

/// The reason a closed mother's case gives (no names: it is printed in lists and minutes).
pub fn closing_reason(numbers: &[String]) -> String {
    format!("出産により新生児のケース（{}）で支援を継続", numbers.join("・"))
}

/// Why this birth cannot be recorded on `mother` (field label, Japanese reason), if it cannot.
/// `recorded_on`: the day a birth was already recorded on this case, if one was.
pub fn check(
    birth: &Birth,
    mother: &Case,
    recorded_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(), (&'static str, String)> {
    let n = &mother.number;
    if mother.registration != Registration::ExpectantMother {
        return Err((
            "ケース",
            format!(
                "ケース {n} は{}で、特定妊婦ではありません。出生は母の特定妊婦のケースに記録してください",
                mother.registration.label()
            ),
        ));
    }
    if !mother.is_open() {
        return Err(("ケース", format!("ケース {n} は{}しています。出生は記録できません", mother.status.label())));
    }
    if let Some(on) = recorded_on {
        return Err((
            "出生日",
            format!("ケース {n} の出生は {on} に記録済みです（双子などは一度の記録で新生児を複数入力してください）"),
        ));
    }
    let d = birth.born_on;
    if d > today {
        return Err(("出生日", format!("{d} は今日（{today}）より後の日付です")));
    }
    if d < mother.accepted_on {
        return Err(("出生日", format!("{d} はケース {n} の受理日（{}）より前です", mother.accepted_on)));
    }
    if birth.newborns.is_empty() {
        return Err(("氏名", "新生児の氏名を入力してください".into()));
    }
    for (i, b) in birth.newborns.iter().enumerate() {
        let which = if birth.newborns.len() > 1 { format!("{}人目の", i + 1) } else { String::new() };
        if b.name.trim().is_empty() {
            return Err(("氏名", format!("{which}新生児の氏名が空です")));
        }
    }
    Ok(())
}

/// The newborn's case: 要支援児童 in the mother's household, born and registered on the
/// birth day, with the mother's 主担当, 主たる援助者, 援助方針 and town, the mother's rank where
/// the children's ranks have it (else the mildest), and the next review from that rank.
pub fn newborn_case(mother: &Case, birth: &Birth, b: &Newborn, number: String, today: NaiveDate, cfg: &Config) -> Case {
    let mut c = Case::blank(birth.born_on);
    c.number = number;
    c.name = b.name.trim().to_string();
    c.kana = b.kana.trim().to_string();
    c.sex = b.sex;
    c.birth_date = Some(birth.born_on);
    c.registration = Registration::NeedsSupport;
    c.household_id = mother.household_id;
    c.town = mother.town.clone();
    c.presenting_concern = format!("特定妊婦（ケース {}）からの出生", mother.number);
    c.lead_agency = mother.lead_agency;
    c.key_worker = mother.key_worker.clone();
    c.support_policy = mother.support_policy.clone();
    let scheme = cfg.rank_scheme(c.registration);
    c.rank = match scheme.get(&mother.rank) {
        Some(r) => r.code.clone(),
        None => scheme.ranks().last().map(|r| r.code.clone()).unwrap_or_default(),
    };
    super::rank::next_review_after_edit(&mut c, None, today, cfg);
    c
}

/// The newborns' case numbers: the mother's number with -1, -2 … (twins), skipping any taken.
pub fn newborn_numbers(mother: &str, count: usize, taken: impl Fn(&str) -> bool) -> Vec<String> {
    (1..).map(|i| format!("{mother}-{i}")).filter(|n| !taken(n)).take(count).collect()
}

/// The 新生児 triage reason: born since the last meeting, from which mother's case.
pub fn newborn_reason(born_on: NaiveDate, mother_number: &str) -> String {
    format!("新生児（{} 出生、特定妊婦 {mother_number} から）", super::wareki::format_short(born_on))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::CaseStatus;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn mother() -> Case {
        let mut c = Case::blank(d(2026, 5, 1));
        c.number = "R8-010".into();
        c.registration = Registration::ExpectantMother;
        c.due_date = Some(d(2026, 11, 20));
        c.rank = "B".into();
        c.lead_agency = Some(3);
        c.key_worker = "保健師".into();
        c.support_policy = "出産後も週1回訪問する".into();
        c.household_id = Some(9);
        c
    }

    fn birth(on: NaiveDate, names: &[&str]) -> Birth {
        Birth {
            mother_case: 1,
            born_on: on,
            newborns: names
                .iter()
                .map(|n| Newborn { name: n.to_string(), kana: String::new(), sex: Sex::Female })
                .collect(),
            mother: MotherAfter::Continue,
        }
    }

    #[test]
    fn each_mistake_is_named() {
        let today = d(2026, 12, 1);
        let ok = birth(d(2026, 11, 20), &["山田 花"]);
        assert!(check(&ok, &mother(), None, today).is_ok());
        let mut child = mother();
        child.registration = Registration::NeedsSupport;
        assert!(check(&ok, &child, None, today).unwrap_err().1.contains("特定妊婦ではありません"));
        assert!(check(&birth(d(2026, 12, 2), &["a"]), &mother(), None, today).unwrap_err().1.contains("今日"));
        assert!(check(&birth(d(2026, 4, 30), &["a"]), &mother(), None, today).unwrap_err().1.contains("受理日"));
        assert!(check(&ok, &mother(), Some(d(2026, 11, 21)), today).unwrap_err().1.contains("記録済み"));
        assert!(check(&birth(d(2026, 11, 20), &["a", " "]), &mother(), None, today).unwrap_err().1.contains("2人目"));
        let mut closed = mother();
        closed.status = CaseStatus::Closed;
        assert!(check(&ok, &closed, None, today).unwrap_err().1.contains("しています"));
        let e = check(&ok, &child, None, today).unwrap_err();
        assert!(!e.1.contains("山田"), "no name in the error");
    }

    #[test]
    fn the_newborn_carries_the_mothers_support_over() {
        let cfg = Config::default();
        let m = mother();
        let b = birth(d(2026, 11, 20), &["山田 花"]);
        let c = newborn_case(&m, &b, &b.newborns[0], "R8-010-1".into(), d(2026, 12, 1), &cfg);
        assert_eq!(c.registration, Registration::NeedsSupport);
        assert_eq!((c.birth_date, c.accepted_on), (Some(d(2026, 11, 20)), d(2026, 11, 20)));
        assert_eq!((c.lead_agency, c.key_worker.as_str(), c.household_id), (Some(3), "保健師", Some(9)));
        assert_eq!(c.support_policy, "出産後も週1回訪問する");
        assert_eq!(c.rank, "B");
        assert_eq!(
            c.next_review,
            Some(cfg.rank_scheme(c.registration).next_review("B", d(2026, 12, 1), &cfg.business_calendar()))
        );
        assert!(c.validate().is_ok(), "{:?}", c.validate());
    }

    #[test]
    fn twins_get_two_free_numbers() {
        assert_eq!(newborn_numbers("R8-010", 2, |n| n == "R8-010-1"), vec!["R8-010-2", "R8-010-3"]);
    }
}
