-- Reports (SAFE-SG-6). A `reports` row is one case in the moderators' queue: one target
-- (a message, a person or a room) while it is open, however many people reported it. Each
-- reporter's own report is a `report_filings` row (their id, category and words); a repeat by
-- the same reporter folds into it. `open_key` is `type:id` while the case is open and NULL once
-- it is closed, so a unique index keeps one open case per target on both engines.
-- `queue_rank` orders the queue: 0-4 open by severity (self_harm first), 5-9 closed.
CREATE TABLE reports (
    id TEXT PRIMARY KEY NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT NOT NULL,
    target_user_id TEXT NULL REFERENCES users (id),
    room_id TEXT NULL REFERENCES rooms (id),
    message_id TEXT NULL REFERENCES messages (id),
    category TEXT NOT NULL,
    status TEXT NOT NULL,
    open_key TEXT NULL,
    queue_rank INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    due_at TIMESTAMP NOT NULL,
    claimed_by TEXT NULL REFERENCES users (id),
    claimed_at TIMESTAMP NULL,
    resolved_by TEXT NULL REFERENCES users (id),
    resolved_at TIMESTAMP NULL,
    outcome_message TEXT NULL,
    resolution_note TEXT NULL,
    action_ids TEXT NULL
);
CREATE UNIQUE INDEX reports_open_key ON reports (open_key);
CREATE INDEX reports_queue ON reports (queue_rank, created_at, id);
CREATE INDEX reports_target ON reports (target_type, target_id);

CREATE TABLE report_filings (
    id TEXT PRIMARY KEY NOT NULL,
    report_id TEXT NOT NULL REFERENCES reports (id),
    reporter_id TEXT NOT NULL REFERENCES users (id),
    category TEXT NOT NULL,
    detail TEXT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX report_filings_one_per_reporter ON report_filings (report_id, reporter_id);
CREATE INDEX report_filings_reporter ON report_filings (reporter_id, created_at);
