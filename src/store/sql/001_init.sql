-- 001: the whole first schema. Migrations are append-only: never edit a released file.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE agencies (
    id      INTEGER PRIMARY KEY,
    code    TEXT NOT NULL UNIQUE,
    name    TEXT NOT NULL,
    kind    TEXT NOT NULL,
    contact TEXT NOT NULL DEFAULT ''
);

CREATE TABLE households (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    town TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT ''
);

CREATE TABLE meetings (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    title        TEXT NOT NULL,
    place        TEXT NOT NULL DEFAULT '',
    chair        TEXT NOT NULL DEFAULT '',
    recorder     TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL DEFAULT 'planned',
    current_item INTEGER,
    created_at   TEXT NOT NULL
);

CREATE TABLE cases (
    id                 INTEGER PRIMARY KEY,
    number             TEXT NOT NULL UNIQUE,
    name               TEXT NOT NULL,
    kana               TEXT NOT NULL DEFAULT '',
    sex                TEXT NOT NULL DEFAULT '',
    birth_date         TEXT,
    due_date           TEXT,
    household_id       INTEGER REFERENCES households(id),
    town               TEXT NOT NULL DEFAULT '',
    accepted_on        TEXT NOT NULL,
    presenting_concern TEXT NOT NULL DEFAULT '',
    registration       TEXT NOT NULL,
    abuse_types        TEXT NOT NULL DEFAULT '',
    rank               TEXT NOT NULL DEFAULT '',
    lead_agency        INTEGER REFERENCES agencies(id),
    key_worker         TEXT NOT NULL DEFAULT '',
    affiliation        INTEGER REFERENCES agencies(id),
    grade              TEXT NOT NULL DEFAULT '',
    cgc                TEXT NOT NULL DEFAULT 'none',
    support_policy     TEXT NOT NULL DEFAULT '',
    last_review        TEXT,
    next_review        TEXT,
    status             TEXT NOT NULL DEFAULT 'open',
    closed_on          TEXT,
    close_reason       TEXT,
    close_meeting      INTEGER REFERENCES meetings(id),
    previous_case      INTEGER REFERENCES cases(id),
    search_key         TEXT NOT NULL DEFAULT ''
);
-- Keyset paging: one index per sort order, with and without the usual status = 'open' filter.
CREATE INDEX cases_by_review ON cases(status, coalesce(next_review, '9999-12-31'), id);
CREATE INDEX cases_by_review_all ON cases(coalesce(next_review, '9999-12-31'), id);
CREATE INDEX cases_by_open_number ON cases(status, number, id);
CREATE INDEX cases_by_open_kana ON cases(status, kana, id);
CREATE INDEX cases_by_accepted ON cases(status, accepted_on, id);
CREATE INDEX cases_by_household ON cases(household_id);
CREATE INDEX cases_by_affiliation ON cases(affiliation);
CREATE INDEX cases_by_lead ON cases(lead_agency);
CREATE INDEX cases_by_kana ON cases(kana, id);

-- 関係機関 involved in a case besides its 所属 and 主担当 (e.g. 保健センター, 児相).
CREATE TABLE case_agencies (
    case_id   INTEGER NOT NULL REFERENCES cases(id),
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    role      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (case_id, agency_id)
);
CREATE INDEX case_agencies_by_agency ON case_agencies(agency_id);

CREATE TABLE sheets (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    agency_id    INTEGER NOT NULL REFERENCES agencies(id),
    period       TEXT NOT NULL,
    written_on   TEXT,
    checks       TEXT NOT NULL DEFAULT '[]',
    notes        TEXT NOT NULL DEFAULT '{}',
    safety_scale INTEGER CHECK (safety_scale BETWEEN 0 AND 10),
    writer       TEXT NOT NULL DEFAULT '',
    source       TEXT NOT NULL DEFAULT '',
    imported_at  TEXT NOT NULL,
    UNIQUE (case_id, agency_id, period)
);
CREATE INDEX sheets_by_case ON sheets(case_id, period);

