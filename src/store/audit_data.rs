//! What `audit verify` checks besides the chain: that the log explains the data, and that the
//! schema (tables, indexes and the protective triggers) is what the migrations made.
//!
//! Every audited record is written through one `save_*` whose audit entries hold each changed
//! field's new value (a new record: one `created` entry with its filled fields). Replaying the
//! log therefore rebuilds each record's current fields; a row that differs was changed past
//! shinko (e.g. `UPDATE cases SET name = …` with an SQLite tool), and an entry appended with a
//! correct hash but no matching change in the data differs the same way. Rows are named by case
//! number (or a record's id), fields by column name, never by their values.
//!
//! So a field added to one of the `fields` functions later must not hold values the log never
//! saw: rows written before would be flagged (a migration cannot write audit entries).

use std::collections::{BTreeMap, HashMap};

use rusqlite::{Connection, Row};

use super::{Result, Store, migrations};
use crate::domain::Id;

/// A row whose data the log does not explain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unexplained {
    /// The table's name in Japanese (ケース, 役割分担, …).
    pub table: &'static str,
    /// Case number for a case and what belongs to one, else the record's id (never a name).
    pub row: String,
    /// What is wrong, with the differing columns and the log entry that last set them.
    pub reason: String,
}

/// A difference between the schema and what the migrations create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaChange {
    /// テーブル, インデックス, トリガー, ビュー.
    pub kind: String,
    pub name: String,
    pub what: &'static str,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DataReport {
    pub rows_checked: usize,
    pub unexplained: Vec<Unexplained>,
    pub schema: Vec<SchemaChange>,
}

impl DataReport {
    pub fn is_clean(&self) -> bool {
        self.unexplained.is_empty() && self.schema.is_empty()
    }
}

/// One row as the log should explain it: its id, the case it belongs to, its audited fields.
struct Current {
    id: Id,
    case_id: Option<Id>,
    label: Option<String>,
    fields: Vec<(&'static str, String)>,
}

/// An audited table: the log's entity name, its Japanese name, whether every removal of a row
/// is logged one by one (an agenda cleared at once is logged as a count), and its rows.
struct Table {
    entity: &'static str,
    label: &'static str,
    removals_logged: bool,
    rows: fn(&Connection) -> rusqlite::Result<Vec<Current>>,
}

fn all<T>(
    conn: &Connection,
    sql: &str,
    row: fn(&Row<'_>) -> rusqlite::Result<T>,
    to: impl Fn(T) -> Current,
) -> rusqlite::Result<Vec<Current>> {
    let mut st = conn.prepare(sql)?;
    let rows = st.query_map([], row)?.collect::<rusqlite::Result<Vec<T>>>()?;
    Ok(rows.into_iter().map(to).collect())
}

const TABLES: &[Table] = &[
    Table {
        entity: "case",
        label: "ケース",
        removals_logged: true,
        rows: |c| {
            all(c, &format!("SELECT {} FROM cases", super::cases::COLUMNS), super::cases::row_case, |x| Current {
                id: x.id,
                case_id: Some(x.id),
                label: None,
                fields: super::cases::case_fields(&x),
            })
        },
    },
    Table {
        entity: "agency",
        label: "機関",
        removals_logged: true,
        rows: |c| {
            all(c, "SELECT id, code, name, kind, contact FROM agencies", super::agencies::row_agency, |x| Current {
                id: x.id,
                case_id: None,
                label: Some(format!("コード {}", x.code)),
                fields: super::agencies::fields(&x),
            })
        },
    },
    Table {
        entity: "household",
        label: "世帯",
        removals_logged: true,
        rows: |c| {
            all(
                c,
                "SELECT id, name, town, note FROM households",
                |r| Ok(crate::domain::Household { id: r.get(0)?, name: r.get(1)?, town: r.get(2)?, note: r.get(3)? }),
                |x| Current { id: x.id, case_id: None, label: None, fields: super::households::fields(&x) },
            )
        },
    },
    Table {
        entity: "action",
        label: "役割分担",
        removals_logged: true,
        rows: |c| {
            all(c, &format!("SELECT {} FROM actions", super::actions::COLS), super::actions::row_action, |x| Current {
                id: x.id,
                case_id: Some(x.case_id),
                label: None,
                fields: super::actions::fields(&x),
            })
        },
    },
    Table {
        entity: "meeting",
        label: "会議",
        removals_logged: true,
        rows: |c| {
            all(
                c,
                &format!("SELECT {} FROM meetings", super::meetings::MEETING_COLS),
                super::meetings::row_meeting,
                |x| Current { id: x.id, case_id: None, label: None, fields: super::meetings::meeting_fields(&x) },
            )
        },
    },
    Table {
        entity: "agenda_item",
        label: "議事次第の項目",
        removals_logged: false,
        rows: |c| {
            all(
                c,
                &format!("SELECT {} FROM agenda_items", super::meetings::ITEM_COLS),
                super::meetings::row_item,
                |x| Current {
                    id: x.id,
                    case_id: Some(x.case_id),
                    label: None,
                    fields: super::meetings::item_fields(&x),
                },
            )
        },
    },
    Table {
        entity: "decision",
        label: "決定",
        removals_logged: true,
        rows: |c| {
            all(
                c,
                &format!("SELECT {} FROM decisions", super::meetings::DECISION_COLS),
                super::meetings::row_decision,
                |x| Current {
                    id: x.id,
                    case_id: Some(x.case_id),
                    label: None,
                    fields: super::meetings::decision_fields(&x),
                },
            )
        },
    },
    Table {
        entity: "item_reply",
        label: "事前確認の回答",
        removals_logged: true,
        rows: |c| {
            all(
                c,
                &format!("SELECT {} FROM item_replies", super::replies::COLS),
                super::replies::row_reply,
                |(id, x)| Current { id, case_id: Some(x.case_id), label: None, fields: super::replies::fields(&x) },
            )
        },
    },
];

/// A record as the log leaves it: each field's value and the entry that set it last.
#[derive(Default)]
struct Replayed {
    fields: BTreeMap<String, (String, i64)>,
    created: bool,
    deleted: bool,
}

/// Replays the log of the audited entities into each record's fields.
fn replay(conn: &Connection) -> Result<HashMap<(String, Id), Replayed>> {
    let mut out: HashMap<(String, Id), Replayed> = HashMap::new();
    let mut st = conn.prepare(
        "SELECT seq, entity, entity_id, field, after FROM audit_log
         WHERE entity IN ('case', 'agency', 'household', 'action', 'meeting', 'agenda_item', 'decision', 'item_reply')
           AND entity_id IS NOT NULL ORDER BY seq",
    )?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let (seq, entity, id, field, after): (i64, String, Id, String, Option<String>) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
        let rec = out.entry((entity, id)).or_default();
        match field.as_str() {
            "created" => {
                let filled: serde_json::Map<String, serde_json::Value> =
                    after.as_deref().and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default();
                *rec = Replayed {
                    fields: filled
                        .into_iter()
                        .map(|(k, v)| (k, (v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()), seq)))
                        .collect(),
                    created: true,
                    deleted: false,
                };
            }
            "deleted" => rec.deleted = true,
            _ => {
                rec.fields.insert(field, (after.unwrap_or_default(), seq));
            }
        }
    }
    Ok(out)
}

