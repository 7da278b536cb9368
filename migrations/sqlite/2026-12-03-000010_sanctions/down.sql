DROP TABLE appeals;
DROP TABLE hidden_messages;
ALTER TABLE room_members DROP COLUMN muted_until;
ALTER TABLE users DROP COLUMN suspended_until;
