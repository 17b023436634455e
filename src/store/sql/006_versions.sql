-- 006: integrity across processes.
-- Every write of a case bumps its version; a save based on an older read is refused.
ALTER TABLE cases ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
-- When the holder took the meeting (kept while the same process renews it).
ALTER TABLE meeting_leases ADD COLUMN since TEXT;
