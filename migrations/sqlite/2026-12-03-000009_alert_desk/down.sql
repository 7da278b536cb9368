DROP TABLE webhook_outbox;
-- Volunteers' escalations have no flag: they cannot survive the older shape.
DELETE FROM safety_alerts WHERE kind <> 'crisis' OR flag_id IS NULL OR message_id IS NULL;
CREATE TABLE safety_alerts_prev (
    id TEXT PRIMARY KEY NOT NULL,
    flag_id TEXT NOT NULL REFERENCES crisis_flags (id) ON DELETE CASCADE,
    room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    severity TEXT NOT NULL CHECK (severity IN ('amber', 'red')),
    status TEXT NOT NULL CHECK (status IN ('open', 'acknowledged')),
    created_at TIMESTAMP NOT NULL,
    acknowledged_at TIMESTAMP NULL,
    acknowledged_by TEXT NULL REFERENCES users (id)
);
INSERT INTO safety_alerts_prev
SELECT id, flag_id, room_id, message_id, severity,
    CASE status WHEN 'resolved' THEN 'acknowledged' ELSE status END,
    created_at, acknowledged_at, acknowledged_by FROM safety_alerts;
DROP TABLE safety_alerts;
ALTER TABLE safety_alerts_prev RENAME TO safety_alerts;
CREATE INDEX safety_alerts_status ON safety_alerts (status, created_at);
