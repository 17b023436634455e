//! Numbered, append-only migrations tracked in `PRAGMA user_version`.
//!
//! Hand-written (about 30 lines) rather than a crate, so the rusqlite version is not pinned by
//! a migration library; each step runs in its own transaction.

use rusqlite::Connection;

use super::StoreError;

/// Every migration in order; index + 1 is the schema version it produces.
pub const MIGRATIONS: &[&str] = &[
    include_str!("sql/001_init.sql"),
    include_str!("sql/002_audit_head.sql"),
    include_str!("sql/003_prep.sql"),
    include_str!("sql/004_meeting_conduct.sql"),
    include_str!("sql/005_decisions_by_item.sql"),
    include_str!("sql/006_versions.sql"),
    include_str!("sql/007_case_notes.sql"),
    include_str!("sql/008_case_people.sql"),
    include_str!("sql/009_close_category.sql"),
    include_str!("sql/010_monthly_reports.sql"),
    include_str!("sql/011_contacts_births.sql"),
    include_str!("sql/012_item_replies.sql"),
    include_str!("sql/013_action_done_on.sql"),
    include_str!("sql/014_decision_close_category.sql"),
    include_str!("sql/015_case_monthly_report.sql"),
    include_str!("sql/016_meeting_indexes.sql"),
];

pub fn current_version(conn: &Connection) -> Result<usize, StoreError> {
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    Ok(v as usize)
}

/// Brings the schema to the latest version. Refuses a database from a newer shinko.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let from = current_version(conn)?;
    if from > MIGRATIONS.len() {
        return Err(StoreError::TooNew { found: from, supported: MIGRATIONS.len() });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(from) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}
