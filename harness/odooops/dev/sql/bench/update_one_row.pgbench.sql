-- The limit: one single-row UPDATE per transaction (pgbench, -M prepared).
\set id random(1, 100000)
update bench.counters set n = n + 1 where id = :id;
