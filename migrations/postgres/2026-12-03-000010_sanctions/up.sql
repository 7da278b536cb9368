-- Sanctions and appeals (issue 11, points 5 and 7).
--
-- A suspension is a time on the account, not a status: a suspended person still signs in,
-- reads and exports their data and appeals; sends, joins and matching check
-- `suspended_until > now`, so a suspension ends by itself. A ban is `status = 'banned'`.
-- A mute is a time on one membership. A hidden message keeps its row and body (a moderator
-- never edits member text); `hidden_messages` says which action hid it, and every read that
-- members see blanks it.
ALTER TABLE users ADD COLUMN suspended_until TIMESTAMP NULL;
ALTER TABLE room_members ADD COLUMN muted_until TIMESTAMP NULL;

CREATE TABLE hidden_messages (
    message_id TEXT PRIMARY KEY NOT NULL REFERENCES messages (id),
    action_id TEXT NOT NULL REFERENCES moderation_actions (id),
    hidden_at TIMESTAMP NOT NULL
);

-- One appeal per action, by the person actioned; decided by a moderator other than the one
-- who acted.
CREATE TABLE appeals (
    id TEXT PRIMARY KEY NOT NULL,
    action_id TEXT NOT NULL REFERENCES moderation_actions (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    text TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'upheld', 'overturned')),
    created_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP NULL,
    decided_by TEXT NULL REFERENCES users (id),
    note TEXT NULL
);
CREATE UNIQUE INDEX appeals_one_per_action ON appeals (action_id);
CREATE INDEX appeals_user ON appeals (user_id, created_at);
CREATE INDEX appeals_queue ON appeals (status, created_at);
