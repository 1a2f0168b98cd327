-- Installation operators, the fleet for them, and a search over a run's log.
--
-- * ops.installation_operators: the users who operate this installation (one
--   row per auth.users id). Project roles say nothing about the machines (a
--   project admin is anyone who created a project), so the fleet of workers
--   (host names, versions) is shown to these users only. Written by
--   service_role alone (`odooops operator add|remove|list`); a signed-in user
--   reads their own row and no other, so that the console can tell whether to
--   show the workers page.
-- * ops.is_installation_operator(): whether the calling user is one (false for
--   anon and for a user who is not).
-- * ops.list_installation_workers(): the fleet, as ops.list_workers() shows it
--   to service_role (id, labels, version, host, started_at, last_seen_at, gone,
--   runs held), for an operator calling as themselves; 42501 for anyone else.
--   security definer: ops.workers and the other tenants' runs are not readable
--   by authenticated, and the function reads them for the operator only after
--   the check. ops.list_workers() is unchanged (service_role only).
-- * ops.search_run_logs(run, query, level, after seq, limit): the lines of a
--   run whose message contains the query (case-insensitive, no pattern
--   characters), at the level or above, in line order. A bounded scan per
--   run: one call reads at most the 100,000 lines with seq in (after, after +
--   100000], by the run_logs_run_id_seq_key index, and stops at the limit
--   (at most 500); the caller continues from the last line returned, or from
--   after + 100000. Row-level security decides which runs are read (security
--   invoker): another tenant's run yields no line, as an unknown one does.
--   No trigram index: it would tax every log write for a read that is rare
--   and already bounded per run.
--
-- Objects: table ops.installation_operators (RLS, policy, grants, comment);
-- functions ops.is_installation_operator(), ops.list_installation_workers(),
-- ops.search_run_logs(uuid, text, ops.log_level, bigint, integer).
-- Locks: none on existing tables (a new table and new functions).
-- Roll back: drop the three functions and table ops.installation_operators.
--
-- SQLSTATEs:
--   22023 invalid parameter, naming it (p_query empty or longer than 200
--         characters, p_after_seq negative, p_limit outside 1..500)
--   42501 ops.list_installation_workers called by a user who is no operator

create table ops.installation_operators (
  user_id uuid not null,
  created_at timestamptz not null default now(),
  constraint installation_operators_pkey primary key (user_id),
  constraint installation_operators_user_id_fkey foreign key (user_id) references auth.users (id) on delete cascade
);

comment on table ops.installation_operators is
'Users who operate the installation: they see the fleet of workers (ops.list_installation_workers). '
'Written by service_role only (odooops operator add|remove); a user reads their own row.';

alter table ops.installation_operators enable row level security;

revoke all on ops.installation_operators from public, anon, authenticated;
grant select on ops.installation_operators to authenticated;
grant select, insert, delete on ops.installation_operators to service_role;

create policy "authenticated can select own operator row"
on ops.installation_operators
for select
to authenticated
using (user_id = (select auth.uid()));

-- is_installation_operator --------------------------------------------------------------

create or replace function ops.is_installation_operator()
returns boolean
language sql
stable
set search_path = ''
as $$
  select exists (
    select 1 from ops.installation_operators as o where o.user_id = (select auth.uid())
  )
$$;

comment on function ops.is_installation_operator() is
'Whether the calling user is an installation operator (security invoker: the policy shows a user their own row).';

revoke execute on function ops.is_installation_operator() from public, anon, authenticated;
grant execute on function ops.is_installation_operator() to authenticated, service_role;

-- list_installation_workers ---------------------------------------------------------------

create or replace function ops.list_installation_workers()
returns table (
  worker_id text,
  labels text[], -- noqa: LT01
  version text,
  host text,
  started_at timestamptz,
  last_seen_at timestamptz,
  gone boolean,
  held_runs integer
)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  -- security definer: the registry and every tenant's runs are read for an operator, never for anyone else.
  if not exists (
    select 1 from ops.installation_operators as o where o.user_id = (select auth.uid())
  ) then
    raise exception 'only installation operators may list the workers'
      using errcode = '42501',
        hint = 'An operator is added with `odooops operator add <user id>`.';
  end if;
  return query
  select
    w.id, w.labels, w.version, w.host, w.started_at, w.last_seen_at,
    w.last_seen_at < now() - ops_private.worker_gone_after(),
    (
      select count(*)::integer from ops.runs as r
      where r.status in ('claimed', 'running') and r.worker_id = w.id
    )
  from ops.workers as w
  order by w.last_seen_at < now() - ops_private.worker_gone_after(), w.id
  limit 1000;
end
$$;

comment on function ops.list_installation_workers() is
'The fleet for an installation operator calling as themselves: each worker''s id, labels, version, host, '
'started_at, last_seen_at, gone (not seen for 60 seconds) and the runs it holds; live ones first, at most 1000. '
'SQLSTATEs: 42501 when the caller is not in ops.installation_operators.';

revoke execute on function ops.list_installation_workers() from public, anon, authenticated;
grant execute on function ops.list_installation_workers() to authenticated;

-- search_run_logs -------------------------------------------------------------------------

create or replace function ops.search_run_logs(
  p_run_id uuid,
  p_query text,
  p_level ops.log_level default 'debug',
  p_after_seq bigint default 0,
  p_limit integer default 200
)
returns table (
  seq bigint,
  level ops.log_level,
  stream text,
  message text,
  logged_at timestamptz
)
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_query is null or length(p_query) = 0 or length(p_query) > 200 then
    raise exception 'p_query must be 1 to 200 characters, got %',
      coalesce(quote_literal(left(p_query, 40)) || case when length(p_query) > 40 then '...' else '' end, 'null')
      using errcode = '22023', hint = 'Search for a shorter piece of a line.';
  end if;
  if p_after_seq is null or p_after_seq < 0 then
    raise exception 'p_after_seq must be 0 or more, got %', coalesce(p_after_seq::text, 'null')
      using errcode = '22023';
  end if;
  if p_limit is null or p_limit < 1 or p_limit > 500 then
    raise exception 'p_limit must be 1 to 500, got %', coalesce(p_limit::text, 'null')
      using errcode = '22023';
  end if;
  -- The scan is a range of run_logs_run_id_seq_key: at most 100,000 lines of one run.
  return query
  select l.seq, l.level, l.stream, l.message, l.timestamp
  from ops.run_logs as l
  where
    l.run_id = p_run_id
    and l.seq > p_after_seq
    and l.seq <= p_after_seq + 100000
    and l.level >= coalesce(p_level, 'debug')
    and strpos(lower(l.message), lower(p_query)) > 0
  order by l.seq
  limit p_limit;
end
$$;

comment on function ops.search_run_logs(uuid, text, ops.log_level, bigint, integer) is
'Lines of a run whose message contains p_query (case-insensitive), at p_level or above, in order: '
'a bounded scan of the lines with seq in (p_after_seq, p_after_seq + 100000], at most p_limit (1 to 500) lines. '
'Continue from the last line returned, or from p_after_seq + 100000. Row-level security decides the runs read. '
'SQLSTATEs: 22023 invalid parameter, naming it.';

revoke execute on function ops.search_run_logs(uuid, text, ops.log_level, bigint, integer)
from public, anon, authenticated;
grant execute on function ops.search_run_logs(uuid, text, ops.log_level, bigint, integer)
to authenticated, service_role;
