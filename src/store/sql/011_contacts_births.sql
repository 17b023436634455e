-- 011: 経過記録 (contact records): per case, a dated contact of one kind by one registered
-- agency, whether the child was seen (目視確認), and a short note. Entries are only added:
-- a record of what happened is corrected by a new entry, as on the paper form.
CREATE TABLE contacts (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases(id),
    date       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    agency_id  INTEGER NOT NULL REFERENCES agencies(id),
    seen       INTEGER NOT NULL DEFAULT 0 CHECK (seen IN (0, 1)),
    note       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX contacts_by_case ON contacts(case_id, date);
-- The ledger's 最終目視確認日 per row: the newest seen contact of a case.
CREATE INDEX contacts_seen_by_case ON contacts(case_id, seen, date);

-- 出生: a 特定妊婦 case's recorded birth, one row per newborn (twins: two rows of one birth),
-- linking the mother's case to the newborn's. A case records one birth.
CREATE TABLE births (
    id          INTEGER PRIMARY KEY,
    mother_case INTEGER NOT NULL REFERENCES cases(id),
    child_case  INTEGER NOT NULL UNIQUE REFERENCES cases(id),
    born_on     TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX births_by_mother ON births(mother_case);