-- Sheets asked for (templates sent): lets the merged view say which ones are missing.
CREATE TABLE sheet_requests (
    case_id   INTEGER NOT NULL REFERENCES cases(id),
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    period    TEXT NOT NULL,
    PRIMARY KEY (case_id, agency_id, period)
);

CREATE TABLE sessions (
    id         INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    label      TEXT NOT NULL,
    date       TEXT NOT NULL,
    start      TEXT NOT NULL,
    end        TEXT NOT NULL,
    section    TEXT,
    position   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_by_meeting ON sessions(meeting_id, position);

-- Institutions expected at a meeting.
CREATE TABLE meeting_agencies (
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    agency_id  INTEGER NOT NULL REFERENCES agencies(id),
    PRIMARY KEY (meeting_id, agency_id)
);

CREATE TABLE agenda_items (
    id           INTEGER PRIMARY KEY,
    meeting_id   INTEGER NOT NULL REFERENCES meetings(id),
    session_id   INTEGER REFERENCES sessions(id),
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    block        INTEGER NOT NULL DEFAULT 0,
    position     INTEGER NOT NULL DEFAULT 0,
    track        TEXT NOT NULL,
    reasons      TEXT NOT NULL DEFAULT '[]',
    draft        TEXT NOT NULL DEFAULT '{}',
    questions    TEXT NOT NULL DEFAULT '[]',
    locked       INTEGER NOT NULL DEFAULT 0,
    state        TEXT NOT NULL DEFAULT 'pending',
    elapsed_secs INTEGER NOT NULL DEFAULT 0,
    UNIQUE (meeting_id, case_id)
);
CREATE INDEX agenda_by_meeting ON agenda_items(meeting_id, position);

CREATE TABLE decisions (
    id              INTEGER PRIMARY KEY,
    meeting_id      INTEGER NOT NULL REFERENCES meetings(id),
    case_id         INTEGER NOT NULL REFERENCES cases(id),
    agenda_item_id  INTEGER REFERENCES agenda_items(id),
    as_proposed     INTEGER NOT NULL DEFAULT 0,
    status_summary  TEXT NOT NULL DEFAULT '',
    rank_before     TEXT NOT NULL DEFAULT '',
    rank_after      TEXT NOT NULL DEFAULT '',
    kind            TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    support_policy  TEXT NOT NULL DEFAULT '',
    next_review     TEXT,
    new_lead_agency INTEGER REFERENCES agencies(id),
    notes           TEXT NOT NULL DEFAULT '',
    decided_at      TEXT NOT NULL,
    UNIQUE (meeting_id, case_id)
);
CREATE INDEX decisions_by_case ON decisions(case_id);

CREATE TABLE actions (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    meeting_id  INTEGER REFERENCES meetings(id),
    agency_id   INTEGER REFERENCES agencies(id),
    owner       TEXT NOT NULL DEFAULT '',
    what        TEXT NOT NULL,
    due         TEXT,
    status      TEXT NOT NULL DEFAULT 'open',
    review_note TEXT NOT NULL DEFAULT '',
    reviewed_in INTEGER REFERENCES meetings(id)
);
CREATE INDEX actions_by_case ON actions(case_id);
CREATE INDEX actions_by_status ON actions(status, due);

CREATE TABLE attendance (
    meeting_id       INTEGER NOT NULL REFERENCES meetings(id),
    agency_id        INTEGER NOT NULL REFERENCES agencies(id),
    status           TEXT NOT NULL,
    person           TEXT NOT NULL DEFAULT '',
    info_received_on TEXT,
    PRIMARY KEY (meeting_id, agency_id)
);

-- Append-only, hash-chained record of every change (who, when, what, before, after).
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id INTEGER,
    field     TEXT NOT NULL,
    before    TEXT,
    after     TEXT,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
