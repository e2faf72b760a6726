-- Run once by the postgres image when its volume is new (POSTGRES_DB made `registry`):
-- one database per service, since each has the runtime's tables of its own.
CREATE DATABASE scheduler OWNER xieshang;
CREATE DATABASE tracker OWNER xieshang;
CREATE DATABASE notifier OWNER xieshang;
CREATE DATABASE duty OWNER xieshang;
CREATE DATABASE portal OWNER xieshang;
