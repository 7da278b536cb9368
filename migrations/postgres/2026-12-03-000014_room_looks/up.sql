-- A moderator's explicit look into a room's content outside a report or an alert (break
-- glass): always with a reason, for a short time, audited when opened and at every read.
CREATE TABLE room_looks (
    id TEXT PRIMARY KEY NOT NULL,
    moderator_id TEXT NOT NULL REFERENCES users (id),
    room_id TEXT NOT NULL REFERENCES rooms (id),
    reason TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX room_looks_moderator ON room_looks (moderator_id, room_id, expires_at);
