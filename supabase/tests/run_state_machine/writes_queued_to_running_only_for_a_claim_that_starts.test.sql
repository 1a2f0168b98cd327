-- queued -> running is not a transition anyone may write: only a claim that starts its runs writes it, as
-- service_role, and records it as claimed, then running. The setting it raises for that (ops.run_events)
-- gives nobody else a way around the state machine or the events.
begin;
select plan(8);

select tests.q_project('acme');
select tests.create_supabase_user('owner');
insert into ops.project_memberships (project_id, user_id, role)
select id, tests.get_supabase_uid('owner'), 'owner' from ops.projects;
select tests.q_remember('r' || n, (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(n))).id)
from generate_series(1, 3) as n;
update ops.runs set priority = 10 - array_position(array[tests.q_id('r1'), tests.q_id('r2'), tests.q_id('r3')], id);

-- TEST: a direct write of queued -> running is refused, with or without the setting, unless by the claim.
select tests.authenticate_as_service_role();
select throws_ok(
  format($$update ops.runs set status = 'running', worker_id = 'w1', lease_expires_at = now() + interval '1 minute'
    where id = %L$$, tests.q_id('r3')),
  'OP001', null, 'service_role may not write queued -> running itself.'
);
select tests.clear_authentication();
select set_config('ops.run_events', 'recorded', true);
select throws_ok(
  format($$update ops.runs set status = 'running', worker_id = 'w1', lease_expires_at = now() + interval '1 minute'
    where id = %L$$, tests.q_id('r3')),
  'OP001', null, 'Nor may the table''s owner, even with ops.run_events set: the exception is service_role''s.'
);
select set_config('ops.run_events', '', true);

-- TEST: the claim that starts.
select tests.authenticate_as_service_role();
select is(
  (select c.id::text || ':' || c.status::text from ops.claim_next_run('w1', p_start => true) as c),
  tests.q_id('r1')::text || ':running', 'A claim with p_start returns its run running.'
);
select is(
  array(select tests.q_events(tests.q_id('r1'))), array['{>queued,queued>claimed,claimed>running}'::text[]],
  'Its events are claimed, then running.'
);
select is(
  current_setting('ops.run_events', true), '', 'The claim clears the setting before it returns.'
);

-- TEST: a member who presets the setting and cancels still leaves the cancel's event.
select tests.authenticate_as('owner');
select set_config('ops.run_events', 'recorded', false);
select lives_ok(
  format($$select ops.cancel_run(%L, 'not needed')$$, tests.q_id('r2')), 'The owner cancels a queued run.'
);
select tests.clear_authentication();
select is(
  array(select tests.q_events(tests.q_id('r2'))), array['{>queued,queued>canceled}'::text[]],
  'The cancel has its event: the setting is heeded for service_role''s own writes only.'
);
select is(
  (select actor like 'user:%' from ops.run_events where run_id = tests.q_id('r2') and to_status = 'canceled'), true,
  'The event names the member who canceled.'
);

select * from finish();
rollback;
