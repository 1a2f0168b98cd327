-- A runner that takes several runs at once: ops.claim_runs claims and starts
-- up to 50 runs in one transaction, then one transaction completes them all
-- (ops.complete_workflow_run per run). Runs as service_role.
select count(c.id) as got, coalesce(string_agg(c.id::text, ','), '') as ids
from ops.claim_runs('bench-' || :client_id, null, 50, null, true) as c \gset
\if :got
select count(ops.complete_workflow_run(x::uuid, 0, null, 'bench-' || :client_id))
from unnest(string_to_array(:ids, ',')) as x;
\endif
