-- ops.verify_webhook accepts GitHub's X-Hub-Signature-256 (HMAC-SHA256 of the
-- raw body with the project's secret) and GitLab's X-Gitlab-Token, for any URL
-- form of the repository, and picks among projects sharing a repository the
-- one whose secret signs the delivery.
begin;
select plan(6);

-- SETUP
select tests.q_remember('acme', tests.q_project('acme'));
select tests.q_remember('acme2', tests.q_project('acme2'));
update ops.projects set repository_url = 'git@git.test.invalid:acme.git' where slug = 'acme2';
select ops.set_webhook_secret('acme', 'github', 'github-secret-of-acme-0001');
select ops.set_webhook_secret('acme2', 'github', 'github-secret-of-acme2-0002');
select ops.set_webhook_secret('acme', 'gitlab', 'gitlab-token-of-acme-0003');

select tests.authenticate_as_service_role();

-- TEST
select is(
  ops.verify_webhook('https://git.test.invalid/acme', 'github',
    'sha256=' || encode(extensions.hmac('{"zen": "x"}'::bytea, 'github-secret-of-acme-0001'::bytea, 'sha256'), 'hex'),
    '{"zen": "x"}'::bytea),
  tests.q_id('acme'),
  'A GitHub delivery signed with acme''s secret is acme''s.'
);
select is(
  ops.verify_webhook('ssh://git@git.test.invalid/acme.git', 'github',
    'sha256=' || encode(extensions.hmac('{"zen": "x"}'::bytea, 'github-secret-of-acme2-0002'::bytea, 'sha256'), 'hex'),
    '{"zen": "x"}'::bytea),
  tests.q_id('acme2'),
  'The same repository signed with acme2''s secret is acme2''s.'
);
select is(
  ops.verify_webhook('https://git.test.invalid/acme.git', 'gitlab', 'gitlab-token-of-acme-0003', '{}'::bytea),
  tests.q_id('acme'),
  'A GitLab delivery with acme''s token is acme''s.'
);
select throws_ok(
  $$select ops.verify_webhook('https://git.test.invalid/acme.git', 'github',
    'sha256=' || encode(extensions.hmac('{"zen": "y"}'::bytea, 'github-secret-of-acme-0001'::bytea, 'sha256'), 'hex'),
    '{"zen": "x"}'::bytea)$$,
  '28000', 'the signature does not match the github webhook secret of repository ''git.test.invalid/acme''',
  'A signature of another body is refused.'
);

select tests.clear_authentication();
select ops.set_webhook_secret('acme', 'github', 'github-secret-rotated-0004', true);
select tests.authenticate_as_service_role();
select throws_ok(
  $$select ops.verify_webhook('https://git.test.invalid/acme', 'github',
    'sha256=' || encode(extensions.hmac('{}'::bytea, 'github-secret-of-acme-0001'::bytea, 'sha256'), 'hex'), '{}'::bytea)$$,
  '28000', null, 'After a rotation the old secret is refused.'
);
select is(
  ops.verify_webhook('https://git.test.invalid/acme', 'github',
    'sha256=' || encode(extensions.hmac('{}'::bytea, 'github-secret-rotated-0004'::bytea, 'sha256'), 'hex'), '{}'::bytea),
  tests.q_id('acme'),
  'The new one is accepted.'
);

select * from finish();
rollback;
