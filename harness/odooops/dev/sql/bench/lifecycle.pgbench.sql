-- One run's life as a worker lives it: claim, start, complete, each its own
-- transaction (autocommit), as ops.claim_next_run, ops.start_workflow_run and
-- ops.complete_workflow_run are called through the API. Runs as service_role.
select count(c.id) as got, max(c.id::text) as rid
from ops.claim_next_run('bench-' || :client_id) as c \gset
\if :got
select 1 from ops.start_workflow_run(:rid, 'bench-' || :client_id);
select 1 from ops.complete_workflow_run(:rid, 0, null, 'bench-' || :client_id);
\endif
