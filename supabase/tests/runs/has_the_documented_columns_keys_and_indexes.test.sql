-- ops.runs: the queue. Its columns, types, keys, named checks, indexes (the
-- partial claim index above all), triggers, grants, policies and row-level security.
begin;
select plan(70);

-- TEST: columns, types and nullability.
select has_table('ops', 'runs', 'ops.runs exists.');
select columns_are(
  'ops', 'runs',
  array[
    'id', 'project_id', 'workflow_id', 'stage', 'branch', 'commit_sha', 'params', 'priority', 'run_after', 'status',
    'attempt', 'max_attempts', 'worker_id', 'lease_expires_at', 'heartbeat_at', 'cancel_requested_at',
    'cancel_reason', 'exit_code', 'error_message', 'last_log_seq', 'idempotency_key', 'created_by', 'created_at',
    'claimed_at', 'started_at', 'finished_at', 'updated_at', 'required_labels',
    'branch_id', 'push_delivery_id', 'pull_request_number', 'source_ref', 'untrusted'
  ],
  'ops.runs has exactly the documented columns.'
);
select col_type_is('ops', 'runs', c.name, c.type, format('runs.%s is %s.', c.name, c.type))
from (values
  ('id', 'uuid'), ('project_id', 'uuid'), ('workflow_id', 'uuid'), ('stage', 'ops.run_stage'), ('branch', 'text'),
  ('commit_sha', 'text'), ('params', 'jsonb'), ('priority', 'integer'), ('run_after', 'timestamp with time zone'),
  ('status', 'ops.run_status'), ('attempt', 'integer'), ('max_attempts', 'integer'), ('worker_id', 'text'),
  ('lease_expires_at', 'timestamp with time zone'), ('heartbeat_at', 'timestamp with time zone'),
  ('cancel_requested_at', 'timestamp with time zone'), ('cancel_reason', 'text'), ('exit_code', 'integer'),
  ('error_message', 'text'), ('last_log_seq', 'bigint'), ('idempotency_key', 'text'), ('created_by', 'uuid'),
  ('created_at', 'timestamp with time zone'), ('claimed_at', 'timestamp with time zone'),
  ('started_at', 'timestamp with time zone'), ('finished_at', 'timestamp with time zone'),
  ('updated_at', 'timestamp with time zone'), ('required_labels', 'text[]'), ('branch_id', 'uuid'),
  ('push_delivery_id', 'text'), ('pull_request_number', 'integer'), ('source_ref', 'text'), ('untrusted', 'boolean')
) as c (name, type);
select is(
  array(
    select a.attname::text from pg_attribute as a
    where a.attrelid = 'ops.runs'::regclass and a.attnum > 0 and not a.attisdropped and not a.attnotnull
    order by a.attnum
  ),
  array[
    'worker_id', 'lease_expires_at', 'heartbeat_at', 'cancel_requested_at', 'cancel_reason', 'exit_code',
    'error_message', 'idempotency_key', 'created_by', 'claimed_at', 'started_at', 'finished_at',
    'push_delivery_id', 'pull_request_number', 'source_ref'
  ],
  'Only what a run gains along its life (worker, lease, outcome, timestamps) and the optional keys are nullable.'
);
select enum_has_labels(
  'ops', 'run_status', array['queued', 'claimed', 'running', 'succeeded', 'failed', 'canceled'],
  'ops.run_status has the six statuses, in life order.'
);
select enum_has_labels(
  'ops', 'run_stage', array['production', 'staging', 'development'], 'ops.run_stage has the three stages.'
);
select col_default_is('ops', 'runs', 'status', 'queued', 'A run starts queued.');
select col_default_is('ops', 'runs', 'stage', 'development', 'A run builds a development branch by default.');
select col_default_is('ops', 'runs', 'params', '{}'::jsonb, 'Params default to an empty object.');
select col_default_is('ops', 'runs', 'required_labels', '{}'::text[], 'A run requires no label by default.');

