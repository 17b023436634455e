-- 備考: the free-text remarks column of a municipality's own ledger, kept on import and
-- written back on export.
ALTER TABLE cases ADD COLUMN notes TEXT NOT NULL DEFAULT '';
