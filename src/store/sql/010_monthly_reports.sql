-- 定期的な情報提供: institutions' monthly reports on designated children, and the alerts
-- (要確認) they raised. A month's regular report and an urgent one phoned in are kept apart.
CREATE TABLE monthly_reports (
    id                INTEGER PRIMARY KEY,
    case_id           INTEGER NOT NULL REFERENCES cases(id),
    agency_id         INTEGER NOT NULL REFERENCES agencies(id),
    month             TEXT NOT NULL,
    school_days       INTEGER,
    attended          INTEGER NOT NULL,
    absent            INTEGER NOT NULL,
    absent_notified   INTEGER NOT NULL,
    absent_unnotified INTEGER NOT NULL,
    late_early        INTEGER NOT NULL,
    longest_absence   INTEGER NOT NULL,
    absence_reason    TEXT NOT NULL DEFAULT '',
    observations      TEXT NOT NULL DEFAULT '',
    remarks           TEXT NOT NULL DEFAULT '',
    moved             INTEGER NOT NULL DEFAULT 0,
    writer            TEXT NOT NULL DEFAULT '',
    written_on        TEXT,
    source            TEXT NOT NULL DEFAULT '',
    urgent            INTEGER NOT NULL DEFAULT 0,
    imported_at       TEXT NOT NULL,
    UNIQUE (case_id, agency_id, month, urgent)
);
CREATE INDEX monthly_reports_by_month ON monthly_reports(month, agency_id);

CREATE TABLE report_alerts (
    id        INTEGER PRIMARY KEY,
    case_id   INTEGER NOT NULL REFERENCES cases(id),
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    report_id INTEGER NOT NULL REFERENCES monthly_reports(id),
    month     TEXT NOT NULL,
    kind      TEXT NOT NULL,
    detail    TEXT NOT NULL,
    raised_on TEXT NOT NULL
);
CREATE INDEX report_alerts_by_case ON report_alerts(case_id, raised_on);
