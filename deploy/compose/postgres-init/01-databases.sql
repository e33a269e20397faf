-- Run once by the postgres image on an empty data volume (docker-entrypoint-initdb.d).
-- One database per service: each service owns its tables and runs its own migrations.
-- rcm_keys is the PHI keyring, shared by every service; a volume made before it existed gets it from
-- the services, which create it in development when missing. rcm_payments stays last: the
-- healthcheck in docker-compose.yml waits for the last database.
CREATE DATABASE rcm_keys;
CREATE DATABASE rcm_eligibility;
CREATE DATABASE rcm_coding;
CREATE DATABASE rcm_claims;
CREATE DATABASE rcm_payments;
