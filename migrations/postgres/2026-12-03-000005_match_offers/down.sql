DROP INDEX match_requests_offer;
DROP INDEX match_requests_one_open;
UPDATE match_requests SET status = 'waiting' WHERE status = 'offered';
CREATE UNIQUE INDEX match_requests_one_waiting ON match_requests (user_id, format)
    WHERE status = 'waiting';
ALTER TABLE match_requests DROP COLUMN offer_answer;
ALTER TABLE match_requests DROP COLUMN offer_id;
ALTER TABLE match_requests DROP CONSTRAINT match_requests_status_check;
ALTER TABLE match_requests ADD CONSTRAINT match_requests_status_check
    CHECK (status IN ('waiting', 'matched', 'cancelled', 'expired'));
DROP TABLE declined_pairs;
DROP TABLE match_offers;
