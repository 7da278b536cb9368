-- Realtime rooms: durable ordered messages, read markers, crisis flags and safety alerts.

-- The room's sequence: the seq of its newest message. Bumped in the transaction that inserts.
ALTER TABLE rooms ADD COLUMN last_seq BIGINT NOT NULL DEFAULT 0;

-- How far a member has read (a seq in the room).
ALTER TABLE room_members ADD COLUMN last_read_seq BIGINT NOT NULL DEFAULT 0;

CREATE TABLE messages (
    id TEXT PRIMARY KEY NOT NULL,
    room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    sender_id TEXT NOT NULL REFERENCES users (id),
    client_id TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    -- Set when the writer erased their account: the body is then empty.
    removed_at TIMESTAMP NULL
);
-- Gap-free, increasing per room; also the history index.
CREATE UNIQUE INDEX messages_room_seq ON messages (room_id, seq);
-- Exactly-once effect: a resend with the same client id finds the first message.
CREATE UNIQUE INDEX messages_idempotency ON messages (room_id, sender_id, client_id);
CREATE INDEX messages_sender ON messages (sender_id);

-- What the crisis detector found: which rule, how severe. Never a copy of the text.
CREATE TABLE crisis_flags (
    id TEXT PRIMARY KEY NOT NULL,
    message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    rule_id TEXT NOT NULL,
    rules_version TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('amber', 'red')),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX crisis_flags_message ON crisis_flags (message_id);

-- A flag a human must acknowledge.
CREATE TABLE safety_alerts (
    id TEXT PRIMARY KEY NOT NULL,
    flag_id TEXT NOT NULL REFERENCES crisis_flags (id) ON DELETE CASCADE,
    room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    severity TEXT NOT NULL CHECK (severity IN ('amber', 'red')),
    status TEXT NOT NULL CHECK (status IN ('open', 'acknowledged')),
    created_at TIMESTAMP NOT NULL,
    acknowledged_at TIMESTAMP NULL,
    acknowledged_by TEXT NULL REFERENCES users (id)
);
CREATE INDEX safety_alerts_status ON safety_alerts (status, created_at);
