-- 003: meeting preparation. Institutions' requests to discuss a case, planned moves, and the
-- secretariat's own edits of an agenda that re-planning must keep.

CREATE TABLE discussion_requests (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    agency_id    INTEGER REFERENCES agencies(id),
    -- NULL = the next meeting to be prepared
    meeting_id   INTEGER REFERENCES meetings(id),
    reason       TEXT NOT NULL,
    requested_on TEXT NOT NULL
);
CREATE INDEX discussion_requests_by_case ON discussion_requests(case_id);

-- 転居・転出予定: one planned move per case.
CREATE TABLE planned_moves (
    case_id INTEGER PRIMARY KEY REFERENCES cases(id),
    move_on TEXT NOT NULL,
    note    TEXT NOT NULL DEFAULT ''
);

-- What the secretariat did by hand to one case on one agenda: 'added' (put on the agenda),
-- 'track' (moved between tracks), 'draft' (edited the 事務局案).
CREATE TABLE agenda_marks (
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    case_id    INTEGER NOT NULL REFERENCES cases(id),
    mark       TEXT NOT NULL,
    PRIMARY KEY (meeting_id, case_id, mark)
);

-- Triage reads one field's changes since the last meeting (児相の関与).
CREATE INDEX audit_by_field ON audit_log(entity, field, at);
