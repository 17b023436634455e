//! The birth form (出生の記録) on a 特定妊婦 case: the birth day, one or two newborns (twins)
//! with 氏名, ふりがな and 性別, and whether the mother's registration continues or closes —
//! a choice the form makes the user take. What it stores goes through `Tx::record_birth`, as
//! `shinko ledger birth` does.

use chrono::NaiveDate;

use crate::domain::Sex;
use crate::domain::birth::{Birth, MotherAfter, Newborn};
use crate::tui::form::{Field, Form, date_text};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BirthField {
    Date,
    Name(usize),
    Kana(usize),
    Sex(usize),
    Mother,
}

/// Newborns one birth form takes: one, or twins.
const NEWBORNS: usize = 2;
const SEXES: [Sex; 3] = [Sex::Unknown, Sex::Male, Sex::Female];
/// 母の登録, offered with nothing chosen: the form does not guess it.
const MOTHER: [(Option<MotherAfter>, &str); 3] =
    [(None, "（選んでください）"), (Some(MotherAfter::Continue), "継続"), (Some(MotherAfter::Close), "終結")];

#[derive(Debug, Clone)]
pub struct BirthForm {
    pub mother_id: crate::domain::Id,
    pub number: String,
    pub form: Form<BirthField>,
}

impl BirthForm {
    pub fn new(mother_id: crate::domain::Id, number: &str, today: NaiveDate) -> BirthForm {
        use BirthField as K;
        let sexes: Vec<String> =
            SEXES.iter().map(|s| if *s == Sex::Unknown { "不明" } else { s.label() }.to_string()).collect();
        let mut fields = vec![Field::text(K::Date, "出生日", true, &date_text(Some(today)))];
        for i in 0..NEWBORNS {
            let (name, kana, sex) = if i == 0 {
                ("氏名", "ふりがな", "性別")
            } else {
                ("2人目の氏名", "2人目のふりがな", "2人目の性別")
            };
            fields.push(Field::text(K::Name(i), name, i == 0, ""));
            fields.push(Field::text(K::Kana(i), kana, false, ""));
            fields.push(Field::choice_at(K::Sex(i), sex, sexes.clone(), 0));
        }
        fields.push(Field::choice_at(K::Mother, "母の登録", MOTHER.iter().map(|(_, l)| l.to_string()).collect(), 0));
        BirthForm {
            mother_id,
            number: number.to_string(),
            form: Form::new(format!("ケース {number} の出生の記録"), fields),
        }
    }

    /// The birth to record, or the Japanese reason the form cannot be read (the store checks
    /// the rest: a 特定妊婦 case, the date, a birth not yet recorded).
    pub fn submit(&self, today: NaiveDate) -> Result<Birth, String> {
        use BirthField as K;
        let f = &self.form;
        let born_on = f.date_near(K::Date, "出生日", today)?.unwrap_or(today);
        let mother = f
            .chosen(K::Mother)
            .and_then(|i| MOTHER.get(i))
            .and_then(|(m, _)| *m)
            .ok_or("母の登録: 継続か終結を選んでください")?;
        let mut newborns = Vec::new();
        for i in 0..NEWBORNS {
            let name = f.get(K::Name(i)).trim().to_string();
            let kana = f.get(K::Kana(i)).trim().to_string();
            if name.is_empty() {
                if !kana.is_empty() {
                    return Err(format!("{}人目の氏名: ふりがなだけでは登録できません", i + 1));
                }
                continue;
            }
            let sex = f.chosen(K::Sex(i)).and_then(|x| SEXES.get(x).copied()).unwrap_or_default();
            newborns.push(Newborn { name, kana, sex });
        }
        Ok(Birth { mother_case: self.mother_id, born_on, newborns, mother })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_mothers_registration_must_be_chosen() {
        let mut f = BirthForm::new(4, "R8-010", d(2026, 12, 1));
        f.form.set_text(BirthField::Name(0), "山田 花");
        assert_eq!(f.submit(d(2026, 12, 1)).unwrap_err(), "母の登録: 継続か終結を選んでください");
        f.form.focus = f.form.fields.len() - 1;
        f.form.cycle_choice(true);
        let b = f.submit(d(2026, 12, 1)).unwrap();
        assert_eq!((b.mother, b.newborns.len()), (MotherAfter::Continue, 1));
    }

    #[test]
    fn twins_are_two_newborns_of_one_birth() {
        let mut f = BirthForm::new(4, "R8-010", d(2026, 12, 1));
        f.form.set_text(BirthField::Name(0), "山田 一郎");
        f.form.set_text(BirthField::Name(1), "山田 二郎");
        f.form.set_text(BirthField::Date, "R8.11.30");
        f.form.focus = f.form.fields.len() - 1;
        f.form.cycle_choice(false);
        let b = f.submit(d(2026, 12, 1)).unwrap();
        assert_eq!((b.born_on, b.mother, b.newborns.len()), (d(2026, 11, 30), MotherAfter::Close, 2));
        f.form.set_text(BirthField::Name(1), "");
        f.form.set_text(BirthField::Kana(1), "やまだ じろう");
        assert!(f.submit(d(2026, 12, 1)).unwrap_err().starts_with("2人目の氏名"));
    }
}
