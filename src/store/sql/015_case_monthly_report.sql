-- 月次報告（定期的な情報提供）の対象, per case: 'default' (既定: the configured rule decides),
-- 'on' (対象) or 'off' (対象外).
ALTER TABLE cases ADD COLUMN monthly_report TEXT NOT NULL DEFAULT 'default';
