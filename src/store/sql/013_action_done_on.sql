-- 実施日: the day an action was actually done, as its review said (NULL: not given; the
-- statistics then count on the day it was recorded done).
ALTER TABLE actions ADD COLUMN done_on TEXT;
