-- What matters to a member: profile, conditions, lived experience, check-ins, and the
-- volunteer application and record. JSON-shaped fields are TEXT (portable across engines),
-- validated in Rust before they are written.

CREATE TABLE profiles (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    pronouns TEXT NULL,
    bio TEXT NULL,
    languages TEXT NOT NULL DEFAULT '[]',
    timezone TEXT NULL,
    age_band TEXT NULL,
    gender TEXT NULL,
    availability TEXT NOT NULL DEFAULT '[]',
    support_preferences TEXT NOT NULL DEFAULT '{}',
    sharing TEXT NOT NULL DEFAULT '{}',
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE user_conditions (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    condition_id TEXT NOT NULL REFERENCES conditions (id),
    diagnosed_year INTEGER NULL,
    is_primary BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (user_id, condition_id)
);

CREATE TABLE user_experiences (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    experience_id TEXT NOT NULL REFERENCES experiences (id),
    PRIMARY KEY (user_id, experience_id)
);

CREATE TABLE check_ins (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    instrument TEXT NOT NULL,
    instrument_version TEXT NOT NULL,
    wording TEXT NOT NULL,
    answers TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    level INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX check_ins_user ON check_ins (user_id, created_at);

CREATE TABLE volunteer_applications (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    motivation TEXT NOT NULL,
    lived_experience TEXT NOT NULL,
    conditions TEXT NOT NULL,
    training_course TEXT NOT NULL,
    training_completed_on DATE NOT NULL,
    certificate_ref TEXT NULL,
    decided_by TEXT NULL,
    decided_at TIMESTAMP NULL,
    decision_note TEXT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX volunteer_applications_status ON volunteer_applications (status, created_at);
-- One open application per person, enforced by the database as well as the service.
CREATE UNIQUE INDEX volunteer_applications_one_pending ON volunteer_applications (user_id)
    WHERE status = 'pending';

CREATE TABLE volunteers (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    accepting BOOLEAN NOT NULL DEFAULT TRUE,
    one_to_one_capacity INTEGER NOT NULL DEFAULT 2,
    max_groups INTEGER NOT NULL DEFAULT 1,
    conditions_supported TEXT NOT NULL DEFAULT '[]',
    training_expires_on DATE NOT NULL,
    approved_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
