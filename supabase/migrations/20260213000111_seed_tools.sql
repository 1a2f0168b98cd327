-- Seed: the tools (Docker images) that workflow steps run in by default: the
-- official odoo image for every supported series, and a Python image for the
-- checks that need no Odoo (manifests, linters), which may also run on the
-- worker host when no Docker engine answers.
--
-- Digests are left null: tags are resolved when pulled until someone pins a
-- digest they have verified (never a guessed one).
-- Objects: rows of ops.tools. Locks: ROW EXCLUSIVE on it.
-- Re-runnable: a tool name that exists is left as it is (on conflict do nothing).
-- Roll back: delete from ops.tools where name in (the names below).

insert into ops.tools (name, image, tag, digest, odoo_series, description, run_locally)
values
('odoo-16.0', 'odoo', '16.0', null, '16.0', 'Official Odoo 16.0 image: builds, installs and tests of 16.0 projects.', false),
('odoo-17.0', 'odoo', '17.0', null, '17.0', 'Official Odoo 17.0 image: builds, installs and tests of 17.0 projects.', false),
('odoo-18.0', 'odoo', '18.0', null, '18.0', 'Official Odoo 18.0 image: builds, installs and tests of 18.0 projects.', false),
('odoo-19.0', 'odoo', '19.0', null, '19.0', 'Official Odoo 19.0 image: builds, installs and tests of 19.0 projects.', false),
(
  'python-3.11', 'python', '3.11-slim', null, null,
  'Python 3.11 without Odoo: manifest checks, linters and upgrade-advisory scans of the source tree.', true
)
on conflict (name) do nothing;
