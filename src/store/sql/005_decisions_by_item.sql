-- 005: decisions are looked up by agenda item, and SQLite checks this foreign key on every
-- delete of an agenda item: without an index, clearing a large agenda scanned all decisions
-- once per item.
CREATE INDEX decisions_by_item ON decisions(agenda_item_id);
