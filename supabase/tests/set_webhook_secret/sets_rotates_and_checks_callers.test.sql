-- ops.set_webhook_secret: admins and owners and service_role set a project's
-- webhook secret; a second one needs p_rotate (OP013); bad values are refused
-- without being quoted; developers get 42501, non-members P0002; the secret
-- is never returned.
begin;
select plan(10);

-- SETUP
select tests.ops_world();

-- TEST
select ok(
  not has_function_privilege('anon', 'ops.set_webhook_secret(text, text, text, boolean)', 'execute')
  and has_function_privilege('authenticated', 'ops.set_webhook_secret(text, text, text, boolean)', 'execute')
  and has_function_privilege('service_role', 'ops.set_webhook_secret(text, text, text, boolean)', 'execute'),
  'authenticated (role checked inside) and service_role may execute set_webhook_secret; anon may not.'
);
select is(
  array(
    select a from pg_proc as p, unnest(p.proargnames) as a
    where p.oid = 'ops.set_webhook_secret(text, text, text, boolean)'::regprocedure and p.proargmodes is not null
      and a not like 'p\_%'
  ),
  array['provider', 'created_at', 'updated_at'],
  'It returns the provider and times only.'
);
select tests.authenticate_as('a-admin');
select is(
  (select provider from ops.set_webhook_secret('project-a', 'github', 'a-secret-set-by-an-admin')),
  'github', 'An admin sets the GitHub secret.'
);
select throws_ok(
  $$select ops.set_webhook_secret('project-a', 'github', 'another-secret-not-rotated')$$,
  'OP013', 'project project-a already has a github webhook secret', 'A second secret needs p_rotate.'
);
select lives_ok(
  $$select ops.set_webhook_secret('project-a', 'github', 'another-secret-rotated-now', true)$$,
  'With p_rotate it is replaced.'
);
select throws_ok(
  $$select ops.set_webhook_secret('project-a', 'gitlab', 'short')$$,
  '22023', 'p_secret must be 16 to 256 printable ASCII characters without spaces, got 5 characters',
  'A short secret is refused, not quoted.'
);
select throws_ok(
  $$select ops.set_webhook_secret('project-a', 'gitea', 'a-secret-set-by-an-admin')$$,
  '22023', 'p_provider must be github or gitlab, got ''gitea''', 'An unknown provider is refused.'
);
select tests.authenticate_as('a-developer');
select throws_ok(
  $$select ops.set_webhook_secret('project-a', 'gitlab', 'a-secret-from-a-developer')$$,
  '42501', 'set_webhook_secret: managing the secrets of project project-a needs the admin role or above',
  'A developer may not.'
);
select tests.authenticate_as('b-owner');
select throws_ok(
  $$select ops.set_webhook_secret('project-a', 'gitlab', 'a-secret-from-b-owner-x')$$,
  'P0002', 'project ''project-a'' not found', 'To a non-member the project does not exist.'
);
select tests.clear_authentication();
select is(
  (select secret from ops_private.webhook_secrets as s join ops.projects as p on p.id = s.project_id
   where p.slug = 'project-a' and s.provider = 'github'),
  'another-secret-rotated-now',
  'The rotated value is stored (as the table owner sees it).'
);

select * from finish();
rollback;
