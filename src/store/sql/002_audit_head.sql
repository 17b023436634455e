-- 002: the audit chain's head, kept by triggers, so that deleting the LAST entries is detected
-- too (the chain alone only notices gaps and edits before its end). A tampering insider with
-- SQL access can rewrite the head as well; `shinko audit verify --anchor` prints it for paper.

CREATE TABLE audit_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    count     INTEGER NOT NULL,
    last_seq  INTEGER NOT NULL,
    last_hash TEXT NOT NULL
);

INSERT INTO audit_head(id, count, last_seq, last_hash)
SELECT 1, count(*), coalesce(max(seq), 0),
       coalesce((SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1),
                '0000000000000000000000000000000000000000000000000000000000000000')
FROM audit_log;

CREATE TRIGGER audit_head_follows AFTER INSERT ON audit_log
BEGIN
    UPDATE audit_head SET count = count + 1, last_seq = NEW.seq, last_hash = NEW.hash WHERE id = 1;
END;

-- History is append-only: the application never updates or deletes entries, so refuse it.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN
    SELECT RAISE(ABORT, 'audit_head is kept by triggers');
END;
