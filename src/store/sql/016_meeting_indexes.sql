-- 016: what one meeting's screens and minutes read is found through an index, so their cost
-- follows the meeting, not the ledger (at 100,000 cases each of these read a whole table):
-- the actions agreed in a meeting and those reviewed in it, the cases it closed, and the
-- cases accepted since the previous meeting.
CREATE INDEX actions_by_meeting ON actions(meeting_id, case_id);
CREATE INDEX actions_by_review ON actions(reviewed_in);
CREATE INDEX cases_by_close_meeting ON cases(close_meeting);
CREATE INDEX cases_by_accepted_on ON cases(accepted_on);
