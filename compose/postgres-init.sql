-- Run once by the postgres image when its volume is new (POSTGRES_DB made `tracker`):
-- one database per service on PostgreSQL, since each has the runtime's tables of its own.
CREATE DATABASE scheduler OWNER xieshang;
