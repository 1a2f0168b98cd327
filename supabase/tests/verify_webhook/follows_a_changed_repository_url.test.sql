-- A project's webhook follows its repository_url: after the URL changes,
-- deliveries from the new repository verify and the old one is unknown
-- (trigger projects_sync_webhook_repository); the lookup is by index.
begin;
select plan(4);

-- SETUP
select tests.q_remember('acme', tests.q_project('acme'));
select ops.set_webhook_secret('acme', 'github', 'github-secret-of-acme-0001');
update ops.projects set repository_url = 'git@github.com:Acme/Moved.git' where slug = 'acme';

-- TEST
select is(
  (select repository_key from ops_private.webhook_secrets where project_id = tests.q_id('acme')),
  'github.com/acme/moved',
  'The secret''s repository_key follows the new repository_url.'
);
select tests.authenticate_as_service_role();
select is(
  ops.verify_webhook('https://github.com/acme/moved', 'github',
    'sha256=' || encode(extensions.hmac('{}'::bytea, 'github-secret-of-acme-0001'::bytea, 'sha256'), 'hex'), '{}'::bytea),
  tests.q_id('acme'),
  'A delivery from the new repository verifies.'
);
select throws_ok(
  $$select ops.verify_webhook('https://git.test.invalid/acme.git', 'github',
    'sha256=' || encode(extensions.hmac('{}'::bytea, 'github-secret-of-acme-0001'::bytea, 'sha256'), 'hex'), '{}'::bytea)$$,
  'P0002', null, 'The old repository is no longer connected.'
);
select tests.clear_authentication();
select ok(
  exists (
    select 1 from pg_indexes
    where schemaname = 'ops_private' and tablename = 'webhook_secrets'
      and indexname = 'webhook_secrets_repository_key_provider_idx'
  ),
  'Deliveries find their projects through an index on (repository_key, provider).'
);

select * from finish();
rollback;
