-- 終結理由区分: the category chosen when a case is closed (configured `closing_categories`),
-- so the yearly statistics count categories and never carry the free-text reason.
ALTER TABLE cases ADD COLUMN close_category TEXT NOT NULL DEFAULT '';
