-- 終結理由区分 of a meeting's 終結/移管 decision (configured `[closing] categories`), written
-- into the ledger's close_category when the meeting is closed. Empty: not a closing, or a
-- closing accepted as the 事務局案 proposed (counted under 「（区分なし）」).
ALTER TABLE decisions ADD COLUMN close_category TEXT NOT NULL DEFAULT '';
