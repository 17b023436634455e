-- 保護者・同居人: the guardians and others living with the child, one per line
-- (「母：山田 花子（やまだ はなこ）」). The masker blots their names out of shared outputs.
ALTER TABLE cases ADD COLUMN people TEXT NOT NULL DEFAULT '';
