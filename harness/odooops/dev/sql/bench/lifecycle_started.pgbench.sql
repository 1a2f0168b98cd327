-- One run's life in two transactions: ops.claim_next_run with p_start (claimed
-- and started in one transaction), then ops.complete_workflow_run, each
-- autocommit, as the worker calls them through the API. Runs as service_role.
select count(c.id) as got, max(c.id::text) as rid
from ops.claim_next_run('bench-' || :client_id, p_start => true) as c \gset
\if :got
select 1 from ops.complete_workflow_run(:rid, 0, null, 'bench-' || :client_id);
\endif
