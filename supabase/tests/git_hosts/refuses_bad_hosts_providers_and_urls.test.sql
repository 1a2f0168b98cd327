-- ops.set_git_host and ops.delete_git_host: a bad host, provider or API URL
-- is 22023 naming the parameter, the value quoted short, and writes nothing;
-- an http URL off this machine is refused (the token would travel in clear);
-- removing an unknown host is P0002.
begin;
select plan(9);

select tests.authenticate_as_service_role();

select throws_ok(
  $$select ops.set_git_host('localhost', 'gitlab', 'https://localhost')$$, '22023',
  'p_host must be a lower-case DNS name with a dot, up to 253 characters, got ''localhost''',
  'A host without a dot is refused.'
);
select throws_ok(
  $$select ops.set_git_host('git.example.test/x', 'gitlab', 'https://git.example.test')$$, '22023',
  'p_host must be a lower-case DNS name with a dot, up to 253 characters, got ''git.example.test/x''',
  'A host with a path is refused.'
);
select throws_ok(
  $$select ops.set_git_host(repeat('a', 300) || '.test', 'gitlab', 'https://x.test')$$, '22023',
  'p_host must be a lower-case DNS name with a dot, up to 253 characters, got ''' || repeat('a', 200)
  || '''... (305 characters)',
  'A long host is quoted short.'
);
select throws_ok(
  $$select ops.set_git_host('git.example.test', 'gitea', 'https://git.example.test')$$, '22023',
  'p_provider must be github or gitlab, got ''gitea''', 'An unknown provider is refused.'
);
select throws_ok(
  $$select ops.set_git_host('git.example.test', 'gitlab', 'https://user:pw@git.example.test')$$, '22023',
  'p_api_url must be an http(s) URL without user, query, fragment or trailing slash, up to 2048 characters, got '
  '''https://user:pw@git.example.test''',
  'An API URL with credentials is refused.'
);
select throws_ok(
  $$select ops.set_git_host('git.example.test', 'gitlab', 'http://git.example.test')$$, '22023',
  'p_api_url must be https (http only to this machine): the provider token is sent to it, got '
  '''http://git.example.test''',
  'Plain http off this machine is refused.'
);
select lives_ok(
  $$select ops.set_git_host('git.example.test', 'gitlab', 'http://127.0.0.1:8080')$$,
  'http to this machine is allowed (a tunnel, a test provider).'
);
select throws_ok(
  $$select ops.delete_git_host('nothing.example.test')$$, 'P0002', 'no git host ''nothing.example.test''',
  'Removing an unknown host says so.'
);
select is((select count(*)::int from ops.git_hosts), 1, 'Only the valid registration was written.');

select * from finish();
rollback;
