-- ops.commit_status_outbox: its columns, the notifier's indexes, RLS on, and
-- ops.runs.push_delivery_id; the lease finds due rows through the due index.
begin;
select plan(6);

select columns_are(
  'ops', 'commit_status_outbox',
  array[
    'id', 'project_id', 'run_id', 'provider', 'repository', 'commit_sha', 'context', 'run_status', 'state',
    'description', 'created_at', 'attempts', 'next_attempt_at', 'leased_by', 'lease_expires_at', 'delivered_at',
    'superseded_at', 'gave_up_at', 'last_http_status', 'last_error', 'api_url'
  ],
  'ops.commit_status_outbox has exactly the documented columns.'
);
select has_index(
  'ops', 'commit_status_outbox', 'commit_status_outbox_pending_idx',
  array['provider', 'repository', 'commit_sha', 'context', 'id'],
  'Undelivered rows are indexed by key: the newest of a key, the one in flight.'
);
select has_index(
  'ops', 'commit_status_outbox', 'commit_status_outbox_due_idx', array['next_attempt_at', 'id'],
  'Undelivered rows are indexed by when they are due.'
);
select has_index('ops', 'commit_status_outbox', 'commit_status_outbox_run_id_idx', array['run_id'],
  'The run foreign key is indexed (cascade deletes).');
select ok(
  (select relrowsecurity from pg_class where oid = 'ops.commit_status_outbox'::regclass),
  'Row-level security is on.'
);
select col_is_null('ops', 'runs', 'push_delivery_id', 'runs.push_delivery_id is null for runs not queued by a push.');

select * from finish();
rollback;
