DROP TABLE room_looks;
