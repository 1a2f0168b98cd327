-- tools.digest, when set, is a content digest sha256:<64 lowercase hex>;
-- anything else is refused by tools_digest_is_sha256 (23514).
begin;
select plan(8);

-- TEST
select throws_ok(
  format(
    $q$insert into ops.tools (name, image, tag, digest) values ('odoo-pinned', 'odoo', '17.0', %L)$q$, d.digest
  ),
  '23514',
  'new row for relation "tools" violates check constraint "tools_digest_is_sha256"',
  format('A digest that is %s is refused.', d.what)
)
from (values
  ('bare hex', repeat('ab', 32)),
  ('sha512', 'sha512:' || repeat('ab', 64)),
  ('uppercase', 'sha256:' || repeat('AB', 32)),
  ('too short', 'sha256:' || repeat('ab', 31)),
  ('a tag', '17.0')
) as d (what, digest);
select throws_ok(
  $$insert into ops.tools (name, image, tag) values ('odoo-bad', 'Odoo', '17.0')$$,
  '23514',
  'new row for relation "tools" violates check constraint "tools_image_is_valid"',
  'An image name with uppercase letters is refused.'
);
select throws_ok(
  $$insert into ops.tools (name, image, tag, odoo_series) values ('odoo-15', 'odoo', '15.0', '15.0')$$,
  '23514',
  'new row for relation "tools" violates check constraint "tools_odoo_series_is_supported"',
  'A tool for an unsupported Odoo series is refused.'
);
select lives_ok(
  format(
    $q$insert into ops.tools (name, image, tag, digest) values ('odoo-pinned', 'odoo', '17.0', %L)$q$,
    'sha256:' || repeat('0123456789abcdef', 4)
  ),
  'A well-formed sha256 digest is accepted.'
);

select * from finish();
rollback;
