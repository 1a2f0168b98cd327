-- Retention of the commit status outbox: delivered rows are kept for a while
-- (members see what was sent), then deleted in bounded batches by the notifier.
--
-- * ops.prune_commit_statuses(older than days, limit): deletes at most p_limit
--   (1 to 10000) rows of ops.commit_status_outbox delivered more than
--   p_older_than_days (1 to 3650) days ago, oldest first, skipping rows another
--   session holds; returns how many. Undelivered, superseded and given-up rows
--   are kept. service_role only (odooops notify --retain-days calls it until a
--   batch comes back short).
-- * Index commit_status_outbox_delivered_at_idx (delivered_at, partial): each
--   batch is an index range scan, however large the outbox.
--
-- Objects: function ops.prune_commit_statuses(integer, integer); index
-- commit_status_outbox_delivered_at_idx.
-- Locks: SHARE on ops.commit_status_outbox while the index is built (inserts
-- wait; the outbox is small and append-only, the build takes milliseconds);
-- lock_timeout 5s.
-- Roll back: drop function ops.prune_commit_statuses(integer, integer); drop
--   index ops.commit_status_outbox_delivered_at_idx.
--
-- SQLSTATEs:
--   22023 invalid parameter (named)

set local lock_timeout = '5s';

create index commit_status_outbox_delivered_at_idx on ops.commit_status_outbox (delivered_at)
where delivered_at is not null;

create or replace function ops.prune_commit_statuses(p_older_than_days integer, p_limit integer default 1000)
returns integer
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_deleted integer;
begin
  if p_older_than_days is null or p_older_than_days not between 1 and 3650 then
    raise exception 'p_older_than_days must be from 1 to 3650, got %', coalesce(p_older_than_days::text, 'null')
      using errcode = '22023';
  end if;
  if p_limit is null or p_limit not between 1 and 10000 then
    raise exception 'p_limit must be from 1 to 10000, got %', coalesce(p_limit::text, 'null')
      using errcode = '22023';
  end if;
  with doomed as (
    select o.id from ops.commit_status_outbox as o
    where o.delivered_at < now() - make_interval(days => p_older_than_days)
    order by o.delivered_at
    limit p_limit
    for update skip locked
  )

  delete from ops.commit_status_outbox as o
  using doomed as d
  where o.id = d.id;
  get diagnostics v_deleted = row_count;
  return v_deleted;
end
$$;

comment on function ops.prune_commit_statuses(integer, integer) is
'Deletes at most p_limit (1 to 10000, default 1000) rows of ops.commit_status_outbox delivered more than '
'p_older_than_days (1 to 3650) days ago, oldest first, skipping rows another session holds; returns how many. '
'Undelivered, superseded and given-up rows are kept. service_role only. SQLSTATEs: 22023 invalid parameter.';

revoke execute on function ops.prune_commit_statuses(integer, integer) from public, anon, authenticated;
grant execute on function ops.prune_commit_statuses(integer, integer) to service_role;
