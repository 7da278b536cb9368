DROP TABLE safety_alerts;
DROP TABLE crisis_flags;
DROP TABLE messages;
ALTER TABLE room_members DROP COLUMN last_read_seq;
ALTER TABLE rooms DROP COLUMN last_seq;
