-- What a Supabase database provides before any project migration runs,
-- recreated on plain PostgreSQL (see SUPABASE.md, "the baseline shim").
--
-- Run by a superuser in the target database. Every piece is created only when
-- missing, so running it against a real Supabase database changes nothing.
-- It never reaches supabase/migrations/: on Supabase the platform owns it.

-- Roles ---------------------------------------------------------------------
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
    alter role anon inherit;
    alter role anon set statement_timeout = '3s';
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin inherit;
    alter role authenticated set statement_timeout = '8s';
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin inherit bypassrls;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
    alter role authenticator set statement_timeout = '8s';
    alter role authenticator set lock_timeout = '8s';
  end if;
  if not exists (select 1 from pg_roles where rolname = 'supabase_auth_admin') then
    create role supabase_auth_admin noinherit createrole login;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'supabase_storage_admin') then
    create role supabase_storage_admin noinherit createrole login;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'dashboard_user') then
    create role dashboard_user nosuperuser createdb createrole replication;
  end if;
  -- The role migrations run as: not a superuser, but BYPASSRLS, as on Supabase.
  if not exists (select 1 from pg_roles where rolname = 'postgres') then
    create role postgres login nosuperuser createdb createrole replication bypassrls;
    alter role postgres set search_path = "$user", public, extensions;
  end if;
end
$$;

do $$
declare
  v_grant record;
begin
  for v_grant in
    select g.member, g.granted
    from (values
      ('authenticator', 'anon'), ('authenticator', 'authenticated'), ('authenticator', 'service_role'),
      ('postgres', 'anon'), ('postgres', 'authenticated'), ('postgres', 'service_role'),
      ('postgres', 'pg_read_all_data'), ('postgres', 'pg_signal_backend')
    ) as g (member, granted)
    where not pg_has_role(g.member, g.granted, 'member')
  loop
    execute format('grant %I to %I', v_grant.granted, v_grant.member);
  end loop;
end
$$;

-- An idle transaction holds back cleanup of the queue's dead index entries;
-- the roles that connect end such sessions instead of letting them linger.
do $$
begin
  if not exists (
    select 1 from pg_db_role_setting s join pg_roles r on r.oid = s.setrole
    where r.rolname = 'postgres' and s.setdatabase = 0
      and exists (select 1 from unnest(s.setconfig) c where c like 'idle_in_transaction_session_timeout=%')
  ) then
    alter role postgres set idle_in_transaction_session_timeout = '5min';
  end if;
end
$$;

-- The database belongs to postgres, hence (PG15) so does schema public.
do $$
begin
  if (select datdba from pg_database where datname = current_database())
     <> (select oid from pg_roles where rolname = 'postgres') then
    execute format('alter database %I owner to postgres', current_database());
  end if;
end
$$;
grant usage on schema public to anon, authenticated, service_role;

-- Extensions ----------------------------------------------------------------
create schema if not exists extensions authorization postgres;
grant usage on schema extensions to postgres, anon, authenticated, service_role;
create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgcrypto with schema extensions;
-- Untrusted extensions that supautils lets postgres create on Supabase; only a
-- superuser can create them here, so they are created up front.
create extension if not exists pgtap with schema extensions;
create extension if not exists plpgsql_check with schema extensions;

-- auth ------------------------------------------------------------------------
do $$
begin
  if not exists (select 1 from pg_namespace where nspname = 'auth') then
    create schema auth;
    grant usage on schema auth to anon, authenticated, service_role, postgres, dashboard_user;
  end if;
end
$$;

-- As on Supabase: auth.users belongs to supabase_auth_admin, and a foreign key to
-- it checks the referenced row as that owner, which needs the schema.
grant all on schema auth to supabase_auth_admin;

