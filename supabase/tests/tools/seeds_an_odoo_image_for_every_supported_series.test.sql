-- The seed gives every supported Odoo series its official image, and one
-- Python tool that may run on the worker host; no digest is invented.
begin;
select plan(4);

-- TEST
select results_eq(
  $$select s.series, t.image, t.tag, t.run_locally, t.enabled
    from unnest(array['16.0', '17.0', '18.0', '19.0']) as s (series)
    left join ops.tools as t on t.name = 'odoo-' || s.series and t.odoo_series = s.series
    order by s.series$$,
  $$values
    ('16.0', 'odoo', '16.0', false, true), ('17.0', 'odoo', '17.0', false, true),
    ('18.0', 'odoo', '18.0', false, true), ('19.0', 'odoo', '19.0', false, true)$$,
  'Each supported series has an enabled odoo-<series> tool on the official odoo:<series> image, run in Docker.'
);
select results_eq(
  $$select image, odoo_series, run_locally from ops.tools where name = 'python-3.11'$$,
  $$values ('python'::text, null::text, true)$$,
  'python-3.11 (manifest checks, advisory scans) is the seeded tool that may run on the worker host.'
);
select is_empty(
  $$select 1 from ops.tools where image = 'odoo' and run_locally$$,
  'No Odoo image is marked to run on the worker host.'
);
select is_empty(
  $$select 1 from ops.tools where name in ('odoo-16.0', 'odoo-17.0', 'odoo-18.0', 'odoo-19.0', 'python-3.11')
    and digest is not null$$,
  'The seeded tools carry no digest until one is verified and pinned.'
);

select * from finish();
rollback;
