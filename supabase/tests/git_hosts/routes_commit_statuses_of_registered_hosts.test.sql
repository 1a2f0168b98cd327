-- ops.git_hosts: a GitHub Enterprise and a self-managed GitLab registered by
-- service_role; commit statuses of their repositories go to their APIs (the
-- outbox row carries api_url); github.com keeps the notifier's default; a host
-- nobody registered reports nothing; the row keeps its URL after a change.
begin;
select plan(9);

-- SETUP: members of project-a; four projects on four hosts; build runs on pushes to development.
select tests.ops_world();
select tests.q_project('ghe');
select tests.q_project('lab');
select tests.q_project('hub');
select tests.q_project('other');
update ops.projects set repository_url = 'https://code.acme.test/erp/addons.git' where slug = 'ghe';
update ops.projects set repository_url = 'git@Git.Example.Test:group/sub/addons.git' where slug = 'lab';
update ops.projects set repository_url = 'https://github.com/acme/addons' where slug = 'hub';
update ops.projects set repository_url = 'https://git.other.test/team/addons.git' where slug = 'other';
update ops.workflows set triggers = '{"manual": true, "push": {"stages": ["development"]}}'
where project_id in (select id from ops.projects where slug in ('ghe', 'lab', 'hub', 'other'));
select tests.authenticate_as_service_role();

-- TEST
select results_eq(
  $$select host, provider, api_url from ops.set_git_host(' Code.Acme.Test ', 'github', 'https://code.acme.test/api/v3/')$$,
  $$values ('code.acme.test', 'github', 'https://code.acme.test/api/v3')$$,
  'The host is lower-cased and trimmed, the trailing slash dropped.'
);
select lives_ok(
  $$select ops.set_git_host('git.example.test', 'github', 'https://git.example.test/api/v3')$$,
  'A first registration of the GitLab host, with the wrong provider.'
);
select results_eq(
  $$select host, provider, api_url from ops.set_git_host('git.example.test', 'gitlab', 'https://git.example.test')$$,
  $$values ('git.example.test', 'gitlab', 'https://git.example.test')$$,
  'Registering a host again changes it (one row per host).'
);
select tests.authenticate_as('a-admin');
select results_eq(
  $$select provider, repository from ops.commit_status_repository('https://git.example.test/group/sub/addons.git')$$,
  $$values ('gitlab', 'group/sub/addons')$$,
  'A member sees where a URL reports, though the host table is closed to them.'
);
select tests.authenticate_as_service_role();
create temporary table pushed on commit drop as
select r.id, p.slug from ops.projects as p
cross join lateral ops.record_push(p.id, 'feature/x', tests.q_sha(1), 'alice', 'd-' || p.slug) as r
where p.slug in ('ghe', 'lab', 'hub', 'other');
select results_eq(
  $$select p.slug, o.provider, o.repository, o.state, o.api_url
    from ops.commit_status_outbox as o inner join pushed as p on p.id = o.run_id order by p.slug$$,
  $$values
    ('ghe', 'github', 'erp/addons', 'pending', 'https://code.acme.test/api/v3'),
    ('hub', 'github', 'acme/addons', 'pending', null),
    ('lab', 'gitlab', 'group/sub/addons', 'pending', 'https://git.example.test')$$,
  'Registered hosts report to their API, github.com to the default, an unknown host nowhere.'
);
select results_eq(
  $$select host, provider, api_url from ops.delete_git_host('CODE.acme.test')$$,
  $$values ('code.acme.test', 'github', 'https://code.acme.test/api/v3')$$,
  'A host is removed by name, in any case.'
);
select ops.cancel_run(id, 'not needed') from pushed where slug = 'ghe';
select results_eq(
  $$select o.run_status::text, o.api_url from ops.commit_status_outbox as o
    inner join pushed as p on p.id = o.run_id where p.slug = 'ghe' order by o.id$$,
  $$values ('queued', 'https://code.acme.test/api/v3')$$,
  'After removal the host reports no more; the row already written keeps its URL.'
);
select tests.clear_authentication();
select ok(
  not has_table_privilege('authenticated', 'ops.git_hosts', 'select')
  and not has_table_privilege('anon', 'ops.git_hosts', 'select')
  and not has_function_privilege('authenticated', 'ops.set_git_host(text, text, text)', 'execute')
  and not has_function_privilege('authenticated', 'ops.delete_git_host(text)', 'execute')
  and has_function_privilege('service_role', 'ops.set_git_host(text, text, text)', 'execute'),
  'Only service_role reads and writes the hosts.'
);
select ok(
  (select relrowsecurity from pg_class where oid = 'ops.git_hosts'::regclass),
  'Row-level security is on.'
);

select * from finish();
rollback;
