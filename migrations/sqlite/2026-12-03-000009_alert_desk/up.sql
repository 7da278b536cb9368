-- The alert desk: alerts a human acknowledges and then resolves, with a response target
-- (`due_at`), an escalation state that survives restarts (`escalation_level`,
-- `next_escalation_at`: claimed with a conditional update so two workers never send one level
-- twice), volunteers' escalations beside crisis flags (`kind`, `raised_by`, `reason`; flag
-- and message are then optional), and the durable queue of signed paging webhooks.

-- SQLite cannot alter a CHECK constraint or a column's nullability: the table is rebuilt
-- (nothing references it), its columns in PostgreSQL's order (the new ones after the old).
-- Existing alerts get the default targets (red 5 min, amber 1 h).
CREATE TABLE safety_alerts_next (
    id TEXT PRIMARY KEY NOT NULL,
    flag_id TEXT NULL REFERENCES crisis_flags (id) ON DELETE CASCADE,
    room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    message_id TEXT NULL REFERENCES messages (id) ON DELETE CASCADE,
    severity TEXT NOT NULL CHECK (severity IN ('amber', 'red')),
    status TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
    created_at TIMESTAMP NOT NULL,
    acknowledged_at TIMESTAMP NULL,
    acknowledged_by TEXT NULL REFERENCES users (id),
    kind TEXT NOT NULL DEFAULT 'crisis' CHECK (kind IN ('crisis', 'volunteer_escalation')),
    raised_by TEXT NULL REFERENCES users (id),
    reason TEXT NULL,
    due_at TIMESTAMP NOT NULL,
    escalation_level INTEGER NOT NULL DEFAULT 0,
    next_escalation_at TIMESTAMP NULL,
    resolved_at TIMESTAMP NULL,
    resolved_by TEXT NULL REFERENCES users (id),
    outcome TEXT NULL CHECK (outcome IN ('support_offered', 'signposted',
        'escalated_externally', 'false_positive', 'no_action')),
    resolution_note TEXT NULL
);
INSERT INTO safety_alerts_next (id, kind, flag_id, room_id, message_id, severity, status,
    created_at, acknowledged_at, acknowledged_by, due_at, next_escalation_at)
SELECT id, 'crisis', flag_id, room_id, message_id, severity, status, created_at,
    acknowledged_at, acknowledged_by,
    datetime(created_at, CASE severity WHEN 'red' THEN '+300 seconds' ELSE '+3600 seconds' END),
    CASE status WHEN 'open' THEN datetime(created_at,
        CASE severity WHEN 'red' THEN '+300 seconds' ELSE '+3600 seconds' END) END
FROM safety_alerts;
DROP TABLE safety_alerts;
ALTER TABLE safety_alerts_next RENAME TO safety_alerts;
CREATE INDEX safety_alerts_queue ON safety_alerts (status, severity, created_at);
CREATE INDEX safety_alerts_escalation ON safety_alerts (next_escalation_at);
CREATE INDEX safety_alerts_message ON safety_alerts (message_id);

-- Paging webhooks, delivered by their worker with retries (like the email outbox). One row
-- per alert and escalation level, never two.
CREATE TABLE webhook_outbox (
    id TEXT PRIMARY KEY NOT NULL,
    alert_id TEXT NOT NULL REFERENCES safety_alerts (id) ON DELETE CASCADE,
    level INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP NULL,
    last_error TEXT NULL,
    delivered_at TIMESTAMP NULL,
    failed_at TIMESTAMP NULL
);
CREATE UNIQUE INDEX webhook_outbox_once ON webhook_outbox (alert_id, level);
CREATE INDEX webhook_outbox_due ON webhook_outbox (delivered_at, failed_at, next_attempt_at);