/// The schema the migrations create, as `(kind, name) → sql`.
fn schema_of(conn: &Connection) -> Result<BTreeMap<(String, String), Option<String>>> {
    let mut st = conn.prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")?;
    let rows = st.query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn kind_label(kind: &str) -> String {
    match kind {
        "table" => "テーブル".into(),
        "index" => "インデックス".into(),
        "trigger" => "トリガー".into(),
        "view" => "ビュー".into(),
        k => k.to_string(),
    }
}

/// Compares the schema with a fresh one built by the same migrations.
fn schema_changes(conn: &Connection) -> Result<Vec<SchemaChange>> {
    let mut fresh = Connection::open_in_memory()?;
    migrations::migrate(&mut fresh)?;
    let (want, have) = (schema_of(&fresh)?, schema_of(conn)?);
    let mut out = Vec::new();
    for ((kind, name), sql) in &want {
        match have.get(&(kind.clone(), name.clone())) {
            None => out.push(SchemaChange {
                kind: kind_label(kind),
                name: name.clone(),
                what: "がありません（削除の疑い）",
            }),
            Some(s) if s != sql => {
                out.push(SchemaChange {
                    kind: kind_label(kind), name: name.clone(), what: "の定義が変更されています"
                })
            }
            Some(_) => {}
        }
    }
    for (kind, name) in have.keys().filter(|k| !want.contains_key(*k)) {
        out.push(SchemaChange {
            kind: kind_label(kind),
            name: name.clone(),
            what: "は shinko が作ったものではありません（追加の疑い）",
        });
    }
    Ok(out)
}

impl Store {
    /// Whether the log explains the data (every audited row's fields rebuilt from it) and the
    /// schema is the migrations' own. Run after the chain verified: it trusts the entries.
    pub fn audit_explains_data(&self) -> Result<DataReport> {
        let conn = &self.conn;
        let mut log = replay(conn)?;
        let numbers: HashMap<Id, String> = {
            let mut st = conn.prepare("SELECT id, number FROM cases")?;
            st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?
        };
        let name_of = |t: &Table, id: Id, case_id: Option<Id>, label: Option<String>| match (label, case_id) {
            (Some(l), _) => l,
            (None, Some(c)) if t.entity == "case" => numbers.get(&c).cloned().unwrap_or_else(|| format!("（ID {c}）")),
            (None, Some(c)) => {
                format!("ID {id}（ケース {}）", numbers.get(&c).cloned().unwrap_or_else(|| format!("（ID {c}）")))
            }
            (None, None) => format!("ID {id}"),
        };
        let mut report = DataReport { schema: schema_changes(conn)?, ..Default::default() };
        for t in TABLES {
            for row in (t.rows)(conn)? {
                report.rows_checked += 1;
                let why = match log.remove(&(t.entity.to_string(), row.id)) {
                    None => Some("監査ログに記録がありません（ログを通さずに追加された疑い）".to_string()),
                    Some(r) if !r.created => Some("監査ログに作成の記録がありません".to_string()),
                    Some(r) if r.deleted => Some("監査ログでは削除されています".to_string()),
                    Some(r) => {
                        let off: Vec<String> = row
                            .fields
                            .iter()
                            .filter(|(f, v)| r.fields.get(*f).map(|(x, _)| x.as_str()).unwrap_or("") != v)
                            .map(|(f, _)| match r.fields.get(*f) {
                                Some((_, seq)) => format!("{f}（最後の記録 {seq} 番）"),
                                None => format!("{f}（記録なし）"),
                            })
                            .collect();
                        (!off.is_empty()).then(|| format!("監査ログと一致しない項目: {}", off.join("、")))
                    }
                };
                if let Some(reason) = why {
                    report.unexplained.push(Unexplained {
                        table: t.label,
                        row: name_of(t, row.id, row.case_id, row.label),
                        reason,
                    });
                }
            }
        }
        // What the log still holds, alive, is gone from the data without a log entry.
        let mut gone: Vec<_> = log
            .into_iter()
            .filter(|(_, r)| r.created && !r.deleted)
            .filter_map(|((entity, id), _)| {
                TABLES.iter().find(|t| t.entity == entity && t.removals_logged).map(|t| (t, id))
            })
            .collect();
        gone.sort_by_key(|(t, id)| (t.entity, *id));
        for (t, id) in gone {
            report.unexplained.push(Unexplained {
                table: t.label,
                row: name_of(t, id, (t.entity == "case").then_some(id), None),
                reason: "監査ログにはありますが、データにありません（ログを通さずに削除された疑い）".into(),
            });
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The demo municipality, its next meeting running.
    fn demo() -> Store {
        crate::store::meeting_live::tests::running_demo().0
    }

    #[test]
    fn the_demo_ledger_is_explained_by_its_log() {
        let s = demo();
        let r = s.audit_explains_data().unwrap();
        assert!(r.is_clean(), "{:?} {:?}", &r.unexplained[..r.unexplained.len().min(5)], r.schema);
        assert!(r.rows_checked > 100, "{}", r.rows_checked);
    }

    #[test]
    fn edits_past_the_log_are_named_by_case_number() {
        let s = demo();
        let number: String = s.conn().query_row("SELECT number FROM cases WHERE id = 3", [], |r| r.get(0)).unwrap();
        s.conn()
            .execute_batch(
                "UPDATE cases SET name = '別人', rank = 'A' WHERE id = 3;
                 DELETE FROM actions WHERE id = (SELECT min(id) FROM actions);",
            )
            .unwrap();
        let r = s.audit_explains_data().unwrap();
        let named: Vec<_> = r.unexplained.iter().map(|u| format!("{} {} {}", u.table, u.row, u.reason)).collect();
        assert!(
            named.iter().any(|n| n.contains(&format!("ケース {number}")) && n.contains("name") && n.contains("rank")),
            "{named:?}"
        );
        assert!(named.iter().any(|n| n.contains("データにありません")), "{named:?}");
        assert!(!named.iter().any(|n| n.contains("別人")), "{named:?}");
    }

    #[test]
    fn dropped_or_altered_triggers_are_reported() {
        let s = demo();
        s.conn()
            .execute_batch(
                "DROP TRIGGER audit_log_no_update;
                 DROP TRIGGER audit_log_no_delete;
                 CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log WHEN 0 BEGIN SELECT 1; END;
                 CREATE INDEX extra ON cases(name);",
            )
            .unwrap();
        let r = s.audit_explains_data().unwrap();
        let got: Vec<_> = r.schema.iter().map(|c| format!("{}{}{}", c.kind, c.name, c.what)).collect();
        assert!(got.contains(&"トリガーaudit_log_no_updateがありません（削除の疑い）".to_string()), "{got:?}");
        assert!(got.contains(&"トリガーaudit_log_no_deleteの定義が変更されています".to_string()), "{got:?}");
        assert!(got.iter().any(|g| g.starts_with("インデックスextra")), "{got:?}");
        assert_eq!(got.len(), 3, "{got:?}");
    }
}
