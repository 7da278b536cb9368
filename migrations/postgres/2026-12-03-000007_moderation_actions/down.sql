DROP TABLE moderation_actions;
