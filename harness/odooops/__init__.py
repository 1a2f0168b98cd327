"""OdooOps harness: ephemeral PostgreSQL, migrations, pgTAP, worker, benchmarks."""
