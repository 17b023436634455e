-- 事前確認: institutions' replies to the 事務局案 of 一括確認 items, returned in their packets.
-- Keyed by meeting, case and institution (not by agenda item) so that rebuilding the agenda
-- keeps them; a later 記入日 replaces an earlier reply.
CREATE TABLE item_replies (
    id          INTEGER PRIMARY KEY,
    meeting_id  INTEGER NOT NULL REFERENCES meetings(id),
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    agency_id   INTEGER NOT NULL REFERENCES agencies(id),
    answer      TEXT NOT NULL CHECK (answer IN ('agree', 'discuss', 'amend')),
    comment     TEXT NOT NULL DEFAULT '',
    writer      TEXT NOT NULL DEFAULT '',
    written_on  TEXT,
    file_time   INTEGER,
    UNIQUE (meeting_id, case_id, agency_id)
);
