//! 経過記録 (contact records): added with their audit entries, listed per case, and the newest
//! 目視確認 per case for the ledger and triage.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rusqlite::{Row, params};

use super::{Cached, Result, Store, StoreError, Tx, date_col};
use crate::domain::Id;
use crate::domain::contact::{self, Contact, ContactKind};

const COLS: &str = "id, case_id, date, kind, agency_id, seen, note";

fn kind_col(s: String) -> rusqlite::Result<ContactKind> {
    ContactKind::from_code(&s)
        .ok_or_else(|| rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, "contact kind".into()))
}

fn row_contact(r: &Row<'_>) -> rusqlite::Result<Contact> {
    Ok(Contact {
        id: r.get(0)?,
        case_id: r.get(1)?,
        date: date_col(r.get(2)?)?.unwrap_or_default(),
        kind: kind_col(r.get(3)?)?,
        agency_id: r.get(4)?,
        seen: r.get(5)?,
        note: r.get(6)?,
    })
}

fn fields(c: &Contact) -> Vec<(&'static str, String)> {
    vec![
        ("case_id", c.case_id.to_string()),
        ("date", c.date.to_string()),
        ("kind", c.kind.code().into()),
        ("agency_id", c.agency_id.to_string()),
        ("seen", if c.seen { "1" } else { "0" }.into()),
        ("note", c.note.clone()),
    ]
}

/// A contact as typed (the CLI's arguments, the contact form's fields): the agency by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContact {
    pub case_id: Id,
    pub date: NaiveDate,
    pub kind: ContactKind,
    /// A registered agency's name, code or the short form that fits one (東小 → 東小学校).
    pub agency: String,
    pub seen: bool,
    pub note: String,
}

impl Tx<'_> {
    /// Records a typed contact: what `shinko contacts add` and the contact forms call. An
    /// agency name that fits no registered agency is refused, never registered on the way.
    pub fn record_contact(&mut self, c: &NewContact, today: NaiveDate) -> Result<Id> {
        let agency_id = self.agency_for(&c.agency, false)?;
        let contact = Contact {
            id: 0,
            case_id: c.case_id,
            date: c.date,
            kind: c.kind,
            agency_id,
            seen: c.seen,
            note: c.note.clone(),
        };
        self.add_contact(&contact, today)
    }

    /// Records one contact after checking it against its case (`domain::contact::check`:
    /// not after `today`, not before 受理日, not after the case was closed) and its agency
    /// (a registered one). Returns the new id.
    pub fn add_contact(&mut self, c: &Contact, today: NaiveDate) -> Result<Id> {
        let case = self.case(c.case_id)?;
        contact::check(c, &case, today).map_err(|(f, m)| StoreError::invalid(f, m))?;
        let known: bool =
            self.tx.row_cached("SELECT EXISTS(SELECT 1 FROM agencies WHERE id = ?1)", [c.agency_id], |r| r.get(0))?;
        if !known {
            return Err(StoreError::NotFound { entity: "機関", id: c.agency_id });
        }
        self.tx.exec_cached(
            "INSERT INTO contacts(case_id, date, kind, agency_id, seen, note, created_at) VALUES (?1,?2,?3,?4,?5,?6,?7)",
            params![c.case_id, c.date, c.kind.code(), c.agency_id, c.seen, c.note.trim(), self.at],
        )?;
        let id = self.tx.last_insert_rowid();
        let stored = Contact { note: c.note.trim().to_string(), ..c.clone() };
        self.audit_diff("contact", id, &[], &fields(&stored))?;
        Ok(id)
    }
}

