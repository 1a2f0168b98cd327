-- ops.register_artifact_store: registers a directory-like root URL once and
-- returns it; refuses (22023) anything that is not a file:///dir/, s3://bucket/
-- or https://host/ directory, quoting at most 200 characters of it; service_role only.
begin;
select plan(19);

-- SETUP: a user, to show that signed-in users cannot register stores.
select tests.create_supabase_user('someone');
select tests.authenticate_as_service_role();

-- TEST: registration, and its repeat.
create temporary table first on commit drop as
select * from ops.register_artifact_store('file:///var/lib/odooops/artifacts/', 'local runner');
select results_eq(
  'select root_url, description, created_at from first',
  $$values ('file:///var/lib/odooops/artifacts/'::text, 'local runner'::text, now())$$,
  'A file:/// directory is registered and returned.'
);
select results_eq(
  $$select * from ops.register_artifact_store('file:///var/lib/odooops/artifacts/', 'local runner')$$,
  'select * from first',
  'Registering the same root again returns the stored row.'
);
select results_eq(
  $$select * from ops.register_artifact_store('file:///var/lib/odooops/artifacts/', 'another description')$$,
  'select * from first',
  'A repeat with another description returns the stored row unchanged.'
);
select is(
  (select count(*)::integer from ops.artifact_stores where root_url = 'file:///var/lib/odooops/artifacts/'), 1,
  'The root is stored once.'
);
select is(
  (ops.register_artifact_store('s3://odooops-artifacts/runs/')).root_url, 's3://odooops-artifacts/runs/',
  'An s3://bucket/prefix/ is registered.'
);
select is(
  (ops.register_artifact_store('s3://odooops-artifacts/')).root_url, 's3://odooops-artifacts/',
  'A whole bucket is registered.'
);
select is(
  (ops.register_artifact_store('https://files.example.com:8443/artifacts/')).description, null,
  'An https:// base with a port is registered, without a description.'
);

-- TEST: roots that are not a directory of a store are refused, quoting the value.
select throws_ok(
  format('select ops.register_artifact_store(%L)', r.root_url),
  '22023',
  'p_root_url must be a directory URL ending in "/" (file:///dir/, s3://bucket/prefix/, https://host/path/) '
  || 'without . or .. segments (plain or percent-encoded), got ' || coalesce(quote_literal(r.root_url), 'null'),
  format('%s is refused.', r.what)
)
from (values
  ('The root of the file system (file:///)', 'file:///'),
  ('A file:/// root climbing out with ..', 'file:///../x/'),
  ('A directory with a . segment', 'file:///var/./artifacts/'),
  ('Plain http://', 'http://files.example.com/artifacts/'),
  ('A root without a trailing slash', 's3://odooops-artifacts/runs'),
  ('A URL with a query', 'https://files.example.com/artifacts/?sig=1/'),
  ('A null root', null)
) as r (what, root_url);
select throws_ok(
  format('select ops.register_artifact_store(%L)', 'https://files.example.com/' || repeat('a', 1100) || '/'),
  '22023',
  'p_root_url must be a directory URL ending in "/" (file:///dir/, s3://bucket/prefix/, https://host/path/) '
  || 'without . or .. segments (plain or percent-encoded), got ''https://files.example.com/' || repeat('a', 174) || '''... (1127 characters)',
  'A root over 1024 characters is refused, quoting only its first 200 characters and its length.'
);
select throws_ok(
  format('select ops.register_artifact_store(%L, %L)', 's3://odooops-artifacts/other/', repeat('d', 1001)),
  '22023', 'p_description must be at most 1000 characters, got 1001', 'A description over 1000 characters is refused.'
);
select is(
  (select count(*)::integer from ops.artifact_stores), 4, 'The refused calls stored nothing (four roots registered).'
);

-- TEST: only service_role may register.
select tests.clear_authentication();
select ok(
  has_function_privilege('service_role', 'ops.register_artifact_store(text, text)', 'execute')
  and not has_function_privilege('authenticated', 'ops.register_artifact_store(text, text)', 'execute')
  and not has_function_privilege('anon', 'ops.register_artifact_store(text, text)', 'execute'),
  'Only service_role may execute register_artifact_store.'
);
select tests.authenticate_as('someone');
select throws_ok(
  $$select ops.register_artifact_store('s3://attacker-bucket/')$$,
  '42501', 'permission denied for function register_artifact_store',
  'A signed-in user cannot register a store.'
);

select * from finish();
rollback;
