//! 世帯.

use rusqlite::{OptionalExtension, params};

use super::{Cached, Result, Store, StoreError, Tx};
use crate::domain::{Household, Id};

pub(crate) fn fields(h: &Household) -> Vec<(&'static str, String)> {
    vec![("name", h.name.clone()), ("town", h.town.clone()), ("note", h.note.clone())]
}

impl Tx<'_> {
    pub fn save_household(&mut self, h: &Household) -> Result<Id> {
        use crate::domain::text::{Kind, check};
        for (field, v, kind) in
            [("世帯名", &h.name, Kind::Line), ("町名", &h.town, Kind::Line), ("備考", &h.note, Kind::Text)]
        {
            check(v, kind).map_err(|m| StoreError::invalid(field, m))?;
        }
        let before: Option<Household> = if h.id == 0 {
            None
        } else {
            self.tx
                .row_cached("SELECT id, name, town, note FROM households WHERE id = ?1", [h.id], |r| {
                    Ok(Household { id: r.get(0)?, name: r.get(1)?, town: r.get(2)?, note: r.get(3)? })
                })
                .optional()?
        };
        let id = if h.id == 0 {
            self.tx.exec_cached(
                "INSERT INTO households(name, town, note) VALUES (?1, ?2, ?3)",
                params![h.name, h.town, h.note],
            )?;
            self.tx.last_insert_rowid()
        } else {
            self.tx.exec_cached(
                "UPDATE households SET name = ?1, town = ?2, note = ?3 WHERE id = ?4",
                params![h.name, h.town, h.note, h.id],
            )?;
            h.id
        };
        let old = before.as_ref().map(fields).unwrap_or_default();
        self.audit_diff("household", id, &old, &fields(h))?;
        Ok(id)
    }
}

impl Tx<'_> {
    /// The household of case `case_id`, created from its surname (「山田家」) and saved on the
    /// case if it has none yet: for a sibling or newborn joining it.
    pub fn household_of(&mut self, case_id: Id) -> Result<Id> {
        let mut c = self.case(case_id)?;
        if let Some(h) = c.household_id {
            return Ok(h);
        }
        let fam = c.name.split([' ', '\u{3000}']).next().unwrap_or("").to_string();
        let h = self.save_household(&Household {
            id: 0,
            name: format!("{fam}家"),
            town: c.town.clone(),
            note: String::new(),
        })?;
        c.household_id = Some(h);
        self.save_case(&c)?;
        Ok(h)
    }
}

impl Store {
    pub fn household(&self, id: Id) -> Result<Household> {
        self.conn
            .row_cached("SELECT id, name, town, note FROM households WHERE id = ?1", [id], |r| {
                Ok(Household { id: r.get(0)?, name: r.get(1)?, town: r.get(2)?, note: r.get(3)? })
            })
            .optional()?
            .ok_or(StoreError::NotFound { entity: "世帯", id })
    }
}
