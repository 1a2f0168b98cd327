-- ops.normalize_repository_url: the https clone URL, html_url, ssh:// and
-- scp-style remotes of one repository give the same host/path.
begin;
select plan(8);

select is(ops.normalize_repository_url('https://github.com/Codertocat/Hello-World.git'), 'github.com/codertocat/hello-world',
  'An https clone URL loses its scheme, .git and case.');
select is(ops.normalize_repository_url('https://github.com/Codertocat/Hello-World'), 'github.com/codertocat/hello-world',
  'html_url gives the same.');
select is(ops.normalize_repository_url('git@github.com:Codertocat/Hello-World.git'), 'github.com/codertocat/hello-world',
  'An scp-style ssh remote gives the same.');
select is(ops.normalize_repository_url('ssh://git@github.com:22/Codertocat/Hello-World/'), 'github.com/codertocat/hello-world',
  'An ssh:// URL with a port and a trailing slash gives the same.');
select is(ops.normalize_repository_url('git://github.com/Codertocat/Hello-World.git'), 'github.com/codertocat/hello-world',
  'git_url gives the same.');
select is(ops.normalize_repository_url('https://oauth2:token@gitlab.example.com:8443/group/sub/project.git'),
  'gitlab.example.com/group/sub/project', 'Credentials and port are dropped; GitLab subgroups stay.');
select is(ops.normalize_repository_url(''), null, 'An empty string gives null.');
select is(ops.normalize_repository_url(null), null, 'Null gives null.');

select * from finish();
rollback;
