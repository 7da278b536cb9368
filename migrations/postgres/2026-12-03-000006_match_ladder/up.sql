-- The formats that could serve a request now, recorded when it reached relaxation step 2
-- (a JSON list of format names; NULL before that step).
ALTER TABLE match_requests ADD COLUMN alternatives TEXT NULL;
