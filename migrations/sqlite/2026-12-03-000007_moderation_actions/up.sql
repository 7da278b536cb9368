-- What moderators did to people: warnings, hides, mutes, removals, suspensions, bans and
-- reinstatements. One row per action, written in the same transaction as its state change
-- and its audit row. Strikes (the sanction ladder), the queue's "prior actions" and appeals
-- all read it. `until` ends a mute or a suspension; `reversed_*` is set when an appeal
-- overturns the action or a moderator lifts it (the audit log keeps the history).
CREATE TABLE moderation_actions (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    actor_id TEXT NOT NULL REFERENCES users (id),
    target_user_id TEXT NOT NULL REFERENCES users (id),
    room_id TEXT NULL REFERENCES rooms (id),
    message_id TEXT NULL REFERENCES messages (id),
    category TEXT NULL,
    reason TEXT NOT NULL,
    source_type TEXT NULL,
    source_id TEXT NULL,
    until TIMESTAMP NULL,
    created_at TIMESTAMP NOT NULL,
    reversed_at TIMESTAMP NULL,
    reversed_by TEXT NULL REFERENCES users (id),
    reversed_reason TEXT NULL
);
CREATE INDEX moderation_actions_target ON moderation_actions (target_user_id, created_at);
CREATE INDEX moderation_actions_room ON moderation_actions (room_id, target_user_id);
