-- Consent before a pair opens: a proposed pair or one-to-one is offered to everyone in it,
-- and the room opens when all have accepted. A decline or a lapsed offer returns the others
-- to the pool with their wait kept, and that pair is not proposed again.

CREATE TABLE match_offers (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('one_to_one', 'pair')),
    focus_condition TEXT NOT NULL REFERENCES conditions (id),
    volunteer_id TEXT NULL REFERENCES users (id) ON DELETE SET NULL,
    volunteer_answer TEXT NULL CHECK (volunteer_answer IN ('accepted')),
    volunteer_explanation TEXT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP NULL,
    outcome TEXT NULL CHECK (outcome IN ('opened', 'declined', 'lapsed', 'lost')),
    room_id TEXT NULL REFERENCES rooms (id)
);
CREATE INDEX match_offers_open ON match_offers (closed_at, expires_at);
CREATE INDEX match_offers_volunteer ON match_offers (volunteer_id, closed_at);

-- Two people (members, or a member and a volunteer) never proposed to each other again
-- after one declined or let the offer lapse. user_a < user_b.
CREATE TABLE declined_pairs (
    user_a TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_b TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_a, user_b)
);
CREATE INDEX declined_pairs_b ON declined_pairs (user_b);

ALTER TABLE match_requests DROP CONSTRAINT match_requests_status_check;
ALTER TABLE match_requests ADD CONSTRAINT match_requests_status_check
    CHECK (status IN ('waiting', 'offered', 'matched', 'cancelled', 'expired'));
ALTER TABLE match_requests ADD COLUMN offer_id TEXT NULL REFERENCES match_offers (id);
ALTER TABLE match_requests ADD COLUMN offer_answer TEXT NULL
    CHECK (offer_answer IN ('accepted'));
-- One open request (waiting or offered) per person and format.
DROP INDEX match_requests_one_waiting;
CREATE UNIQUE INDEX match_requests_one_open ON match_requests (user_id, format)
    WHERE status IN ('waiting', 'offered');
CREATE INDEX match_requests_offer ON match_requests (offer_id);
