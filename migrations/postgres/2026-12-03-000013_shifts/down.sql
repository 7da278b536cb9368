DROP TABLE moderator_shifts;
