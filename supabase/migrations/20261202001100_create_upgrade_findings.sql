-- Upgrade findings as data: what the upgrade scan (and pylint-odoo) found in a
-- run, one row per finding, readable exactly as the run is.
--
-- * ops.upgrade_findings: the run and its project (carried like ops.run_logs
--   since 20261202000800: the foreign key (run_id, project_id) -> ops.runs
--   (id, project_id), on delete cascade), where the finding comes from
--   (source: 'upgrade-scan', the upgrade advisories, or 'pylint-odoo', OCA's
--   lint), its code (the advisory code, or pylint's message symbol), the
--   advisory it names (advisory_id, set from the code for 'upgrade-scan'; on
--   delete of the advisory set null), the series it breaks on (to_series,
--   copied from the advisory so that editing advisories does not rewrite old
--   scans), its severity, the engine that found it (optional: regex, ast,
--   xml, ... as the scanner says), file, line, col (the 1-based column), the
--   excerpt of the source line and a message. Every text column is bounded.
--   Readable by members of the run's project (viewer and above), with the
--   same policy shape as ops.run_logs; no API role writes it: only
--   ops.add_upgrade_findings does (through ops_private.add_upgrade_findings,
--   a definer, because service_role is not granted INSERT: every write is
--   fenced by the worker holding the run).
-- * ops.add_upgrade_findings(p_run_id, p_findings, p_worker_id): a batch of
--   at most 1000 findings, from the worker holding a claimed or running run
--   (OP002 otherwise, P0002 unknown run). Each element is an object with
--   source, code, file, line, column and optionally severity, engine,
--   excerpt, message; anything else, or a bad value, is refused with 22023
--   naming p_findings[i].field, and nothing of the batch is stored. An
--   'upgrade-scan' code must be a known advisory (its severity is the
--   advisory's; a different one given is refused); a 'pylint-odoo' finding
--   needs a pylint severity. Idempotent: a finding already stored for the
--   run (same source, code, file, line, column) is skipped, and the answer
--   is how many rows were new. A run holds at most 20000 findings (54000).
-- * ops.list_upgrade_blockers(p_target_series): "which of my projects are
--   blocked from series X, and by what" in one query: for each project and
--   branch the caller may read, the latest run that stored an upgrade scan
--   report (artifact upgrade-findings.json), and of its findings those of
--   source 'upgrade-scan', severity 'breaking', whose to_series is at most
--   p_target_series. Row-level security applies (security invoker).
-- Objects: table ops.upgrade_findings (index upgrade_findings_project_id_run_id_idx,
-- policy "authenticated can select upgrade findings of member projects"),
-- functions ops.add_upgrade_findings(uuid, jsonb, text),
-- ops_private.add_upgrade_findings(uuid, jsonb, text),
-- ops.list_upgrade_blockers(text).
-- Locks: none on existing tables but a SHARE ROW EXCLUSIVE on ops.runs and
-- ops.upgrade_advisories for the foreign keys, for an instant.
-- Roll back: drop function ops.list_upgrade_blockers(text),
--   ops.add_upgrade_findings(uuid, jsonb, text),
--   ops_private.add_upgrade_findings(uuid, jsonb, text); drop table ops.upgrade_findings.
--
-- SQLSTATEs:
--   22023 invalid p_run_id, p_findings (naming p_findings[i].field), p_worker_id or p_target_series
--   54000 the run would hold more than 20000 findings
--   OP002 the caller is not the worker holding the run, or the run has ended
--   P0002 unknown run

set local lock_timeout = '5s';

create table ops.upgrade_findings (
  id bigint generated always as identity,
  run_id uuid not null,
  project_id uuid not null,
  source text not null,
  code text not null,
  advisory_id uuid,
  to_series text,
  severity text not null,
  engine text,
  file text not null,
  line integer not null,
  col integer not null,
  excerpt text not null default '',
  message text not null default '',
  created_at timestamptz not null default now(),
  constraint upgrade_findings_pkey primary key (id),
  constraint upgrade_findings_run_id_project_id_fkey foreign key (run_id, project_id)
  references ops.runs (id, project_id) on delete cascade,
  constraint upgrade_findings_advisory_id_fkey foreign key (advisory_id)
  references ops.upgrade_advisories (id) on delete set null,
  constraint upgrade_findings_once_per_run_key unique (run_id, source, file, line, col, code),
  constraint upgrade_findings_source_is_valid check (source in ('upgrade-scan', 'pylint-odoo')),
  constraint upgrade_findings_code_is_valid check (code ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and length(code) <= 64),
  constraint upgrade_findings_to_series_is_valid check (to_series ~ '^[0-9]{1,2}\.0$'),
  constraint upgrade_findings_severity_is_valid check (
    severity in ('breaking', 'deprecation', 'fatal', 'error', 'warning', 'convention', 'refactor', 'info')
  ),
  constraint upgrade_findings_engine_is_valid check (engine ~ '^[a-z][a-z0-9-]{0,31}$'),
  constraint upgrade_findings_file_is_relative check (
    length(file) between 1 and 1024 and file !~ '^/' and file !~ '(^|/)\.\.(/|$)'
  ),
  constraint upgrade_findings_line_is_positive check (line between 1 and 100000000),
  constraint upgrade_findings_col_is_positive check (col between 1 and 1000000),
  constraint upgrade_findings_excerpt_is_bounded check (length(excerpt) <= 500),
  constraint upgrade_findings_message_is_bounded check (length(message) <= 2000)
);

comment on table ops.upgrade_findings is
'What the upgrade scan (advisories) and pylint-odoo found in a run, one row per finding; written by '
'ops.add_upgrade_findings only.';
comment on column ops.upgrade_findings.project_id is
'The project of the run (ops.runs.project_id), for row-level security; set by the database.';
comment on column ops.upgrade_findings.source is
'Who found it: upgrade-scan (an ops.upgrade_advisories code) or pylint-odoo (a pylint message symbol).';
comment on column ops.upgrade_findings.code is 'The advisory code, or the pylint message symbol.';
comment on column ops.upgrade_findings.advisory_id is
'The advisory of an upgrade-scan finding (null for pylint-odoo, or when the advisory was deleted since).';
comment on column ops.upgrade_findings.to_series is
'The first series the change breaks or warns on, copied from the advisory (null for pylint-odoo).';
comment on column ops.upgrade_findings.severity is
'breaking or deprecation (the advisory''s), or pylint''s fatal, error, warning, convention, refactor, info.';
comment on column ops.upgrade_findings.engine is 'The scanner engine that found it, when the scanner says (regex, ast, xml, ...).';
comment on column ops.upgrade_findings.file is 'Path relative to the checkout.';
comment on column ops.upgrade_findings.line is '1-based line number.';
comment on column ops.upgrade_findings.col is '1-based column number.';
comment on column ops.upgrade_findings.excerpt is 'The source line, at most 500 characters.';
comment on column ops.upgrade_findings.message is 'What the tool says (pylint''s message, the scan''s match), at most 2000 characters.';

-- Policies read project_id; the member's findings of a project are found by it.
create index upgrade_findings_project_id_run_id_idx on ops.upgrade_findings (project_id, run_id);
-- Deleting an advisory sets its findings' advisory_id to null.
create index upgrade_findings_advisory_id_idx on ops.upgrade_findings (advisory_id);

alter table ops.upgrade_findings enable row level security;

revoke all on ops.upgrade_findings from public, anon, authenticated, service_role;
grant select on ops.upgrade_findings to authenticated, service_role;

create policy "authenticated can select upgrade findings of member projects"
on ops.upgrade_findings
for select
to authenticated
using (project_id = any(array(select ops_private.member_project_ids('viewer'))));

-- The writer ----------------------------------------------------------------------

create or replace function ops_private.add_upgrade_findings(p_run_id uuid, p_findings jsonb, p_worker_id text)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_keys constant text[] := array['source', 'code', 'file', 'line', 'column', 'severity', 'engine', 'excerpt', 'message'];
  v_project_id uuid;
  v_el jsonb;
  v_key text;
  v_source text;
  v_code text;
  v_advisories jsonb;
  v_advisory jsonb;
  -- An array, not a jsonb array: appending to it does not copy what it holds.
  v_rows jsonb[] := '{}'::jsonb[];
  v_stored integer;
  v_count integer;
begin
  if p_run_id is null then
    raise exception 'p_run_id is required, got null' using errcode = '22023';
  end if;
  if p_findings is null or jsonb_typeof(p_findings) <> 'array' then
    raise exception 'p_findings must be a JSON array of finding objects, got %', coalesce(left(p_findings::text, 80), 'null')
      using errcode = '22023';
  end if;
  if jsonb_array_length(p_findings) > 1000 then
    raise exception 'p_findings may hold at most 1000 findings, got %', jsonb_array_length(p_findings)
      using errcode = '22023', hint = 'Split the batch.';
  end if;
  perform ops_private.check_worker_id(p_worker_id, true);

  -- The advisories once, by code, rather than a lookup per finding.
  select coalesce(jsonb_object_agg(a.code, jsonb_build_object(
    'advisory_id', a.id, 'severity', a.severity::text, 'to_series', a.to_series
  )), '{}'::jsonb)
  into v_advisories
  from ops.upgrade_advisories as a;

  for v_i in 0 .. jsonb_array_length(p_findings) - 1 loop
    v_el := p_findings -> v_i;
    if jsonb_typeof(v_el) <> 'object' then
      raise exception 'p_findings[%] must be an object, got %', v_i, left(v_el::text, 80) using errcode = '22023';
    end if;
    select k into v_key from jsonb_object_keys(v_el) as k where not k = any(v_keys) order by k limit 1;
    if v_key is not null then
      raise exception 'p_findings[%].% is not a known field (%)', v_i, left(v_key, 64), array_to_string(v_keys, ', ')
        using errcode = '22023';
    end if;
    v_source := case when jsonb_typeof(v_el -> 'source') = 'string' then v_el ->> 'source' end;
    if v_source is null or v_source not in ('upgrade-scan', 'pylint-odoo') then
      raise exception 'p_findings[%].source must be upgrade-scan or pylint-odoo, got %', v_i, coalesce(left((v_el -> 'source')::text, 80), 'null')
        using errcode = '22023';
    end if;
    v_code := case when jsonb_typeof(v_el -> 'code') = 'string' then v_el ->> 'code' end;
    if v_code is null or v_code !~ '^[a-z0-9]+(-[a-z0-9]+)*$' or length(v_code) > 64 then
      raise exception 'p_findings[%].code must match ^[a-z0-9]+(-[a-z0-9]+)*$ (at most 64 characters), got %',
        v_i, coalesce(left((v_el -> 'code')::text, 80), 'null')
        using errcode = '22023';
    end if;
    if jsonb_typeof(v_el -> 'file') is distinct from 'string' or length(v_el ->> 'file') not between 1 and 1024
      or v_el ->> 'file' ~ '^/' or v_el ->> 'file' ~ '(^|/)\.\.(/|$)' then
      raise exception 'p_findings[%].file must be a relative path of 1 to 1024 characters without .. segments, got %',
        v_i, coalesce(left((v_el -> 'file')::text, 80), 'null')
        using errcode = '22023';
    end if;
    if jsonb_typeof(v_el -> 'line') is distinct from 'number' or (v_el ->> 'line') !~ '^[0-9]{1,9}$'
      or (v_el ->> 'line')::integer not between 1 and 100000000 then
      raise exception 'p_findings[%].line must be an integer from 1 to 100000000, got %', v_i, coalesce(left((v_el -> 'line')::text, 80), 'null')
        using errcode = '22023';
    end if;
    if jsonb_typeof(v_el -> 'column') is distinct from 'number' or (v_el ->> 'column') !~ '^[0-9]{1,7}$'
      or (v_el ->> 'column')::integer not between 1 and 1000000 then
      raise exception 'p_findings[%].column must be an integer from 1 to 1000000, got %', v_i, coalesce(left((v_el -> 'column')::text, 80), 'null')
        using errcode = '22023';
    end if;
    if v_el ? 'engine' and (jsonb_typeof(v_el -> 'engine') is distinct from 'string'
      or v_el ->> 'engine' !~ '^[a-z][a-z0-9-]{0,31}$') then
      raise exception 'p_findings[%].engine must match ^[a-z][a-z0-9-]{0,31}$, got %', v_i, coalesce(left((v_el -> 'engine')::text, 80), 'null')
        using errcode = '22023';
    end if;
    if v_el ? 'excerpt' and (jsonb_typeof(v_el -> 'excerpt') is distinct from 'string' or length(v_el ->> 'excerpt') > 500) then
      raise exception 'p_findings[%].excerpt must be a string of at most 500 characters, got %',
        v_i, coalesce(left((v_el -> 'excerpt')::text, 80), 'null')
        using errcode = '22023';
    end if;
    if v_el ? 'message' and (jsonb_typeof(v_el -> 'message') is distinct from 'string' or length(v_el ->> 'message') > 2000) then
      raise exception 'p_findings[%].message must be a string of at most 2000 characters, got %',
        v_i, coalesce(left((v_el -> 'message')::text, 80), 'null')
        using errcode = '22023';
    end if;
    if v_el ? 'severity' and jsonb_typeof(v_el -> 'severity') is distinct from 'string' then
      raise exception 'p_findings[%].severity must be a string, got %', v_i, coalesce(left((v_el -> 'severity')::text, 80), 'null')
        using errcode = '22023';
    end if;
    if v_source = 'upgrade-scan' then
      v_advisory := v_advisories -> v_code;
      if v_advisory is null then
        raise exception 'p_findings[%].code % is not an upgrade advisory (ops.upgrade_advisories.code)', v_i, quote_literal(v_code)
          using errcode = '22023';
      end if;
      if v_el ? 'severity' and v_el ->> 'severity' is distinct from v_advisory ->> 'severity' then
        raise exception 'p_findings[%].severity must be the advisory''s, %, got %', v_i, v_advisory ->> 'severity',
          coalesce(left((v_el -> 'severity')::text, 80), 'null')
          using errcode = '22023';
      end if;
      v_rows := array_append(v_rows, v_el || v_advisory || jsonb_build_object('col', v_el -> 'column'));
    else
      if coalesce(v_el ->> 'severity', '') not in ('fatal', 'error', 'warning', 'convention', 'refactor', 'info') then
        raise exception 'p_findings[%].severity must be one of fatal, error, warning, convention, refactor, info, got %',
          v_i, coalesce(left((v_el -> 'severity')::text, 80), 'null')
          using errcode = '22023';
      end if;
      v_rows := array_append(v_rows, v_el || jsonb_build_object('col', v_el -> 'column'));
    end if;
  end loop;

  -- Fence and lock the run: concurrent batches of one run queue up here.
  select r.project_id into v_project_id from ops.runs as r
  where r.id = p_run_id and r.worker_id = p_worker_id and r.status in ('claimed', 'running')
  for no key update;
  if not found then
    perform ops_private.raise_not_holder(p_run_id, p_worker_id, 'add upgrade findings to it');
  end if;

  select count(*) into v_stored from ops.upgrade_findings as f where f.run_id = p_run_id;
  if v_stored + cardinality(v_rows) > 20000 then
    -- A repeat of stored findings is not new: count only those that are.
    select v_stored + count(*) into v_stored
    from unnest(v_rows) as u (v)
    cross join lateral jsonb_to_record(u.v) as x (source text, code text, file text, line integer, col integer)
    where not exists (
      select 1 from ops.upgrade_findings as f
      where f.run_id = p_run_id and f.source = x.source and f.file = x.file and f.line = x.line
        and f.col = x.col and f.code = x.code
    );
    if v_stored > 20000 then
      raise exception 'run %: at most 20000 upgrade findings per run, this batch would make %', p_run_id, v_stored
        using errcode = '54000', hint = 'Store the rest in the JSON artifact only.';
    end if;
  end if;

  insert into ops.upgrade_findings (
    run_id, project_id, source, code, advisory_id, to_series, severity, engine, file, line, col, excerpt, message
  )
  select
    p_run_id, v_project_id, x.source, x.code, x.advisory_id, x.to_series, x.severity, x.engine, x.file, x.line,
    x.col, coalesce(x.excerpt, ''), coalesce(x.message, '')
  from unnest(v_rows) with ordinality as u (v, i)
  cross join lateral jsonb_to_record(u.v) as x (
    source text, code text, advisory_id uuid, to_series text, severity text, engine text, file text,
    line integer, col integer, excerpt text, message text
  )
  order by u.i
  on conflict (run_id, source, file, line, col, code) do nothing;
  get diagnostics v_count = row_count;
  return v_count;
end
$$;

comment on function ops_private.add_upgrade_findings(uuid, jsonb, text) is
'The body of ops.add_upgrade_findings: a definer because no API role may insert into ops.upgrade_findings.';

revoke execute on function ops_private.add_upgrade_findings(uuid, jsonb, text) from public, anon, authenticated;
grant execute on function ops_private.add_upgrade_findings(uuid, jsonb, text) to service_role;

create or replace function ops.add_upgrade_findings(p_run_id uuid, p_findings jsonb, p_worker_id text)
returns integer
language sql
volatile
set search_path = ''
as $$
  select ops_private.add_upgrade_findings(p_run_id, p_findings, p_worker_id)
$$;

comment on function ops.add_upgrade_findings(uuid, jsonb, text) is
'Stores a batch of up to 1000 findings [{source, code, file, line, column, severity?, engine?, excerpt?, message?}] '
'of a run and returns how many were new: a finding already stored (same source, code, file, line, column) is '
'skipped, so a retried batch lands once. upgrade-scan codes must be known advisories (severity and to_series come '
'from the advisory); pylint-odoo findings need a pylint severity. Only the holder (p_worker_id) may add, while the '
'run is held; a run holds at most 20000 findings. SQLSTATEs: 22023 invalid p_run_id, p_findings (naming '
'p_findings[i].field) or p_worker_id; 54000 too many findings for the run; OP002 not the holder or the run has '
'ended; P0002 unknown run.';

revoke execute on function ops.add_upgrade_findings(uuid, jsonb, text) from public, anon, authenticated;
grant execute on function ops.add_upgrade_findings(uuid, jsonb, text) to service_role;

-- The question ----------------------------------------------------------------------

create or replace function ops.list_upgrade_blockers(p_target_series text)
returns table (
  project_slug text,
  branch text,
  run_id uuid,
  commit_sha text,
  scanned_at timestamptz,
  code text,
  to_series text,
  file text,
  line integer,
  col integer,
  excerpt text
)
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_target_series is null or p_target_series !~ '^[0-9]{1,2}\.0$' then
    raise exception 'p_target_series must be an Odoo series such as 18.0, got %', ops_private.quote_short(p_target_series)
      using errcode = '22023';
  end if;
  return query
  with scans as (
    -- The latest run of each project and branch that stored an upgrade scan report.
    select distinct on (r.project_id, r.branch) r.id, r.project_id, r.branch, r.commit_sha, a.created_at
    from ops.run_artifacts as a
    inner join ops.runs as r on r.id = a.run_id and r.project_id = a.project_id
    where a.artifact_key = 'upgrade-findings.json'
    order by r.project_id, r.branch, r.created_at desc, r.id desc
  )

  select p.slug, s.branch, s.id, s.commit_sha, s.created_at, f.code, f.to_series, f.file, f.line, f.col, f.excerpt
  from scans as s
  inner join ops.projects as p on p.id = s.project_id
  inner join ops.upgrade_findings as f on f.run_id = s.id and f.project_id = s.project_id
  where f.source = 'upgrade-scan' and f.severity = 'breaking'
    and f.to_series::numeric <= p_target_series::numeric
  order by p.slug, s.branch, f.to_series::numeric, f.code, f.file, f.line, f.col;
end
$$;

comment on function ops.list_upgrade_blockers(text) is
'Which of the caller''s projects are blocked from p_target_series, and by what: for each project and branch, the '
'breaking upgrade-scan findings with to_series <= p_target_series of the latest run that stored an upgrade scan '
'report (artifact upgrade-findings.json). A project or branch whose latest scan found nothing breaking has no '
'row. Row-level security applies. SQLSTATEs: 22023 invalid p_target_series.';

revoke execute on function ops.list_upgrade_blockers(text) from public, anon;
grant execute on function ops.list_upgrade_blockers(text) to authenticated, service_role;
