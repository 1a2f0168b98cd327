-- ops.verify_webhook refusals: 22023 for bad parameters (naming them), 28000
-- for a missing, malformed or wrong signature (never quoting it), P0002 naming
-- a repository no project is connected to for the provider; callers other
-- than service_role get 42501.
begin;
select plan(11);

-- SETUP
select tests.q_remember('acme', tests.q_project('acme'));
select tests.q_project('nosecret');
select ops.set_webhook_secret('acme', 'github', 'github-secret-of-acme-0001');
select tests.create_supabase_user('owner');
insert into ops.project_memberships (project_id, user_id, role)
select id, tests.get_supabase_uid('owner'), 'owner' from ops.projects;

-- TEST
select tests.authenticate_as('owner');
select throws_ok(
  $$select ops.verify_webhook('https://git.test.invalid/acme', 'github', 'sha256=00', '{}'::bytea)$$,
  '42501', null, 'Not even a project owner may verify a delivery.'
);
select tests.authenticate_as_anon();
select throws_ok(
  $$select ops.verify_webhook('https://git.test.invalid/acme', 'github', 'sha256=00', '{}'::bytea)$$,
  '42501', null, 'anon may not verify a delivery.'
);
select tests.authenticate_as_service_role();
select throws_ok(
  $$select ops.verify_webhook('https://git.test.invalid/acme', 'bitbucket', 'x', '{}'::bytea)$$,
  '22023', 'p_provider must be github or gitlab, got ''bitbucket''', 'An unknown provider is refused, named.'
);
select throws_ok(
  $$select ops.verify_webhook('not a url', 'github', 'x', '{}'::bytea)$$,
  '22023', 'p_repository must be a repository URL (https, ssh or host:path), got ''not a url''',
  'A repository that is no URL is refused, named.'
);
select throws_ok(
  $$select ops.verify_webhook('https://git.test.invalid/acme', 'github', 'x', null)$$,
  '22023', 'p_body must be at most 26214400 bytes (GitHub''s cap), got null', 'A null body is refused.'
);
select throws_ok(
  $$select ops.verify_webhook('https://git.test.invalid/acme', 'github', null, '{}'::bytea)$$,
  '28000', 'p_signature is missing: the delivery is not signed', 'A missing signature is 28000.'
);
select throws_ok(
  $$select ops.verify_webhook('https://git.test.invalid/acme', 'github', 'sha1=abcdef', '{}'::bytea)$$,
  '28000', 'p_signature must be sha256= and 64 hex digits (X-Hub-Signature-256)',
  'A malformed signature is 28000, not quoted.'
);
select throws_ok(
  $$select ops.verify_webhook('https://git.test.invalid/acme', 'github', 'sha256=' || repeat('0', 64), '{}'::bytea)$$,
  '28000', 'the signature does not match the github webhook secret of repository ''git.test.invalid/acme''',
  'A wrong signature is 28000.'
);
select throws_ok(
  $$select ops.verify_webhook('https://git.test.invalid/acme', 'gitlab', 'github-secret-of-acme-0001', '{}'::bytea)$$,
  'P0002', 'repository ''git.test.invalid/acme'' is not connected to any project for gitlab',
  'A provider without a secret is P0002: the GitHub secret is not a GitLab token.'
);
select throws_ok(
  $$select ops.verify_webhook('https://git.test.invalid/elsewhere.git', 'github', 'sha256=' || repeat('0', 64), '{}'::bytea)$$,
  'P0002', 'repository ''git.test.invalid/elsewhere'' is not connected to any project for github',
  'An unknown repository is P0002, named.'
);
select throws_ok(
  $$select ops.verify_webhook('https://git.test.invalid/nosecret', 'github', 'sha256=' || repeat('0', 64), '{}'::bytea)$$,
  'P0002', 'repository ''git.test.invalid/nosecret'' is not connected to any project for github',
  'A project never connected is P0002, like an unknown repository.'
);

select * from finish();
rollback;