do $$
begin
  if to_regclass('auth.users') is null then
    create table auth.users (
      instance_id uuid,
      id uuid not null primary key,
      aud varchar(255),
      role varchar(255),
      email varchar(255),
      encrypted_password varchar(255),
      email_confirmed_at timestamptz,
      invited_at timestamptz,
      confirmation_token varchar(255),
      confirmation_sent_at timestamptz,
      recovery_token varchar(255),
      recovery_sent_at timestamptz,
      email_change_token_new varchar(255),
      email_change varchar(255),
      email_change_sent_at timestamptz,
      last_sign_in_at timestamptz,
      raw_app_meta_data jsonb,
      raw_user_meta_data jsonb,
      is_super_admin boolean,
      created_at timestamptz,
      updated_at timestamptz,
      phone text unique default null,
      phone_confirmed_at timestamptz,
      phone_change text default '',
      phone_change_token varchar(255) default '',
      phone_change_sent_at timestamptz,
      confirmed_at timestamptz generated always as (least(email_confirmed_at, phone_confirmed_at)) stored,
      email_change_token_current varchar(255) default '',
      email_change_confirm_status smallint default 0,
      banned_until timestamptz,
      reauthentication_token varchar(255) default '',
      reauthentication_sent_at timestamptz,
      is_sso_user boolean not null default false,
      deleted_at timestamptz,
      is_anonymous boolean not null default false
    );
    alter table auth.users owner to supabase_auth_admin;
    alter table auth.users enable row level security;
    grant all on auth.users to postgres, dashboard_user;
  end if;
end
$$;

do $$
begin
  if to_regprocedure('auth.uid()') is not null then
    return;
  end if;
  create function auth.uid() returns uuid
  language sql stable
  as $f$
    select coalesce(
      nullif(current_setting('request.jwt.claim.sub', true), ''),
      (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
    )::uuid
  $f$;
  create function auth.role() returns text
  language sql stable
  as $f$
    select coalesce(
      nullif(current_setting('request.jwt.claim.role', true), ''),
      (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
    )::text
  $f$;
  create function auth.email() returns text
  language sql stable
  as $f$
    select coalesce(
      nullif(current_setting('request.jwt.claim.email', true), ''),
      (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
    )::text
  $f$;
  create function auth.jwt() returns jsonb
  language sql stable
  as $f$
    select coalesce(
      nullif(current_setting('request.jwt.claim', true), ''),
      nullif(current_setting('request.jwt.claims', true), '')
    )::jsonb
  $f$;
  alter function auth.uid() owner to supabase_auth_admin;
  alter function auth.role() owner to supabase_auth_admin;
  alter function auth.email() owner to supabase_auth_admin;
  alter function auth.jwt() owner to supabase_auth_admin;
  grant execute on function auth.uid(), auth.role(), auth.email(), auth.jwt() to public;
end
$$;

-- storage (minimal) ---------------------------------------------------------
do $$
begin
  if not exists (select 1 from pg_namespace where nspname = 'storage') then
    create schema storage;
    grant usage on schema storage to anon, authenticated, service_role, postgres;
    create table storage.buckets (
      id text primary key,
      name text not null unique,
      owner uuid,
      public boolean default false,
      created_at timestamptz default now(),
      updated_at timestamptz default now()
    );
    create table storage.objects (
      id uuid primary key default extensions.gen_random_uuid(),
      bucket_id text references storage.buckets (id),
      name text,
      owner uuid,
      metadata jsonb,
      created_at timestamptz default now(),
      updated_at timestamptz default now()
    );
    alter table storage.buckets enable row level security;
    alter table storage.objects enable row level security;
    alter table storage.buckets owner to supabase_storage_admin;
    alter table storage.objects owner to supabase_storage_admin;
    grant all on storage.buckets, storage.objects to postgres, service_role;
  end if;
end
$$;

-- The rest of the platform's furniture ----------------------------------------
do $$
begin
  if not exists (select 1 from pg_namespace where nspname = 'graphql_public') then
    create schema graphql_public;
  end if;
  if not exists (select 1 from pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
    alter publication supabase_realtime owner to postgres;
  end if;
end
$$;
