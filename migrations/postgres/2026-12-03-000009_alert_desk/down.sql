DROP TABLE webhook_outbox;
-- Volunteers' escalations have no flag: they cannot survive the older shape.
DELETE FROM safety_alerts WHERE kind <> 'crisis' OR flag_id IS NULL OR message_id IS NULL;
UPDATE safety_alerts SET status = 'acknowledged' WHERE status = 'resolved';
DROP INDEX safety_alerts_queue;
DROP INDEX safety_alerts_escalation;
DROP INDEX safety_alerts_message;
CREATE INDEX safety_alerts_status ON safety_alerts (status, created_at);
ALTER TABLE safety_alerts
    DROP COLUMN kind,
    ALTER COLUMN flag_id SET NOT NULL,
    ALTER COLUMN message_id SET NOT NULL,
    DROP CONSTRAINT safety_alerts_status_check,
    ADD CONSTRAINT safety_alerts_status_check CHECK (status IN ('open', 'acknowledged')),
    DROP COLUMN raised_by,
    DROP COLUMN reason,
    DROP COLUMN due_at,
    DROP COLUMN escalation_level,
    DROP COLUMN next_escalation_at,
    DROP COLUMN resolved_at,
    DROP COLUMN resolved_by,
    DROP COLUMN outcome,
    DROP COLUMN resolution_note;
