ALTER TABLE room_members DROP COLUMN explanation;
ALTER TABLE experiences DROP COLUMN phrase;
ALTER TABLE condition_groups DROP COLUMN phrase;
ALTER TABLE conditions DROP COLUMN phrase;
