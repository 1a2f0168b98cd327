-- A runner that takes several runs at once: ops.claim_runs claims and starts
-- up to 50 runs in one transaction, then ops.complete_workflow_runs completes
-- them all in another. Runs as service_role.
select count(c.id) as got, coalesce(string_agg(c.id::text, ','), '') as ids
from ops.claim_runs('bench-' || :client_id, null, 50, null, true) as c \gset
\if :got
select count(*) from ops.complete_workflow_runs(
  string_to_array(:ids, ',')::uuid[], array_fill(0, array[:got::integer]), 'bench-' || :client_id
);
\endif
