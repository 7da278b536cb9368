DROP TABLE experiences;
DROP TABLE experience_categories;
DROP TABLE related_condition_groups;
DROP TABLE conditions;
DROP TABLE condition_groups;