-- TEST: keys and named checks (the rules of the fixed fields are checked by
-- runs_950_check_fixed_fields: runs/checks_fixed_fields_only_when_written).
select col_is_pk('ops', 'runs', 'id', 'runs.id is the primary key.');
select col_is_unique(
  'ops', 'runs', array['project_id', 'idempotency_key'], 'An idempotency key is unique within a project.'
);
select fk_ok('ops', 'runs', 'project_id', 'ops', 'projects', 'id', 'runs.project_id references ops.projects.');
select fk_ok(
  'ops', 'runs', array['workflow_id', 'project_id'], 'ops', 'workflows', array['id', 'project_id'],
  'runs.(workflow_id, project_id) references a workflow of the same project.'
);
select fk_ok('ops', 'runs', 'created_by', 'auth', 'users', 'id', 'runs.created_by references auth.users.');
select set_eq(
  $$select conname::text, contype::text from pg_constraint where conrelid = 'ops.runs'::regclass$$,
  $$values
    ('runs_pkey', 'p'), ('runs_project_id_idempotency_key_key', 'u'), ('runs_id_project_id_key', 'u'),
    ('runs_project_id_fkey', 'f'),
    ('runs_workflow_id_project_id_fkey', 'f'), ('runs_created_by_fkey', 'f'),
    ('runs_attempt_is_within_max', 'c'), ('runs_worker_id_is_valid', 'c'),
    ('runs_error_message_is_bounded', 'c'), ('runs_cancel_reason_is_bounded', 'c'),
    ('runs_held_runs_have_worker', 'c'), ('runs_finished_runs_have_finished_at', 'c'),
    ('runs_branch_id_project_id_fkey', 'f')$$,
  'ops.runs has exactly the documented constraints, named for their rule.'
);

-- TEST: indexes; the claim index is partial, over queued runs, in claim order.
select indexes_are(
  'ops', 'runs',
  array[
    'runs_pkey', 'runs_project_id_idempotency_key_key', 'runs_claimable_idx', 'runs_claimable_labels_idx',
    'runs_project_queue_idx', 'runs_held_project_idx', 'runs_urgent_idx',
    'runs_created_by_idx', 'runs_queued_branch_idx', 'runs_id_project_id_key', 'runs_branch_id_created_at_idx',
    'runs_project_id_created_at_id_idx'
  ],
  'ops.runs has exactly the documented indexes.'
);
select has_index(
  'ops', 'runs', 'runs_claimable_idx', array['priority', 'created_at', 'id'],
  'runs_claimable_idx covers priority, created_at and id.'
);
select index_is_type('ops', 'runs', 'runs_claimable_idx', 'btree', 'runs_claimable_idx is a btree.');
select is(
  (select pg_get_expr(i.indpred, i.indrelid) from pg_index as i where i.indexrelid = 'ops.runs_claimable_idx'::regclass),
  '(status = ''queued''::ops.run_status)',
  'runs_claimable_idx is partial: it holds queued runs only.'
);
select is(
  pg_get_indexdef('ops.runs_claimable_idx'::regclass),
  'CREATE INDEX runs_claimable_idx ON ops.runs USING btree (priority DESC, created_at, id) '
  || 'WHERE (status = ''queued''::ops.run_status)',
  'runs_claimable_idx is in the claim ORDER BY: priority descending, then created_at and id ascending.'
);
select is(
  pg_get_indexdef('ops.runs_claimable_labels_idx'::regclass),
  'CREATE INDEX runs_claimable_labels_idx ON ops.runs USING btree (required_labels, priority DESC, created_at, id) '
  || 'WHERE (status = ''queued''::ops.run_status)',
  'runs_claimable_labels_idx holds queued runs by label set, then in claim order: a claim reads only the sets '
  || 'its worker can take.'
);
select is(
  pg_get_indexdef('ops.runs_held_project_idx'::regclass),
  'CREATE INDEX runs_held_project_idx ON ops.runs USING btree (project_id, workflow_id, branch) '
  || 'WHERE (status = ANY (ARRAY[''claimed''::ops.run_status, ''running''::ops.run_status]))',
  'runs_held_project_idx is partial: it holds claimed and running runs only (limits, lease recovery).'
);
select is(
  pg_get_indexdef('ops.runs_queued_branch_idx'::regclass),
  'CREATE INDEX runs_queued_branch_idx ON ops.runs USING btree (workflow_id, branch) '
  || 'WHERE (status = ''queued''::ops.run_status)',
  'runs_queued_branch_idx holds the queued runs of each workflow and branch (the supersede of ops.enqueue_run).'
);
select is(
  pg_get_indexdef('ops.runs_project_id_created_at_id_idx'::regclass),
  'CREATE INDEX runs_project_id_created_at_id_idx ON ops.runs USING btree '
  || '(project_id, created_at DESC, id DESC, status)',
  'runs.project_id, which policies filter on, leads an index of a project''s runs newest first, status last: '
  || 'a member''s count by status reads the index only.'
);
select col_is_unique(
  'ops', 'runs', array['id', 'project_id'],
  'runs.(id, project_id) is unique: the key the child tables reference with their project.'
);
select is(
  pg_get_indexdef('ops.runs_created_by_idx'::regclass),
  'CREATE INDEX runs_created_by_idx ON ops.runs USING btree (created_by) WHERE (created_by IS NOT NULL)',
  'runs.created_by is indexed for the runs a person queued only: a status change of a run queued by '
  || 'service_role takes no entry.'
);
set local enable_seqscan = off;
select ok(
  exists (
    select 1 from tests.plan_of(
      $$select r.id from ops.runs as r where r.created_by = '00000000-0000-0000-0000-000000000001'$$
    ) as p (line)
    where p.line like '%runs_created_by_idx%'
  ),
  'A lookup of a person''s runs (the insert policy, the delete of a user) can read runs_created_by_idx.'
);
reset enable_seqscan;
select hasnt_index('ops', 'runs', 'runs_workflow_id_idx', 'runs.workflow_id leads no index: no query reads runs by workflow alone.');
select is(
  (select reloptions from pg_class where oid = 'ops.runs'::regclass),
  array['fillfactor=80'],
  'ops.runs leaves room on each page so heartbeats stay HOT updates.'
);

