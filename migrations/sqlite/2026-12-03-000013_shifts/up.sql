-- Moderators' shifts: who is on duty, from when to when, and why each shift ended. Staffed
-- means at least one open shift (SAFE-SG-5: while nobody is on shift every room is told that
-- Kindred is not a crisis service); the closed rows are the shift record that workload per
-- shift is computed from (SAFE-SG-9).
--
-- `away_since` is when the moderator was last seen with no websocket open during the shift
-- (NULL while connected): the shift ends `disconnected` once that is older than the grace
-- period, decided from this column and the live connection count, so it survives a restart.
-- At most one open shift per moderator (the partial unique index).
CREATE TABLE moderator_shifts (
    id TEXT PRIMARY KEY NOT NULL,
    moderator_id TEXT NOT NULL REFERENCES users (id),
    started_at TIMESTAMP NOT NULL,
    away_since TIMESTAMP NULL,
    ended_at TIMESTAMP NULL,
    ended_reason TEXT NULL,
    CHECK ((ended_at IS NULL) = (ended_reason IS NULL)),
    CHECK (ended_reason IS NULL OR ended_reason IN
        ('off', 'disconnected', 'signed_out', 'role_changed', 'account_closed'))
);
CREATE UNIQUE INDEX moderator_shifts_one_open ON moderator_shifts (moderator_id)
    WHERE ended_at IS NULL;
CREATE INDEX moderator_shifts_by_moderator ON moderator_shifts (moderator_id, started_at);
CREATE INDEX moderator_shifts_by_start ON moderator_shifts (started_at);
