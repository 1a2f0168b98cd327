-- projects.settings is a JSON object; anything else is refused by
-- projects_settings_is_object (23514).
begin;
select plan(5);

-- TEST
select throws_ok(
  format(
    $q$insert into ops.projects (slug, name, odoo_series, repository_url, settings)
       values ('p', 'P', '17.0', 'https://git.example/p.git', %L::jsonb)$q$,
    s.settings
  ),
  '23514',
  'new row for relation "projects" violates check constraint "projects_settings_is_object"',
  format('Settings that are %s are refused.', s.what)
)
from (values ('an array', '[]'), ('a string', '"x"'), ('a boolean', 'true'), ('JSON null', 'null')) as s (what, settings);
select lives_ok(
  $$insert into ops.projects (slug, name, odoo_series, repository_url, settings)
    values ('p', 'P', '17.0', 'https://git.example/p.git', '{"test_tags": "/my_module"}')$$,
  'Object settings are stored.'
);

select * from finish();
rollback;
