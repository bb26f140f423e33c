-- The read-only role postgres_exporter logs in with (runbook 002 "Database Access: create read-only
-- monitoring user"), created or brought back in line on every run: safe to run again and again.
--
-- Differs from the runbook on purpose: the runbook grants SELECT on every table in `public`, which would let
-- the monitoring credential read all business data. The exporter needs statistics, not rows: pg_monitor
-- (pg_stat_* views, pg_settings, pg_stat_statements) is exactly that. The role cannot write either:
-- every transaction it opens is read-only, and a runaway query is cut after 10 s.
--
-- Run by bootstrap-monitoring-role.sh as the master user (RDS: rds_superuser may create roles and grant
-- pg_monitor). Needs psql >= 15 (\getenv): the name and password come from the environment, never from
-- the command line, so they show in no process list.
\set ON_ERROR_STOP on
\getenv monitoring_user MONITORING_USER
\getenv monitoring_password MONITORING_PASSWORD
\getenv connection_limit MONITORING_CONNECTION_LIMIT

SELECT format('CREATE ROLE %I', :'monitoring_user')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'monitoring_user') \gexec

-- Brought back to these attributes even if someone changed them by hand.
SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT CONNECTION LIMIT %s PASSWORD %L',
              :'monitoring_user', :'connection_limit'::int, :'monitoring_password') \gexec
SELECT format('ALTER ROLE %I SET default_transaction_read_only = on', :'monitoring_user') \gexec
SELECT format('ALTER ROLE %I SET statement_timeout = %L', :'monitoring_user', '10s') \gexec
SELECT format('GRANT pg_monitor TO %I', :'monitoring_user') \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), :'monitoring_user') \gexec

-- What the role ended up with, for the Job's log (no password).
SELECT r.rolname, r.rolcanlogin, r.rolsuper, r.rolconnlimit, pg_has_role(r.rolname, 'pg_monitor', 'member') AS pg_monitor
  FROM pg_roles r WHERE r.rolname = :'monitoring_user';
