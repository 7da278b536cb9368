CREATE TABLE match_requests_prev (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    format TEXT NOT NULL CHECK (format IN ('one_to_one', 'pair', 'group')),
    focus_condition TEXT NOT NULL REFERENCES conditions (id),
    experience_tags TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL CHECK (status IN ('waiting', 'matched', 'cancelled', 'expired')),
    room_id TEXT NULL REFERENCES rooms (id),
    explanation TEXT NULL,
    relax_step INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP NULL
);
INSERT INTO match_requests_prev
SELECT id, user_id, format, focus_condition, experience_tags,
    CASE status WHEN 'offered' THEN 'waiting' ELSE status END, room_id, explanation,
    relax_step, created_at, closed_at FROM match_requests;
DROP TABLE match_requests;
ALTER TABLE match_requests_prev RENAME TO match_requests;
CREATE INDEX match_requests_pool ON match_requests (status, format, created_at);
CREATE INDEX match_requests_user ON match_requests (user_id, created_at);
CREATE UNIQUE INDEX match_requests_one_waiting ON match_requests (user_id, format)
    WHERE status = 'waiting';
DROP TABLE declined_pairs;
DROP TABLE match_offers;
