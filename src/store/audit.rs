//! The audit log: who changed what and when, chained by SHA-256 so that editing or deleting
//! any entry breaks every hash after it.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Cached, Result, Store, Tx};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of the empty chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Hash of one entry over its content and the previous hash. Fields are length-prefixed so
/// that moving text between fields changes the hash.
pub fn entry_hash(e: &AuditEntry) -> String {
    let mut h = Sha256::new();
    let mut put = |s: &str| {
        h.update((s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    };
    put(&e.prev_hash);
    put(&e.seq.to_string());
    put(&e.at);
    put(&e.actor);
    put(&e.entity);
    put(&e.entity_id.map(|i| i.to_string()).unwrap_or_default());
    put(&e.field);
    put(e.before.as_deref().unwrap_or("\u{0}"));
    put(e.after.as_deref().unwrap_or("\u{0}"));
    hex::encode(h.finalize())
}

impl Tx<'_> {
    /// Appends one audit entry (one field of one entity) to the chain.
    pub fn audit(
        &mut self,
        entity: &str,
        entity_id: Option<i64>,
        field: &str,
        before: Option<&str>,
        after: Option<&str>,
    ) -> Result<()> {
        let (seq, prev_hash) = match self.audit_last.take() {
            Some((s, h)) => (s + 1, h),
            None => {
                use rusqlite::OptionalExtension;
                let last: Option<(i64, String)> = self
                    .tx
                    .prepare_cached("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")?
                    .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                match last {
                    Some((s, h)) => (s + 1, h),
                    None => (1, GENESIS.to_string()),
                }
            }
        };
        let mut e = AuditEntry {
            seq,
            at: self.at.clone(),
            actor: self.actor.to_string(),
            entity: entity.to_string(),
            entity_id,
            field: field.to_string(),
            before: before.map(str::to_string),
            after: after.map(str::to_string),
            prev_hash,
            hash: String::new(),
        };
        e.hash = entry_hash(&e);
        self.tx
            .prepare_cached(
                "INSERT INTO audit_log(seq, at, actor, entity, entity_id, field, before, after, prev_hash, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(rusqlite::params![
                e.seq,
                e.at,
                e.actor,
                e.entity,
                e.entity_id,
                e.field,
                e.before,
                e.after,
                e.prev_hash,
                e.hash
            ])?;
        // Kept only once written: a failed insert leaves nothing cached, and the next entry
        // reads the chain again.
        self.audit_last = Some((e.seq, e.hash));
        Ok(())
    }

    /// Audits every field whose value differs between `before` and `after`.
    pub fn audit_diff(
        &mut self,
        entity: &str,
        id: i64,
        before: &[(&'static str, String)],
        after: &[(&'static str, String)],
    ) -> Result<usize> {
        if before.is_empty() {
            // A new record: one entry holding every filled field, not one per field.
            let filled: serde_json::Map<String, serde_json::Value> = after
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(f, v)| (f.to_string(), serde_json::Value::String(v.clone())))
                .collect();
            let json = serde_json::Value::Object(filled).to_string();
            self.audit(entity, Some(id), "created", None, Some(&json))?;
            return Ok(1);
        }
        let mut n = 0;
        for (field, new) in after {
            let old = before.iter().find(|(f, _)| f == field).map(|(_, v)| v.as_str());
            if old != Some(new.as_str()) && !(old.is_none() && new.is_empty()) {
                self.audit(entity, Some(id), field, old, Some(new))?;
                n += 1;
            }
        }
        Ok(n)
    }
}

/// Where the chain first breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    pub seq: i64,
    pub reason: String,
}

/// The chain's head as the triggers of migration 002 keep it: how many entries, and the last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditHead {
    pub count: i64,
    pub last_seq: i64,
    pub last_hash: String,
}

impl Store {
    pub fn audit_head(&self) -> Result<AuditHead> {
        Ok(self.conn.row_cached("SELECT count, last_seq, last_hash FROM audit_head WHERE id = 1", [], |r| {
            Ok(AuditHead { count: r.get(0)?, last_seq: r.get(1)?, last_hash: r.get(2)? })
        })?)
    }

    /// History of one case: its own entries and those of its 関係機関, sheets, decisions and
    /// actions, newest first.
    pub fn audit_entries_of_case(&self, case_id: i64, limit: usize) -> Result<Vec<AuditEntry>> {
        let mut st = self.conn.prepare(
            "SELECT seq, at, actor, entity, entity_id, field, before, after, prev_hash, hash FROM audit_log
             WHERE (entity IN ('case', 'case_agency') AND entity_id = ?1)
                OR (entity = 'sheet' AND entity_id IN (SELECT id FROM sheets WHERE case_id = ?1))
                OR (entity = 'monthly_report' AND entity_id IN (SELECT id FROM monthly_reports WHERE case_id = ?1))
                OR (entity = 'decision' AND entity_id IN (SELECT id FROM decisions WHERE case_id = ?1))
                OR (entity = 'action' AND entity_id IN (SELECT id FROM actions WHERE case_id = ?1))
                OR (entity = 'agenda_item' AND entity_id IN (SELECT id FROM agenda_items WHERE case_id = ?1))
             ORDER BY seq DESC LIMIT ?2",
        )?;
        let rows = st.query_map(rusqlite::params![case_id, limit as i64], row_entry)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn audit_entry(&self, seq: i64) -> Result<Option<AuditEntry>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row(
                "SELECT seq, at, actor, entity, entity_id, field, before, after, prev_hash, hash FROM audit_log
                 WHERE seq = ?1",
                [seq],
                row_entry,
            )
            .optional()?)
    }

    pub fn audit_entries(&self, entity: Option<&str>, entity_id: Option<i64>, limit: usize) -> Result<Vec<AuditEntry>> {
        let mut st = self.conn.prepare(
            "SELECT seq, at, actor, entity, entity_id, field, before, after, prev_hash, hash FROM audit_log
             WHERE (?1 IS NULL OR entity = ?1) AND (?2 IS NULL OR entity_id = ?2)
             ORDER BY seq DESC LIMIT ?3",
        )?;
        let rows = st.query_map(rusqlite::params![entity, entity_id, limit as i64], row_entry)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Walks the whole chain; returns the number of entries or the first broken one.
    pub fn audit_verify(&self) -> Result<std::result::Result<u64, ChainBreak>> {
        let mut st = self.conn.prepare(
            "SELECT seq, at, actor, entity, entity_id, field, before, after, prev_hash, hash FROM audit_log ORDER BY seq",
        )?;
        let mut rows = st.query([])?;
        let mut prev = GENESIS.to_string();
        let mut expected_seq = 1;
        let mut n = 0u64;
        while let Some(r) = rows.next()? {
            let e = row_entry(r)?;
            if e.seq != expected_seq {
                return Ok(Err(ChainBreak {
                    seq: e.seq,
                    reason: format!("連番 {expected_seq} が欠落しています（削除の疑い）"),
                }));
            }
            if e.prev_hash != prev {
                return Ok(Err(ChainBreak {
                    seq: e.seq, reason: "直前の記録とのハッシュの連鎖が切れています".into()
                }));
            }
            if entry_hash(&e) != e.hash {
                return Ok(Err(ChainBreak {
                    seq: e.seq, reason: "記録の内容が書き換えられています".into()
                }));
            }
            prev = e.hash;
            expected_seq += 1;
            n += 1;
        }
        // The chain alone cannot see its last entries removed; the head kept by triggers can.
        let head = self.audit_head()?;
        if head.count != n as i64 || head.last_seq != expected_seq - 1 || head.last_hash != prev {
            return Ok(Err(ChainBreak {
                seq: expected_seq,
                reason: format!(
                    "記録は {n} 件ですが、末尾の記録（{} 件目まで）と一致しません（末尾の削除または改ざんの疑い）",
                    head.count
                ),
            }));
        }
        Ok(Ok(n))
    }
}

fn row_entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        seq: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        entity: r.get(3)?,
        entity_id: r.get(4)?,
        field: r.get(5)?,
        before: r.get(6)?,
        after: r.get(7)?,
        prev_hash: r.get(8)?,
        hash: r.get(9)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_verifies_and_detects_edits_and_deletions() {
        let mut s = Store::open_in_memory().unwrap();
        s.set_actor("保健師A");
        for i in 0..5 {
            s.write(|t| t.set_setting("k", &i.to_string())).unwrap();
        }
        assert_eq!(s.audit_verify().unwrap(), Ok(5));
        let e = &s.audit_entries(None, None, 1).unwrap()[0];
        assert_eq!(e.actor, "保健師A");

        // The append-only triggers stop casual edits; an insider drops them first.
        assert!(s.conn().execute("UPDATE audit_log SET after = 'x' WHERE seq = 3", []).is_err());
        assert!(s.conn().execute("DELETE FROM audit_log WHERE seq = 5", []).is_err());
        s.conn().execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;").unwrap();
        s.conn().execute("UPDATE audit_log SET after = 'x' WHERE seq = 3", []).unwrap();
        assert_eq!(s.audit_verify().unwrap().unwrap_err().seq, 3);
        s.conn().execute("UPDATE audit_log SET after = '2' WHERE seq = 3", []).unwrap();
        assert_eq!(s.audit_verify().unwrap(), Ok(5));
        s.conn().execute("DELETE FROM audit_log WHERE seq = 2", []).unwrap();
        assert_eq!(s.audit_verify().unwrap().unwrap_err().seq, 3);
    }

    /// Many entries in one transaction, then more in the next: each transaction reads the
    /// chain's last entry once and the chain links across both.
    #[test]
    fn many_entries_in_one_transaction_chain_as_one_by_one() {
        let mut s = Store::open_in_memory().unwrap();
        let before = s.audit_head().unwrap().count;
        crate::store::trace_statements(s.conn());
        for round in 0..2 {
            s.write(|t| {
                for i in 0..300 {
                    t.set_setting(&format!("k{i}"), &format!("{round}"))?;
                }
                Ok(())
            })
            .unwrap();
        }
        let ran = crate::store::traced_statements(s.conn());
        assert_eq!(ran.iter().filter(|q| q.contains("SELECT seq, hash FROM audit_log")).count(), 2);
        let head = s.audit_head().unwrap();
        assert_eq!(head.count - before, 600);
        assert_eq!(s.audit_verify().unwrap(), Ok(head.count as u64));
        let last = s.audit_entries(None, None, 2).unwrap();
        assert_eq!((last[0].seq, &last[0].prev_hash), (last[1].seq + 1, &last[1].hash));
    }

    #[test]
    fn deleting_the_last_entries_is_detected_by_the_head() {
        let mut s = Store::open_in_memory().unwrap();
        for i in 0..4 {
            s.write(|t| t.set_setting("k", &i.to_string())).unwrap();
        }
        let head = s.audit_head().unwrap();
        assert_eq!((head.count, head.last_seq), (4, 4));
        assert_eq!(head.last_hash, s.audit_entries(None, None, 1).unwrap()[0].hash);
        s.conn().execute_batch("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq >= 3;").unwrap();
        let b = s.audit_verify().unwrap().unwrap_err();
        assert_eq!(b.seq, 3);
        assert!(b.reason.contains("末尾"));
    }
}
