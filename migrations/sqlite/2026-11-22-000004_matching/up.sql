-- Matching: requests waiting in the pool, blocks, and the rooms a match opens.

CREATE TABLE blocks (
    blocker_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    blocked_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
);
CREATE INDEX blocks_blocked ON blocks (blocked_id);

CREATE TABLE rooms (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('one_to_one', 'pair', 'group')),
    focus_condition TEXT NOT NULL REFERENCES conditions (id),
    max_size INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP NULL
);
CREATE INDEX rooms_open_groups ON rooms (kind, ended_at);

CREATE TABLE room_members (
    room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    room_role TEXT NOT NULL CHECK (room_role IN ('member', 'facilitator')),
    joined_at TIMESTAMP NOT NULL,
    left_at TIMESTAMP NULL,
    PRIMARY KEY (room_id, user_id)
);
CREATE INDEX room_members_user ON room_members (user_id, left_at);

CREATE TABLE match_requests (
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
CREATE INDEX match_requests_pool ON match_requests (status, format, created_at);
CREATE INDEX match_requests_user ON match_requests (user_id, created_at);
-- One open request per person and format.
CREATE UNIQUE INDEX match_requests_one_waiting ON match_requests (user_id, format)
    WHERE status = 'waiting';
