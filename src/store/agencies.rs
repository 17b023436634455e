//! 関係機関.

use rusqlite::{OptionalExtension, Row, params};

use super::{Cached, Result, Store, StoreError, Tx};
use crate::domain::agency::AgencyMatch;
use crate::domain::{Agency, AgencyKind, Id};

pub(crate) fn row_agency(r: &Row<'_>) -> rusqlite::Result<Agency> {
    let kind: String = r.get(3)?;
    Ok(Agency {
        id: r.get(0)?,
        code: r.get(1)?,
        name: r.get(2)?,
        kind: AgencyKind::from_code(&kind).unwrap_or(AgencyKind::Other),
        contact: r.get(4)?,
    })
}

pub(crate) fn fields(a: &Agency) -> Vec<(&'static str, String)> {
    vec![
        ("code", a.code.clone()),
        ("name", a.name.clone()),
        ("kind", a.kind.code().into()),
        ("contact", a.contact.clone()),
    ]
}

impl Tx<'_> {
    pub fn save_agency(&mut self, a: &Agency) -> Result<Id> {
        if a.name.trim().is_empty() || a.code.trim().is_empty() {
            return Err(StoreError::invalid("機関", "機関名とコードは必須です"));
        }
        use crate::domain::text::{Kind, check};
        for (field, v) in [("機関名", &a.name), ("機関コード", &a.code), ("連絡先", &a.contact)] {
            check(v, Kind::Line).map_err(|m| StoreError::invalid(field, m))?;
        }
        let before: Option<Agency> = if a.id == 0 {
            None
        } else {
            self.tx
                .row_cached("SELECT id, code, name, kind, contact FROM agencies WHERE id = ?1", [a.id], row_agency)
                .optional()?
        };
        let id = if a.id == 0 {
            self.tx.exec_cached(
                "INSERT INTO agencies(code, name, kind, contact) VALUES (?1, ?2, ?3, ?4)",
                params![a.code, a.name, a.kind.code(), a.contact],
            )?;
            self.tx.last_insert_rowid()
        } else {
            self.tx.exec_cached(
                "UPDATE agencies SET code = ?1, name = ?2, kind = ?3, contact = ?4 WHERE id = ?5",
                params![a.code, a.name, a.kind.code(), a.contact, a.id],
            )?;
            a.id
        };
        let old = before.as_ref().map(fields).unwrap_or_default();
        self.audit_diff("agency", id, &old, &fields(a))?;
        Ok(id)
    }

    /// Finds an agency by exact name, creating it (kind guessed from the name) if unknown.
    /// The registered agency a typed name means (`domain::agency::match_agency`: code, whole
    /// name, the one it starts, the one containing it). None fits: with `create` a new agency
    /// of that name is registered, else [`StoreError::UnknownAgency`]. A free-typed name never
    /// silently becomes a new agency.
    pub fn agency_for(&mut self, name: &str, create: bool) -> Result<Id> {
        // What was typed is checked as a name first: hostile text is named for what it is.
        crate::domain::text::check(name, crate::domain::text::Kind::Line)
            .map_err(|m| StoreError::invalid("機関名", m))?;
        let all = {
            let mut st =
                self.tx.prepare_cached("SELECT id, code, name, kind, contact FROM agencies ORDER BY kind, code")?;
            st.query_map([], row_agency)?.collect::<rusqlite::Result<Vec<_>>>()?
        };
        match crate::domain::agency::match_agency(name, &all) {
            AgencyMatch::One(id) => Ok(id),
            AgencyMatch::Several(candidates) => {
                Err(StoreError::AmbiguousAgency { name: name.trim().to_string(), candidates })
            }
            AgencyMatch::None if create => self.agency_by_name_or_create(name),
            AgencyMatch::None => Err(StoreError::UnknownAgency { name: name.trim().to_string() }),
        }
    }

    pub fn agency_by_name_or_create(&mut self, name: &str) -> Result<Id> {
        let name = name.trim();
        if let Some(id) =
            self.tx.row_cached("SELECT id FROM agencies WHERE name = ?1", [name], |r| r.get(0)).optional()?
        {
            return Ok(id);
        }
        let n: i64 = self.tx.row_cached("SELECT count(*) FROM agencies", [], |r| r.get(0))?;
        let a = Agency {
            id: 0,
            code: format!("AG{:03}", n + 1),
            name: name.into(),
            kind: AgencyKind::guess_from_name(name),
            contact: String::new(),
        };
        self.save_agency(&a)
    }
}

impl Store {
    pub fn agencies(&self) -> Result<Vec<Agency>> {
        let mut st =
            self.conn.prepare_cached("SELECT id, code, name, kind, contact FROM agencies ORDER BY kind, code")?;
        let rows = st.query_map([], row_agency)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn agency(&self, id: Id) -> Result<Agency> {
        self.conn
            .row_cached("SELECT id, code, name, kind, contact FROM agencies WHERE id = ?1", [id], row_agency)
            .optional()?
            .ok_or(StoreError::NotFound { entity: "機関", id })
    }

    pub fn agency_by_name(&self, name: &str) -> Result<Option<Agency>> {
        Ok(self
            .conn
            .query_row("SELECT id, code, name, kind, contact FROM agencies WHERE name = ?1", [name.trim()], row_agency)
            .optional()?)
    }

    pub fn agency_by_code(&self, code: &str) -> Result<Option<Agency>> {
        Ok(self
            .conn
            .query_row("SELECT id, code, name, kind, contact FROM agencies WHERE code = ?1", [code.trim()], row_agency)
            .optional()?)
    }
}
