-- Two costs every labelled claim paid that its work did not need: a scan of
-- ops.runs to ask whether any run above priority 0 is queued, and the label
-- check of each ops.project_queues row the claim moved to the back.
--
-- 1. The claim starts by asking whether any run above priority 0 is queued
--    (those go first, across projects). It asked with EXISTS, which the
--    planner answers by the cheapest way to find one matching row. When
--    such runs are a good share of the table, a sequential scan looks
--    cheapest, because it expects a match on the first pages. The generic
--    plan keeps that choice for the session. Runs above priority 0 that no
--    live worker offers the labels for stay queued, and when they sit at the
--    end of the table every claim of every worker read the whole table to
--    find them: 1.5 ms a claim with 6,000 runs in ops.runs. The question is
--    now the first run in the order of runs_urgent_idx, which only that
--    index answers without a sort: one probe, whatever the statistics say.
--
-- 2. PostgreSQL evaluates every check constraint of a table on every UPDATE.
--    The one check of ops.project_queues calls ops.is_label_set for every
--    non-empty label set. That function is SQL with a search_path of its own,
--    so it is never inlined: its query is planned again in every statement,
--    about 100 µs a row. A claim moves every flagged label set of the project
--    it served to the back, so each labelled set cost that on every claim,
--    and an enqueue that flags a set paid it once. The labels of a row never
--    change after its insert: the rule is now checked by a trigger, when
--    required_labels is written. A broken rule raises what the constraint
--    raised: SQLSTATE 23514, the same message, the constraint's name as the
--    error's constraint, and the labels, quoted short, in the detail.
--
-- Every existing row was checked by the constraint dropped here.
--
-- Measured (PERFORMANCE.md, "The urgent probe and the turns' label check"),
-- claim p50 on one connection, the same queue in two databases, alternating
-- blocks of 50 claims, before -> after: with 2,000 runs without labels,
-- 2,000 over three label sets and 500 of arm64 above priority 0, 3.32 ->
-- 1.78 ms for a worker without labels, 3.55 -> 2.49 ms for one with docker
-- and odoo-17.0; on the long history (1,100,000 runs, 100,000 queued over
-- 1,000 projects) 2.20 -> 2.12 ms and 3.44 -> 2.96 ms.
--
-- Objects: function ops_private.project_queues_check_labels, trigger
-- project_queues_check_labels; check constraint
-- project_queues_required_labels_is_valid dropped; function
-- ops_private.claim_batch (restated: the probe of step 1 only).
-- Locks: ACCESS EXCLUSIVE on ops.project_queues for the drop and the trigger
-- (no scan of the table).

create function ops_private.project_queues_check_labels()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  -- A rule that evaluates to null holds, as in a check constraint.
  if not (cardinality(new.required_labels) = 0 or ops.is_label_set(new.required_labels)) then
    raise exception 'new row for relation "project_queues" violates check constraint "%"',
      'project_queues_required_labels_is_valid'
      using
        errcode = '23514',
        detail = format('required_labels is %s', left(quote_literal(new.required_labels::text), 100)),
        constraint = 'project_queues_required_labels_is_valid',
        schema = 'ops',
        table = 'project_queues',
        column = 'required_labels';
  end if;
  return new;
end
$$;
comment on function ops_private.project_queues_check_labels() is
'Trigger function: the rule project_queues_required_labels_is_valid (an empty set, or ops.is_label_set), checked '
'when required_labels is written; a broken rule raises 23514 with its name as the constraint.';
revoke execute on function ops_private.project_queues_check_labels() from public, anon, authenticated;

create trigger project_queues_check_labels
before insert or update of required_labels on ops.project_queues
for each row
execute function ops_private.project_queues_check_labels();

alter table ops.project_queues drop constraint project_queues_required_labels_is_valid;

-- Changed from 20261202002700: the probe for runs above priority 0 (step 1).
create or replace function ops_private.claim_batch(
  p_worker_id text, p_lease_seconds integer, p_labels text[], p_start boolean, p_limit integer
)
returns setof ops.runs
language plpgsql
volatile
set search_path = ''
-- Plans kept for the session: custom plans were made again on every call (see the header).
set plan_cache_mode = force_generic_plan
as $$
declare
  v_ids uuid[] := '{}'::uuid[];
  v_cycle uuid[] := '{}'::uuid[];   -- projects served by this batch, least recently first
  v_repaired uuid[];
  v_project uuid;
  v_got uuid[];
  v_turn timestamptz;
  v_next_project uuid;
  v_empty tid[];
  v_rows tid[];
  v_now timestamptz;
  v_rpc_events boolean;
  v_many boolean;
