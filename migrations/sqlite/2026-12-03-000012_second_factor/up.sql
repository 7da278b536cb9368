-- A second factor for signing in (TOTP, RFC 6238) and what it needs: single-use recovery
-- codes (stored as SHA-256 of the account id and the code, never the code), and the short
-- tickets that carry a password sign-in to its second step (stored hashed). A session
-- records whether it was established with a second factor; staff routes require it.
-- `last_used_step` is the newest 30-second step accepted for the factor: a code for that
-- step or an older one is refused, so a code is never accepted twice (RFC 6238 5.2).
ALTER TABLE sessions ADD COLUMN second_factor BOOLEAN NOT NULL DEFAULT FALSE;
CREATE TABLE mfa_totp (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    secret TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    confirmed_at TIMESTAMP NULL,
    last_used_step BIGINT NULL
);
CREATE TABLE mfa_recovery_codes (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP NULL
);
CREATE INDEX mfa_recovery_codes_user ON mfa_recovery_codes (user_id);
CREATE TABLE mfa_tickets (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ticket_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP NULL
);
CREATE INDEX mfa_tickets_user ON mfa_tickets (user_id);
