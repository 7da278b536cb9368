-- Holds for review (SAFE-SG-2, SAFE-SG-8). A held message is stored at once but is not in
-- its room's timeline: while held (and for ever, if rejected) it sits at a negative
-- placeholder `seq`, unique per room and outside every member's range (seq >= 1). A
-- moderator's release gives it the room's next seq in the release transaction, so every
-- member's seq stays gap-free. `hold_after_seq` is the room's last seq when it was held
-- (the context a moderator reads). See `moderation::holds`.
ALTER TABLE messages ADD COLUMN hold_state TEXT NULL
    CHECK (hold_state IN ('held', 'released', 'rejected'));
ALTER TABLE messages ADD COLUMN hold_category TEXT NULL;
ALTER TABLE messages ADD COLUMN hold_after_seq BIGINT NULL;
ALTER TABLE messages ADD COLUMN hold_decided_at TIMESTAMP NULL;
-- No REFERENCES here (PostgreSQL has one): SQLite cannot drop a column that has one.
ALTER TABLE messages ADD COLUMN hold_decided_by TEXT NULL;
CREATE INDEX messages_holds ON messages (hold_state, created_at, id);
