-- runs_created_by_idx holds only the runs a person queued.
--
-- A run's status changes are never HOT updates, so each of them (claim,
-- start, completion) adds an entry to every full index of ops.runs. Runs
-- queued by service_role (workers' requeues, pushes, the scheduler) have no
-- created_by, yet took an entry in runs_created_by_idx at each change. The
-- index is read by the insert policy's filter on created_by and by the
-- ON DELETE SET NULL of auth.users (created_by = a user's id): both are
-- equalities, which imply created_by is not null, so the partial index
-- serves them as before (pgTAP runs/has_the_documented_columns_keys_and_indexes).
--
-- Measured (PERFORMANCE.md, "The repair's probe, and one index less"):
-- one connection, the same runs in alternating blocks, before and after:
-- claim with p_start then complete 2,134 -> 1,973 µs per run (0.92), a batch
-- of 50 549 -> 516 µs per run (0.94).
--
-- Objects: index ops.runs_created_by_idx (rebuilt, partial).
-- Locks: ACCESS EXCLUSIVE on ops.runs for the drop, SHARE while the new index
-- is built (one pass over the table; writers of ops.runs wait).

drop index ops.runs_created_by_idx;

create index runs_created_by_idx on ops.runs (created_by) where created_by is not null;

comment on index ops.runs_created_by_idx is
'The runs a person queued, by that person (the insert policy, and auth.users'' ON DELETE SET NULL); runs queued '
'by service_role have no created_by and take no entry.';
