DROP TABLE match_requests;
DROP TABLE room_members;
DROP TABLE rooms;
DROP TABLE blocks;
