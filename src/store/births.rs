//! 出生: the birth recorded on a 特定妊婦 case, in one audited transaction with the newborns'
//! cases and the mother's closing if chosen.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

use super::{Cached, Result, Store, StoreError, Tx, date_col};
use crate::domain::birth::{self, Birth, MotherAfter};
use crate::domain::{CaseStatus, Config, Id};

/// The 終結理由区分 a mother's case closed at the birth counts under, when configured (else the
/// last configured one, which towns keep for その他).
const CLOSED_AT_BIRTH: &str = "その他";

impl Tx<'_> {
    /// Records `b` on the mother's case: checks it (`domain::birth::check`: a 特定妊婦 case,
    /// open, no birth recorded yet, not after `today`, not before 受理日), registers each newborn
    /// (`domain::birth::newborn_case`) in the mother's household, links them, and closes the
    /// mother's case if chosen. All of it or nothing. Returns the newborns' (id, number).
    pub fn record_birth(&mut self, b: &Birth, today: NaiveDate, cfg: &Config) -> Result<Vec<(Id, String)>> {
        let mother = self.case(b.mother_case)?;
        let recorded: Option<String> = self
            .tx
            .query_row("SELECT born_on FROM births WHERE mother_case = ?1 LIMIT 1", [mother.id], |r| r.get(0))
            .optional()?;
        birth::check(b, &mother, date_col(recorded)?, today).map_err(|(f, m)| StoreError::invalid(f, m))?;
        self.household_of(mother.id)?;
        // Read again: the household may just have been made.
        let mother = self.case(mother.id)?;
        // A read error counts as free: the save below then refuses a number in use by name.
        let numbers = birth::newborn_numbers(&mother.number, b.newborns.len(), |n| {
            self.case_id_by_number(n).ok().flatten().is_some()
        });
        let mut out = Vec::new();
        for (nb, number) in b.newborns.iter().zip(numbers) {
            let c = birth::newborn_case(&mother, b, nb, number.clone(), today, cfg);
            let child = self.save_case(&c)?;
            self.tx.exec_cached(
                "INSERT INTO births(mother_case, child_case, born_on, recorded_at) VALUES (?1, ?2, ?3, ?4)",
                params![mother.id, child, b.born_on, self.at],
            )?;
            let row = self.tx.last_insert_rowid();
            let fields = [
                ("mother_case", mother.id.to_string()),
                ("child_case", child.to_string()),
                ("born_on", b.born_on.to_string()),
                ("mother", b.mother.label().to_string()),
            ];
            self.audit_diff("birth", row, &[], &fields)?;
            out.push((child, number));
        }
        if b.mother == MotherAfter::Close {
            let numbers: Vec<String> = out.iter().map(|(_, n)| n.clone()).collect();
            let reason = birth::closing_reason(&numbers);
            let cats = &cfg.closing.categories;
            let category =
                cats.iter().find(|c| *c == CLOSED_AT_BIRTH).or(cats.last()).map_or(CLOSED_AT_BIRTH, String::as_str);
            self.close_case_as(mother.id, CaseStatus::Closed, today, &reason, category, cats, None)?;
        }
        Ok(out)
    }
}

impl Store {
    /// Every newborn registered at a recorded birth: child case → (birth day, mother's case).
    pub fn newborns(&self) -> Result<BTreeMap<Id, (NaiveDate, Id)>> {
        let mut st = self.conn.prepare_cached("SELECT child_case, born_on, mother_case FROM births")?;
        let rows =
            st.query_map([], |r| Ok((r.get::<_, Id>(0)?, date_col(r.get(1)?)?.unwrap_or_default(), r.get(2)?)))?;
        let mut out = BTreeMap::new();
        for row in rows {
            let (child, on, mother) = row?;
            out.insert(child, (on, mother));
        }
        Ok(out)
    }
}