impl Store {
    /// A case's contacts, newest first.
    pub fn contacts_of_case(&self, case_id: Id) -> Result<Vec<Contact>> {
        let mut st = self
            .conn
            .prepare_cached(&format!("SELECT {COLS} FROM contacts WHERE case_id = ?1 ORDER BY date DESC, id DESC"))?;
        let rows = st.query_map([case_id], row_contact)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Every contact on or after `since` (all with None), by date.
    pub fn contacts_since(&self, since: Option<NaiveDate>) -> Result<Vec<Contact>> {
        let mut st = self
            .conn
            .prepare_cached(&format!("SELECT {COLS} FROM contacts WHERE ?1 IS NULL OR date >= ?1 ORDER BY date, id"))?;
        let rows = st.query_map([since], row_contact)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Each of `ids`' contacts after `since` (all with None) up to and including `until`,
    /// summarised (cases without any are left out).
    pub fn contact_summaries(
        &self,
        ids: &[Id],
        since: Option<NaiveDate>,
        until: NaiveDate,
    ) -> Result<BTreeMap<Id, contact::ContactSummary>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {COLS} FROM contacts WHERE case_id IN (SELECT value FROM json_each(?1))
               AND (?2 IS NULL OR date > ?2) AND date <= ?3 ORDER BY case_id, date, id"
        ))?;
        let rows = st.query_map(params![super::id_list(ids), since, until], row_contact)?;
        let by_case = super::by_case(rows.map(|r| r.map(|c| (c.case_id, c))).collect::<rusqlite::Result<Vec<_>>>()?);
        Ok(by_case.into_iter().map(|(id, cs)| (id, contact::ContactSummary::of(&cs))).collect())
    }

    /// The newest contact with 目視確認 of every case that has one: (date, kind).
    pub fn last_seen_contacts(&self) -> Result<BTreeMap<Id, (NaiveDate, ContactKind)>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT case_id, date, kind FROM contacts WHERE seen = 1 ORDER BY case_id, date, id")?;
        let rows = st.query_map([], |r| {
            Ok((r.get::<_, Id>(0)?, date_col(r.get(1)?)?.unwrap_or_default(), kind_col(r.get(2)?)?))
        })?;
        let mut out = BTreeMap::new();
        for row in rows {
            let (case, on, kind) = row?;
            out.insert(case, (on, kind));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Agency, AgencyKind, Case, CaseStatus};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// A store with one case (受理 2026-04-01) and one agency; their ids.
    fn setup() -> (Store, Id, Id) {
        let mut s = Store::open_in_memory().unwrap();
        let (case, agency) = s
            .write(|t| {
                let mut c = Case::blank(d(2026, 4, 1));
                c.number = "R8-001".into();
                c.name = "山田 太郎".into();
                c.birth_date = Some(d(2022, 5, 5));
                let case = t.save_case(&c)?;
                let agency = t.save_agency(&Agency {
                    id: 0,
                    code: "HC".into(),
                    name: "保健センター".into(),
                    kind: AgencyKind::HealthCentre,
                    contact: String::new(),
                })?;
                Ok((case, agency))
            })
            .unwrap();
        (s, case, agency)
    }

    fn visit(case_id: Id, agency_id: Id, on: NaiveDate, seen: bool) -> Contact {
        Contact {
            id: 0,
            case_id,
            date: on,
            kind: ContactKind::HomeVisit,
            agency_id,
            seen,
            note: " 母子と面談。室内は片付いていた ".into(),
        }
    }

    #[test]
    fn a_contact_round_trips_with_its_audit_entries() {
        let (mut s, case, agency) = setup();
        let id = s.write(|t| t.add_contact(&visit(case, agency, d(2026, 9, 1), true), d(2026, 12, 1))).unwrap();
        let got = s.contacts_of_case(case).unwrap();
        assert_eq!(
            got,
            vec![Contact {
                id,
                note: "母子と面談。室内は片付いていた".into(),
                ..visit(case, agency, d(2026, 9, 1), true)
            }]
        );
        let audit = s.audit_entries(Some("contact"), Some(id), 100).unwrap();
        assert!(!audit.is_empty(), "the contact is in the audit chain");
        assert_eq!(s.audit_verify().unwrap().unwrap(), s.audit_entries(None, None, 10000).unwrap().len() as u64);
    }

    #[test]
    fn the_newest_seen_contact_is_the_last_sighting() {
        let (mut s, case, agency) = setup();
        s.write(|t| {
            t.add_contact(&visit(case, agency, d(2026, 9, 1), true), d(2026, 12, 1))?;
            t.add_contact(&visit(case, agency, d(2026, 10, 1), false), d(2026, 12, 1))?;
            t.add_contact(
                &Contact { kind: ContactKind::Interview, ..visit(case, agency, d(2026, 8, 1), true) },
                d(2026, 12, 1),
            )
        })
        .unwrap();
        assert_eq!(s.last_seen_contacts().unwrap().get(&case), Some(&(d(2026, 9, 1), ContactKind::HomeVisit)));
        assert_eq!(s.contacts_of_case(case).unwrap()[0].date, d(2026, 10, 1), "newest first");
        assert_eq!(s.contacts_since(Some(d(2026, 9, 1))).unwrap().len(), 2);
    }

    #[test]
    fn a_future_contact_is_refused_in_the_store() {
        let (mut s, case, agency) = setup();
        let e = s.write(|t| t.add_contact(&visit(case, agency, d(2026, 12, 2), true), d(2026, 12, 1))).unwrap_err();
        assert!(e.to_string().starts_with("日付: 2026-12-02 は今日"), "{e}");
        assert!(!e.to_string().contains("山田"), "no name in the error: {e}");
        assert!(s.contacts_of_case(case).unwrap().is_empty());
    }

    #[test]
    fn an_unregistered_agency_is_refused() {
        let (mut s, case, _) = setup();
        let e = s.write(|t| t.add_contact(&visit(case, 999, d(2026, 9, 1), true), d(2026, 12, 1))).unwrap_err();
        assert!(matches!(e, StoreError::NotFound { entity: "機関", id: 999 }), "{e}");
        let typed = NewContact {
            case_id: case,
            date: d(2026, 9, 1),
            kind: ContactKind::Phone,
            agency: "西警察署".into(),
            seen: false,
            note: String::new(),
        };
        let e = s.write(|t| t.record_contact(&typed, d(2026, 12, 1))).unwrap_err();
        assert!(matches!(e, StoreError::UnknownAgency { .. }), "{e}");
        assert_eq!(s.agencies().unwrap().len(), 1, "no agency registered on the way");
        let short = NewContact { agency: "保健".into(), ..typed };
        let id = s.write(|t| t.record_contact(&short, d(2026, 12, 1))).unwrap();
        assert_eq!(s.contacts_of_case(case).unwrap()[0].id, id, "a short form that fits one agency");
    }

    #[test]
    fn a_contact_after_closing_is_refused() {
        let (mut s, case, agency) = setup();
        s.write(|t| t.close_case(case, CaseStatus::Closed, d(2026, 10, 1), "状況改善", None)).unwrap();
        let e = s.write(|t| t.add_contact(&visit(case, agency, d(2026, 11, 1), true), d(2026, 12, 1))).unwrap_err();
        assert!(e.to_string().contains("終結しています"), "{e}");
        s.write(|t| t.add_contact(&visit(case, agency, d(2026, 9, 30), true), d(2026, 12, 1))).unwrap();
    }
}
