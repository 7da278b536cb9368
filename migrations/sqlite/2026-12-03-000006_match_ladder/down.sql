ALTER TABLE match_requests DROP COLUMN alternatives;
