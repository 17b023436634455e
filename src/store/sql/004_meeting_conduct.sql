-- 004: running a meeting live.

-- Who is running a meeting: one process at a time. A lease whose process is gone (or whose
-- heartbeat is stale) is taken over by the next one that opens the meeting.
CREATE TABLE meeting_leases (
    meeting_id INTEGER PRIMARY KEY REFERENCES meetings(id),
    pid        INTEGER NOT NULL,
    host       TEXT NOT NULL DEFAULT '',
    heartbeat  TEXT NOT NULL
);

-- What is being typed in the meeting (a deep item's record, a note), saved on every change so
-- a crash loses nothing; removed once the item is recorded.
CREATE TABLE meeting_drafts (
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    key        TEXT NOT NULL,
    body       TEXT NOT NULL,
    saved_at   TEXT NOT NULL,
    PRIMARY KEY (meeting_id, key)
);