impl Store {
    /// [`Store::newborns`] with the mother's case number, as triage's 新生児 reason says it.
    pub fn newborns_with_mothers(&self) -> Result<BTreeMap<Id, (NaiveDate, String)>> {
        let born = self.newborns()?;
        let mothers: Vec<Id> = born.values().map(|(_, m)| *m).collect();
        let cases = self.cases_by_id(&mothers)?;
        Ok(born
            .into_iter()
            .map(|(child, (on, m))| (child, (on, cases.get(&m).map(|c| c.number.clone()).unwrap_or_default())))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::birth::Newborn;
    use crate::domain::{Case, Registration, Sex};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn setup() -> (Store, Id) {
        let mut s = Store::open_in_memory().unwrap();
        let id = s
            .write(|t| {
                let mut c = Case::blank(d(2026, 5, 1));
                c.number = "R8-010".into();
                c.name = "山田 春子".into();
                c.registration = Registration::ExpectantMother;
                c.due_date = Some(d(2026, 11, 20));
                c.rank = "B".into();
                c.support_policy = "出産後も週1回訪問する".into();
                t.save_case(&c)
            })
            .unwrap();
        (s, id)
    }

    fn birth(mother: Id, names: &[&str], after: MotherAfter) -> Birth {
        Birth {
            mother_case: mother,
            born_on: d(2026, 11, 20),
            newborns: names
                .iter()
                .map(|n| Newborn { name: n.to_string(), kana: "やまだ".into(), sex: Sex::Male })
                .collect(),
            mother: after,
        }
    }

    #[test]
    fn twins_are_registered_in_the_mothers_household_and_she_is_closed() {
        let (mut s, mother) = setup();
        let cfg = Config::default();
        let kids = s
            .write(|t| {
                t.record_birth(&birth(mother, &["山田 一郎", "山田 二郎"], MotherAfter::Close), d(2026, 12, 1), &cfg)
            })
            .unwrap();
        assert_eq!(kids.iter().map(|k| k.1.as_str()).collect::<Vec<_>>(), vec!["R8-010-1", "R8-010-2"]);
        let m = s.case(mother).unwrap();
        assert_eq!(m.status, CaseStatus::Closed);
        assert!(m.closure.as_ref().unwrap().reason.contains("R8-010-1・R8-010-2"));
        for (id, _) in &kids {
            let c = s.case(*id).unwrap();
            assert_eq!(c.household_id, m.household_id);
            assert!(c.household_id.is_some());
            assert_eq!(c.support_policy, "出産後も週1回訪問する");
        }
        assert_eq!(s.newborns().unwrap().len(), 2);
        assert!(s.audit_entries(Some("birth"), None, 100).unwrap().len() >= 2);
        // The same birth again is refused.
        let e = s
            .write(|t| t.record_birth(&birth(mother, &["山田 一郎"], MotherAfter::Continue), d(2026, 12, 1), &cfg))
            .unwrap_err();
        assert!(e.to_string().contains("しています") || e.to_string().contains("記録済み"), "{e}");
    }

    #[test]
    fn the_same_birth_twice_is_refused() {
        let (mut s, mother) = setup();
        let cfg = Config::default();
        s.write(|t| t.record_birth(&birth(mother, &["山田 一郎"], MotherAfter::Continue), d(2026, 12, 1), &cfg))
            .unwrap();
        assert_eq!(s.case(mother).unwrap().status, CaseStatus::Open, "the mother's registration continues");
        let e = s
            .write(|t| t.record_birth(&birth(mother, &["山田 一郎"], MotherAfter::Continue), d(2026, 12, 1), &cfg))
            .unwrap_err();
        assert!(e.to_string().contains("2026-11-20 に記録済み"), "{e}");
        assert_eq!(s.newborns().unwrap().len(), 1);
    }

    #[test]
    fn a_failure_midway_leaves_nothing() {
        let (mut s, mother) = setup();
        let cfg = Config::default();
        let entries = s.audit_entries(None, None, 10000).unwrap().len();
        let cases = s.case_count(true).unwrap();
        // The second newborn's name holds a direction control: its case is refused after the
        // first newborn's was written.
        let bad = birth(mother, &["山田 一郎", "山田\u{202E}二郎"], MotherAfter::Close);
        assert!(s.write(|t| t.record_birth(&bad, d(2026, 12, 1), &cfg)).is_err());
        assert_eq!(s.case_count(true).unwrap(), cases, "no newborn left behind");
        assert!(s.newborns().unwrap().is_empty());
        assert_eq!(s.case(mother).unwrap().status, CaseStatus::Open);
        assert_eq!(s.case(mother).unwrap().household_id, None, "no household made either");
        assert_eq!(s.audit_entries(None, None, 10000).unwrap().len(), entries, "nothing audited");
    }
}
