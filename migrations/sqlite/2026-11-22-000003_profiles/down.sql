DROP TABLE volunteers;
DROP TABLE volunteer_applications;
DROP TABLE check_ins;
DROP TABLE user_experiences;
DROP TABLE user_conditions;
DROP TABLE profiles;
