ALTER TABLE volunteers DROP COLUMN withdrawal_reason;
ALTER TABLE volunteers DROP COLUMN withdrawn_at;
DROP TABLE volunteer_renewals;