begin
  -- The pick: what p_limit claims one after the other would take. The runs
  -- stay queued (locked) until the writes below, so every probe is told
  -- what the batch holds (p_taken) and the turn order is kept here.

  -- 1. Runs above priority 0 (only operators set those) go first, across
  -- projects, best run first: the label sets of the queue the worker may
  -- take (a loose scan of runs_claimable_labels_idx, one probe per set), in
  -- each the first 16 such due runs (runs_urgent_idx), their projects by
  -- the best run. Most queues hold none: one probe of runs_urgent_idx says so,
  -- asked for the first such run in the index's order, which only the index
  -- gives without a sort (an EXISTS could be planned as a scan of ops.runs).
  if (
    select u.id from ops.runs as u
    where u.status = 'queued' and u.priority > 0
    order by u.required_labels, u.priority desc, u.created_at, u.id
    limit 1
  ) is not null then
    loop
      exit when cardinality(v_ids) >= p_limit;
      v_got := '{}';
      for v_project in
        with recursive sets (labels) as (
          (
            select q.required_labels from ops.runs as q
            where q.status = 'queued'
            order by q.required_labels
            limit 1
          )
          union all
          select (
            select q.required_labels from ops.runs as q
            where q.status = 'queued' and q.required_labels > s.labels
            order by q.required_labels
            limit 1
          )
          from sets as s
          where s.labels is not null
        )
        select c.project_id
        from sets as s
        cross join lateral (
          select u.project_id, u.priority, u.created_at, u.id from ops.runs as u
          where u.status = 'queued' and u.priority > 0 and u.required_labels = s.labels and u.run_after <= now()
            and u.id <> all(v_ids)
          order by u.priority desc, u.created_at, u.id
          limit 16
        ) as c
        where s.labels <@ p_labels
        order by c.priority desc, c.created_at, c.id
      loop
        v_got := ops_private.take_runs_of_project(v_project, p_labels, true, v_ids, 1);
        exit when cardinality(v_got) > 0;
      end loop;
      exit when cardinality(v_got) = 0;
      v_ids := v_ids || v_got;
      v_cycle := array_remove(v_cycle, v_project) || v_project;
    end loop;
  end if;

  -- 2. Then the projects' turns, least recently served first, read only
  -- for the label sets the worker may take (project_queues_turn_idx): one
  -- run from each project not served yet, then round the projects this
  -- batch served, each going to the back once served again. Without labels
  -- the turns are one range of the index; with labels, the sets within the
  -- worker's labels are merged by turn (a loose scan finds the sets, one
  -- probe per set finds the next project after the last one tried). A set
  -- in which a probe found no queued run loses its flag (FOR UPDATE SKIP
  -- LOCKED, then checked again in a statement of its own). A set has a
  -- queued run when the first queued (project_id, required_labels) at or
  -- after its own is its own: one probe of runs_project_queue_idx per set,
  -- where EXISTS, planned as a join once for the session, could read all of
  -- ops.runs.
  if cardinality(v_ids) < p_limit then
    v_turn := '-infinity';
    v_project := '00000000-0000-0000-0000-000000000000';
    loop
      if cardinality(p_labels) = 0 then
        select q.project_id, q.last_served_at into v_next_project, v_turn
        from ops.project_queues as q
        where q.required_labels = '{}' and q.has_queued
          and (q.last_served_at, q.project_id) > (v_turn, v_project)
          and q.project_id <> all(v_cycle)
        order by q.last_served_at, q.project_id
        limit 1;
      else
        with recursive sets (labels) as (
          (
            select q.required_labels from ops.project_queues as q
            where q.has_queued
            order by q.required_labels
            limit 1
          )
          union all
          select (
            select q.required_labels from ops.project_queues as q
            where q.has_queued and q.required_labels > s.labels
            order by q.required_labels
            limit 1
          )
          from sets as s
          where s.labels is not null
        )
        select h.project_id, h.last_served_at into v_next_project, v_turn
        from sets as s
        cross join lateral (
          select q.project_id, q.last_served_at from ops.project_queues as q
          where q.required_labels = s.labels and q.has_queued
            and (q.last_served_at, q.project_id) > (v_turn, v_project)
            and q.project_id <> all(v_cycle)
          order by q.last_served_at, q.project_id
          limit 1
        ) as h
        where s.labels <@ p_labels
        order by h.last_served_at, h.project_id
        limit 1;
      end if;
      exit when v_next_project is null;
      v_project := v_next_project;
      v_got := ops_private.take_runs_of_project(v_project, p_labels, false, v_ids, 1);
      if cardinality(v_got) > 0 then
        v_ids := v_ids || v_got;
        v_cycle := v_cycle || v_project;
        exit when cardinality(v_ids) >= p_limit;
      else
        v_empty := array(
          select x.ctid from ops.project_queues as x
          where x.project_id = v_project and x.has_queued and x.required_labels <@ p_labels
            and (
              select (q.project_id, q.required_labels) from ops.runs as q
              where q.status = 'queued' and (q.project_id, q.required_labels) >= (x.project_id, x.required_labels)
              order by q.project_id, q.required_labels
              limit 1
            ) is distinct from (x.project_id, x.required_labels)
          for no key update skip locked
        );
        if cardinality(v_empty) > 0 then
          update ops.project_queues as x set has_queued = false
          where x.ctid = any(v_empty)
            and (
              select (q.project_id, q.required_labels) from ops.runs as q
              where q.status = 'queued' and (q.project_id, q.required_labels) >= (x.project_id, x.required_labels)
              order by q.project_id, q.required_labels
              limit 1
            ) is distinct from (x.project_id, x.required_labels);
        end if;
      end if;
    end loop;
  end if;

  -- 3. Repair: the flag is written without waiting, so a race (an enqueue
  -- committing while a claim clears, an enqueue under repeatable read, a
  -- rolled back enqueue that had set it for another) can leave a label set
  -- of a project with queued runs unflagged. A claim that found nothing,
  -- and one claim in 64, flags every such row, giving it the project's
  -- turn, then tries the projects whose repaired sets the worker may take.
  -- Which rows: a loose scan of runs_project_queue_idx lists the label sets
  -- with queued runs, up to 65 of them. With at most 64, only their rows
  -- can need it; with more, every unflagged row is probed (one probe each).
  -- An idle installation pays one probe, not one per label set.
  if cardinality(v_ids) = 0 or random() < 1.0 / 64 then
    with recursive queued_sets (project_id, required_labels, n) as (
      (
        select q.project_id, q.required_labels, 1 from ops.runs as q
        where q.status = 'queued'
        order by q.project_id, q.required_labels
        limit 1
      )
      union all
      select nx.project_id, nx.required_labels, s.n + 1
      from queued_sets as s
      cross join lateral (
        select q.project_id, q.required_labels from ops.runs as q
        where q.status = 'queued' and (q.project_id, q.required_labels) > (s.project_id, s.required_labels)
        order by q.project_id, q.required_labels
        limit 1
      ) as nx
      where s.n <= 64
    ),
    unflagged as (
      select x.ctid from ops.project_queues as x
      join queued_sets as s on s.project_id = x.project_id and s.required_labels = x.required_labels
      where not x.has_queued
      for no key update of x skip locked
    )
    select (select count(*) from queued_sets) > 64, array(select u.ctid from unflagged as u)
    into v_many, v_rows;
    if v_many then
      v_rows := array(
        select x.ctid from ops.project_queues as x
        where not x.has_queued
          and (
            select (q.project_id, q.required_labels) from ops.runs as q
            where q.status = 'queued' and (q.project_id, q.required_labels) >= (x.project_id, x.required_labels)
            order by q.project_id, q.required_labels
            limit 1
          ) = (x.project_id, x.required_labels)
        for no key update skip locked
      );
    end if;
    with repaired as (
      update ops.project_queues as s
      set
        has_queued = true,
        last_served_at = (select max(y.last_served_at) from ops.project_queues as y where y.project_id = s.project_id)
      where s.ctid = any(v_rows)
      returning s.project_id, s.required_labels, s.last_served_at
    )
    select array_agg(r.project_id order by r.last_served_at, r.project_id) into v_repaired
    from (
      select distinct on (x.project_id) x.project_id, x.last_served_at
      from repaired as x
      where x.required_labels <@ p_labels
      order by x.project_id, x.last_served_at
    ) as r;
    if cardinality(v_ids) = 0 and v_repaired is not null then
      foreach v_project in array v_repaired loop
        v_got := ops_private.take_runs_of_project(v_project, p_labels, false, v_ids, 1);
        if cardinality(v_got) > 0 then
          v_ids := v_ids || v_got;
          v_cycle := v_cycle || v_project;
          exit when cardinality(v_ids) >= p_limit;
        end if;
      end loop;
    end if;
  end if;

  -- 4. Round the served projects until the batch is full or none has a run
  -- left for this worker. The last project left takes the rest at once
  -- where it can (ops_private.take_runs_of_project).
  while cardinality(v_ids) < p_limit and cardinality(v_cycle) > 0 loop
    v_project := v_cycle[1];
    v_cycle := v_cycle[2:];
    v_got := ops_private.take_runs_of_project(
      v_project, p_labels, false, v_ids, case when cardinality(v_cycle) = 0 then p_limit - cardinality(v_ids) else 1 end
    );
    if cardinality(v_got) > 0 then
      v_ids := v_ids || v_got;
      v_cycle := v_cycle || v_project;
    end if;
  end loop;

  if cardinality(v_ids) = 0 then
    return;
  end if;

  -- The writes, one statement each for the whole batch. As service_role the
  -- events are written by ops_private.record_run_events, all in one
  -- statement (see runs_901_record_status_event), and a claim that starts
  -- moves its runs from queued to running in one write, recorded as the two
  -- events claimed and running (see ops.runs_check_transition). Another role
  -- (the owner, in an admin's session) gets the trigger's events: claimed,
  -- then started by a second write.
  v_rpc_events := current_user = 'service_role';
  if v_rpc_events then
    perform set_config('ops.run_events', 'recorded', true);
  end if;
  update ops.runs as r
  set
    status = case when p_start and v_rpc_events then 'running' else 'claimed' end::ops.run_status,
    worker_id = p_worker_id,
    attempt = r.attempt + 1,
    claimed_at = now(),
    started_at = case when p_start and v_rpc_events then now() end,
    heartbeat_at = now(),
    lease_expires_at = now() + make_interval(secs => coalesce(
      p_lease_seconds,
      (select w.lease_seconds from ops.workflows as w where w.id = r.workflow_id),
      60
    ))
  where r.id = any(v_ids);
  if v_rpc_events then
    perform set_config('ops.run_events', '', true);
    perform ops_private.record_run_events(
      v_ids, case when p_start then '{queued,claimed}' else '{queued}' end::ops.run_status[],
      'worker:' || p_worker_id, false
    );
  elsif p_start then
    -- Started in the same transaction: what ops.start_workflow_run does.
    update ops.runs as r
    set status = 'running', started_at = now(), heartbeat_at = now()
    where r.id = any(v_ids);
  end if;

  -- The projects were served now, the last one served last (one clock
  -- reading, a microsecond apart by pick order): all their flagged rows
  -- move to the back. Skip locked: a concurrent claim of the same project
  -- is writing the same moment; fairness loses nothing. The rows are locked
  -- first and written by ctid in a statement of their own (see
  -- ops.runs_mark_project_queued), here and in the repair.
  v_now := clock_timestamp();
  v_rows := array(
    select x.ctid from ops.project_queues as x
    where x.project_id = any(array(select r.project_id from ops.runs as r where r.id = any(v_ids))) and x.has_queued
    for no key update skip locked
  );
  with served as (
    select distinct on (r.project_id) r.project_id, u.n
    from unnest(v_ids) with ordinality as u (id, n)
    join ops.runs as r on r.id = u.id
    order by r.project_id, u.n desc
  )
  update ops.project_queues as s
  set last_served_at = v_now + make_interval(secs => v.n / 1000000.0)
  from served as v
  where s.ctid = any(v_rows) and s.project_id = v.project_id;

  return query
  select r.* from unnest(v_ids) with ordinality as u (id, n)
  join ops.runs as r on r.id = u.id
  order by u.n;
end
$$;

comment on function ops_private.claim_batch(text, integer, text[], boolean, integer) is
'For ops.claim_next_run and ops.claim_runs: picks the p_limit runs that as many single claims in a row would take '
'(runs above priority 0 first, best first; then projects in turn, read in ops.project_queues for the label sets '
'within p_labels only, each project going to the back once served; '
'required_labels within p_labels; project and workflow limits honoured, counting the runs already picked), then '
'claims them in one statement with a lease of p_lease_seconds (default: the workflow''s lease_seconds, else 60 s), '
'starts them in another when p_start, writes their events in one, and marks their projects served. Returns them in '
'pick order. Inputs are checked by the callers.';
revoke execute on function ops_private.claim_batch(text, integer, text[], boolean, integer) from public, anon, authenticated;
grant execute on function ops_private.claim_batch(text, integer, text[], boolean, integer) to service_role;
