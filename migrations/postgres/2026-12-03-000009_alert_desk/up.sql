-- The alert desk: alerts a human acknowledges and then resolves, with a response target
-- (`due_at`), an escalation state that survives restarts (`escalation_level`,
-- `next_escalation_at`: claimed with a conditional update so two workers never send one level
-- twice), volunteers' escalations beside crisis flags (`kind`, `raised_by`, `reason`; flag
-- and message are then optional), and the durable queue of signed paging webhooks.
-- Existing alerts get the default targets (red 5 min, amber 1 h).

ALTER TABLE safety_alerts
    ADD COLUMN kind TEXT NOT NULL DEFAULT 'crisis'
        CHECK (kind IN ('crisis', 'volunteer_escalation')),
    ALTER COLUMN flag_id DROP NOT NULL,
    ALTER COLUMN message_id DROP NOT NULL,
    DROP CONSTRAINT safety_alerts_status_check,
    ADD CONSTRAINT safety_alerts_status_check
        CHECK (status IN ('open', 'acknowledged', 'resolved')),
    ADD COLUMN raised_by TEXT NULL REFERENCES users (id),
    ADD COLUMN reason TEXT NULL,
    ADD COLUMN due_at TIMESTAMP NULL,
    ADD COLUMN escalation_level INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN next_escalation_at TIMESTAMP NULL,
    ADD COLUMN resolved_at TIMESTAMP NULL,
    ADD COLUMN resolved_by TEXT NULL REFERENCES users (id),
    ADD COLUMN outcome TEXT NULL CHECK (outcome IN ('support_offered', 'signposted',
        'escalated_externally', 'false_positive', 'no_action')),
    ADD COLUMN resolution_note TEXT NULL;
UPDATE safety_alerts SET due_at = created_at
    + CASE severity WHEN 'red' THEN INTERVAL '300 seconds' ELSE INTERVAL '3600 seconds' END;
UPDATE safety_alerts SET next_escalation_at = due_at WHERE status = 'open';
ALTER TABLE safety_alerts ALTER COLUMN due_at SET NOT NULL;
DROP INDEX safety_alerts_status;
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
