-- ops.create_project: create a project and get it back, as its creator.
--
-- A plain `insert into ops.projects ... returning *` (what supabase-js
-- `.insert().select()` and PostgREST's return=representation send) fails for
-- the creator with 42501: RETURNING must pass the select policy, which asks
-- for a membership that the after-insert trigger only adds once the statement
-- is done. This function inserts without RETURNING and reads the row back in a
-- second statement, when the creator is already its owner. SECURITY INVOKER:
-- the insert policy and the grants apply as for a direct insert.
-- Objects: function ops.create_project(text, text, text, text, text, jsonb).
-- Locks: none beyond the row inserted.
-- Roll back: drop function ops.create_project(text, text, text, text, text, jsonb).

create or replace function ops.create_project(
  p_slug text,
  p_name text,
  p_odoo_series text,
  p_repository_url text,
  p_production_branch text default 'main',
  p_settings jsonb default '{}'::jsonb
)
returns ops.projects
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_id uuid := extensions.gen_random_uuid();
  v_project ops.projects;
begin
  if p_slug is null or p_slug !~ '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$' then
    raise exception 'p_slug must be lowercase letters, digits and inner dashes (at most 63), got %',
      coalesce(quote_literal(p_slug), 'null')
      using errcode = '22023', hint = 'For example acme-erp.';
  end if;
  if p_odoo_series is null or not ops.is_odoo_series(p_odoo_series) then
    raise exception 'p_odoo_series must be one of 16.0, 17.0, 18.0, 19.0, got %',
      coalesce(quote_literal(p_odoo_series), 'null')
      using errcode = '22023';
  end if;
  if p_settings is null or jsonb_typeof(p_settings) <> 'object' then
    raise exception 'p_settings must be a JSON object, got %', coalesce(left(p_settings::text, 80), 'null')
      using errcode = '22023';
  end if;
  if exists (select 1 from ops.projects as p where p.slug = p_slug) then
    raise exception 'p_slug % is taken by another project', quote_literal(p_slug)
      using errcode = '23505', hint = 'Choose another slug.';
  end if;
  -- No RETURNING here: see the header.
  insert into ops.projects (id, slug, name, odoo_series, repository_url, production_branch, settings)
  values (v_id, p_slug, p_name, p_odoo_series, p_repository_url, coalesce(p_production_branch, 'main'), p_settings);
  select p.* into v_project from ops.projects as p where p.id = v_id;
  return v_project;
end
$$;

comment on function ops.create_project(text, text, text, text, text, jsonb) is
'Creates a project, makes the calling user its owner and returns it. 22023 bad parameter (named), '
'23505 slug taken, 23514 a table check (names the constraint), 42501 not allowed.';

revoke execute on function ops.create_project(text, text, text, text, text, jsonb) from public, anon;
grant execute on function ops.create_project(text, text, text, text, text, jsonb) to authenticated, service_role;
