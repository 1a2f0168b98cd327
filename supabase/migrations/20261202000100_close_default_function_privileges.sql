-- New functions of the migration role are closed to PUBLIC by default.
--
-- PostgreSQL grants EXECUTE to PUBLIC on every new function. The earlier
-- `alter default privileges in schema ops revoke execute on functions from
-- public` (and the same for ops_private) did not change that: per-schema
-- default privileges can only add to the global ones, never take away, so a
-- function added to ops without its own REVOKE was open to every signed-in
-- user. The comments of 20260212000000 and 20260213000102 claim otherwise;
-- this migration is what makes the claim true.
--
-- The global default of the migration role (postgres on Supabase) now grants
-- EXECUTE to nobody; schemas where Supabase and extensions expect functions
-- to stay callable by PUBLIC (public, extensions) get it back per schema.
-- Every other function postgres creates from now on starts closed: in ops,
-- ops_private, any other schema, and temporary functions (pg_temp) too; each
-- is granted to the roles meant to call it.
-- Objects: default privileges of the current role.
-- Locks: none.
-- Roll back: alter default privileges grant execute on functions to public;
--   alter default privileges in schema public revoke execute on functions from public;
--   alter default privileges in schema extensions revoke execute on functions from public.

alter default privileges revoke execute on functions from public;
alter default privileges in schema public grant execute on functions to public;
alter default privileges in schema extensions grant execute on functions to public;
