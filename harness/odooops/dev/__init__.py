"""The repository's own tooling: what develops and checks OdooOps, never what a build host runs.

- :mod:`.databases`: which server, which fresh database (every command and test asks it);
- :mod:`.cluster`, :mod:`.target`, :mod:`.containers`: throwaway PostgreSQL clusters and how to reach a server;
- :mod:`.baseline`, :mod:`.migrations`: the Supabase baseline and the migration runner;
- :mod:`.pgtap`, :mod:`.lint`, :mod:`.functions`: pgTAP, sqlfluff + plpgsql_check, the Edge Functions' checks;
- :mod:`.catalog`, :mod:`.schema_docs`, :mod:`.prisma_schema`, :mod:`.docs_check`: generated schema files
  and the docs, checked against the live migrated database;
- :mod:`.bench`, :mod:`.demo`, :mod:`.demo_repo`: benchmarks and the demo.
"""
