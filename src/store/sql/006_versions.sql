-- 006: integrity across processes.
-- Every write of a case bumps its version; a save based on an older read is refused.
ALTER TABLE cases ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
-- What a decision saw of its case when it was recorded (JSON: version, rank, 援助方針, next
-- review, lead), so closing the meeting applies only what the meeting changed and reports an
-- edit made meanwhile instead of overwriting it. NULL for decisions recorded before 006.
ALTER TABLE decisions ADD COLUMN case_seen TEXT;
-- When the holder took the meeting (kept while the same process renews it).
ALTER TABLE meeting_leases ADD COLUMN since TEXT;
