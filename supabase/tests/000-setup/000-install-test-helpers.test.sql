-- Test helpers, in schema tests (never in supabase/migrations). This file
-- runs first and commits, as basejump's supabase-test-helpers do, so that the
-- suite also works under `supabase test db`.
--
-- tests.create_supabase_user(identifier) inserts a user into auth.users;
-- tests.authenticate_as(identifier) / authenticate_as_service_role() /
-- clear_authentication() switch role and JWT claims the way PostgREST does
-- (set local role + request.jwt.claims), so they must run inside a transaction.
-- tests.plan_of(query) returns the lines of EXPLAIN (costs off) for query, as
-- the current role: the plan tests look for an index or a scan in them.

create extension if not exists pgtap with schema extensions;

create schema if not exists tests;
grant usage on schema tests to anon, authenticated, service_role;

create or replace function tests.create_supabase_user(p_identifier text, p_email text default null)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_id uuid := extensions.gen_random_uuid();
begin
  insert into auth.users (id, aud, role, email, raw_user_meta_data, raw_app_meta_data, created_at, updated_at)
  values (
    v_id, 'authenticated', 'authenticated', coalesce(p_email, p_identifier || '@test.invalid'),
    jsonb_build_object('test_identifier', p_identifier), '{}'::jsonb, now(), now()
  );
  return v_id;
end
$$;

create or replace function tests.get_supabase_uid(p_identifier text)
returns uuid
language sql
stable
security definer
set search_path = ''
as $$
  select u.id from auth.users as u where u.raw_user_meta_data ->> 'test_identifier' = p_identifier
$$;

create or replace function tests.authenticate_as(p_identifier text)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_id uuid := tests.get_supabase_uid(p_identifier);
begin
  if v_id is null then
    raise exception 'tests.authenticate_as: no test user %', p_identifier using errcode = 'no_data_found';
  end if;
  perform set_config('role', 'authenticated', true);
  perform set_config(
    'request.jwt.claims',
    jsonb_build_object('sub', v_id, 'role', 'authenticated', 'email', p_identifier || '@test.invalid')::text,
    true
  );
end
$$;

create or replace function tests.authenticate_as_service_role()
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform set_config('role', 'service_role', true);
  perform set_config('request.jwt.claims', '{"role": "service_role"}', true);
end
$$;

create or replace function tests.authenticate_as_anon()
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform set_config('role', 'anon', true);
  perform set_config('request.jwt.claims', '{"role": "anon"}', true);
end
$$;

create or replace function tests.clear_authentication()
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform set_config('role', 'postgres', true);
  perform set_config('request.jwt.claims', null, true);
end
$$;

create or replace function tests.plan_of(p_query text)
returns setof text
language plpgsql
set search_path = ''
as $$
begin
  return query execute 'explain (costs off) ' || p_query;
end
$$;

grant execute on all functions in schema tests to anon, authenticated, service_role;

select plan(1);
select has_function('tests', 'authenticate_as', array['text'], 'The test helpers are installed.');
select * from finish();
