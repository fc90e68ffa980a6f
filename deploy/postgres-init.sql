-- Run once by the postgres image on an empty data volume (docker-entrypoint-initdb.d).
-- The portal's own database and roles are created from POSTGRES_* variables; Keycloak gets its own database.
-- For the least-privilege split of the portal's roles (owner for migrations, application role for serving)
-- see docs/database-roles.md.
CREATE DATABASE keycloak;
