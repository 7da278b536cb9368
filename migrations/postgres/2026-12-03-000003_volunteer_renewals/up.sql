-- Volunteers renew their training, and moderators may withdraw volunteer status.
-- A renewal is the volunteer's new training record (course, completion date) waiting for a
-- moderator; until it is approved the record in `volunteers` stands unchanged.
CREATE TABLE volunteer_renewals (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    training_course TEXT NOT NULL,
    training_completed_on DATE NOT NULL,
    certificate_ref TEXT NULL,
    -- The expiry the approval applied (NULL until approved).
    training_expires_on DATE NULL,
    decided_by TEXT NULL,
    decided_at TIMESTAMP NULL,
    decision_note TEXT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX volunteer_renewals_status ON volunteer_renewals (status, created_at);
-- One open renewal per volunteer, enforced by the database as well as the service.
CREATE UNIQUE INDEX volunteer_renewals_one_pending ON volunteer_renewals (user_id)
    WHERE status = 'pending';

-- A withdrawn record is kept (the reason is shown to the volunteer) but never matched.
ALTER TABLE volunteers ADD COLUMN withdrawn_at TIMESTAMP NULL;
ALTER TABLE volunteers ADD COLUMN withdrawal_reason TEXT NULL;
