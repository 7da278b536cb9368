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

-- SQLite cannot alter a CHECK constraint: the table is rebuilt (nothing references it).
CREATE TABLE match_requests_next (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    format TEXT NOT NULL CHECK (format IN ('one_to_one', 'pair', 'group')),
    focus_condition TEXT NOT NULL REFERENCES conditions (id),
    experience_tags TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL
        CHECK (status IN ('waiting', 'offered', 'matched', 'cancelled', 'expired')),
    room_id TEXT NULL REFERENCES rooms (id),
    explanation TEXT NULL,
    relax_step INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP NULL,
    offer_id TEXT NULL REFERENCES match_offers (id),
    offer_answer TEXT NULL CHECK (offer_answer IN ('accepted'))
);
INSERT INTO match_requests_next (id, user_id, format, focus_condition, experience_tags, status,
    room_id, explanation, relax_step, created_at, closed_at)
SELECT id, user_id, format, focus_condition, experience_tags, status, room_id, explanation,
    relax_step, created_at, closed_at FROM match_requests;
DROP TABLE match_requests;
ALTER TABLE match_requests_next RENAME TO match_requests;
CREATE INDEX match_requests_pool ON match_requests (status, format, created_at);
CREATE INDEX match_requests_user ON match_requests (user_id, created_at);
-- One open request (waiting or offered) per person and format.
CREATE UNIQUE INDEX match_requests_one_open ON match_requests (user_id, format)
    WHERE status IN ('waiting', 'offered');
CREATE INDEX match_requests_offer ON match_requests (offer_id);
