-- Run once by the postgres image on an empty data volume (docker-entrypoint-initdb.d).
-- One database per service: each service owns its tables and runs its own migrations.
CREATE DATABASE rcm_eligibility;
CREATE DATABASE rcm_coding;
CREATE DATABASE rcm_claims;
CREATE DATABASE rcm_payments;
