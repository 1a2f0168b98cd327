-- projects.odoo_series is one of the series OdooOps builds: 16.0, 17.0, 18.0,
-- 19.0. Anything else is refused by projects_odoo_series_is_supported (23514).
begin;
select plan(11);

-- SETUP
select tests.ops_project('supported', '17.0');

-- TEST
select throws_ok(
  format(
    $q$insert into ops.projects (slug, name, odoo_series, repository_url) values ('p', 'P', %L, 'https://git.example/p.git')$q$,
    s.series
  ),
  '23514',
  'new row for relation "projects" violates check constraint "projects_odoo_series_is_supported"',
  format('Odoo series %s is refused.', s.series)
)
from (values ('15.0'), ('20.0'), ('17'), ('17.0.1'), ('saas-17.2'), ('')) as s (series);
select throws_ok(
  'update ops.projects set odoo_series = ''15.0'' where slug = ''supported''',
  '23514',
  'new row for relation "projects" violates check constraint "projects_odoo_series_is_supported"',
  'A project cannot be moved to an unsupported series either.'
);
select lives_ok(
  format(
    $q$insert into ops.projects (slug, name, odoo_series, repository_url)
       values ('series-' || replace(%1$L, '.', '-'), 'P', %1$L, 'https://git.example/p.git')$q$,
    s.series
  ),
  format('Odoo series %s is accepted.', s.series)
)
from (values ('16.0'), ('17.0'), ('18.0'), ('19.0')) as s (series);

select * from finish();
rollback;