-- TEST: triggers, row-level security, policies and grants.
select triggers_are(
  'ops', 'runs',
  array[
    'runs_set_updated_at', 'runs_050_check_secret_params', 'runs_060_copy_required_labels',
    'runs_070_mark_project_queued', 'runs_071_mark_project_queued_again', 'runs_070_set_branch_id',
    'runs_055_refuse_notifier_secrets', 'runs_080_set_push_delivery_id', 'runs_900_queue_commit_status',
    'runs_100_before_insert', 'runs_110_bound_member_priority', 'runs_200_check_transition', 'runs_900_record_event',
    'runs_901_record_status_event', 'runs_065_set_pull_request', 'runs_950_check_fixed_fields'
  ],
  'ops.runs stamps updated_at, checks params for secrets, copies its workflow''s labels, marks its project queued, '
  'sets the fields of pull request runs, sets its branch, marks runs queued by a push, queues their commit statuses, refuses the notifier''s secrets, '
  'checks inserts (members'' '
  'priorities included), the rules of its fixed fields when they are written, and transitions, and records events (those of a status change unless a worker RPC wrote '
  'them).'
);
select is(
  (select relrowsecurity from pg_class where oid = 'ops.runs'::regclass), true,
  'ops.runs has row-level security enabled.'
);
select policies_are(
  'ops', 'runs',
  array[
    'authenticated can select runs of member projects', 'developers can insert runs',
    'developers can request run cancels'
  ],
  'ops.runs has a select, an insert and an update policy, and no delete policy.'
);
select table_privs_are('ops', 'runs', 'anon', array[]::text[], 'anon has no privilege on ops.runs.');
select table_privs_are(
  'ops', 'runs', 'authenticated', array['SELECT'], 'authenticated may select runs (insert and update by column).'
);
select table_privs_are(
  'ops', 'runs', 'service_role', array['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  'service_role may select, insert, update and delete runs.'
);
select is(
  array(
    select a.attname::text from pg_attribute as a
    where a.attrelid = 'ops.runs'::regclass and a.attnum > 0 and not a.attisdropped
      and has_column_privilege('authenticated', a.attrelid, a.attnum, 'INSERT')
    order by a.attnum
  ),
  array[
    'project_id', 'workflow_id', 'stage', 'branch', 'commit_sha', 'params', 'priority', 'run_after', 'max_attempts',
    'idempotency_key'
  ],
  'authenticated chooses what to run, never its status, worker, outcome or creator.'
);
select is(
  array(
    select a.attname::text from pg_attribute as a
    where a.attrelid = 'ops.runs'::regclass and a.attnum > 0 and not a.attisdropped
      and has_column_privilege('authenticated', a.attrelid, a.attnum, 'UPDATE')
    order by a.attnum
  ),
  array['cancel_requested_at', 'cancel_reason'],
  'authenticated can only request a cancel; status changes belong to workers.'
);

select * from finish();
rollback;
