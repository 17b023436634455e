-- 006: integrity across processes.
-- When the holder took the meeting (kept while the same process renews it).
ALTER TABLE meeting_leases ADD COLUMN since TEXT;
