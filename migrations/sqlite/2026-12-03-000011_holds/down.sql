DROP INDEX messages_holds;
ALTER TABLE messages DROP COLUMN hold_decided_by;
ALTER TABLE messages DROP COLUMN hold_decided_at;
ALTER TABLE messages DROP COLUMN hold_after_seq;
ALTER TABLE messages DROP COLUMN hold_category;
ALTER TABLE messages DROP COLUMN hold_state;
