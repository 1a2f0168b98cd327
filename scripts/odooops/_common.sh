# Shared by the env_*.sh scripts: the database URL and a psql that acts as the worker role.
# Sourced, not run (run, it prints what it is: `bash scripts/odooops/_common.sh --help`).

# The environment every env_*.sh script reads (through the functions below), for their --help.
odooops_env_help() {
  cat <<'HELP'
  DATABASE_URL       the database, postgresql://user[:password]@host:port/dbname; this one
                     or SUPABASE_DB_URL is required (no default)
  SUPABASE_DB_URL    the database when DATABASE_URL is unset or empty
  ODOOOPS_DB_ROLE    the role the statements run as, with `set role` (default service_role;
                     set but empty: the URL's own user, no `set role`)
  PGAPPNAME          the connection's application_name (default odooops-scripts)
  PGCONNECT_TIMEOUT  seconds to wait for the connection (default 10)
  psql also reads the other libpq variables (PGPASSWORD, PGPASSFILE, PGSSLMODE, ...).
HELP
}

# The database: DATABASE_URL, else SUPABASE_DB_URL (the same order as the harness).
odooops_db_url() {
  local url="${DATABASE_URL:-${SUPABASE_DB_URL:-}}"
  if [[ -z "$url" ]]; then
    echo "$(basename "$0"): set DATABASE_URL or SUPABASE_DB_URL to the database (postgresql://user@host:port/db)" >&2
    exit 2
  fi
  printf '%s' "$url"
}

# psql reading SQL from stdin: no psqlrc, stop at the first error, one transaction,
# unaligned tuples only. Values reach SQL as psql variables (:'name'), never
# pasted into the text. ODOOOPS_DB_ROLE (default service_role; empty: the
# URL's own user) is the role the statements run as.
odooops_psql() {
  local url
  url="$(odooops_db_url)" || exit 2
  local role="${ODOOOPS_DB_ROLE-service_role}"
  {
    if [[ -n "$role" ]]; then
      echo 'set role :"odooops_role";'
    fi
    cat
  } | PGAPPNAME="${PGAPPNAME:-odooops-scripts}" PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-10}" \
    psql "$url" -X -q -A -t -v ON_ERROR_STOP=1 --single-transaction -v odooops_role="$role" "$@"
}

odooops_is_uuid() {
  [[ "$1" =~ ^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$ ]]
}

# Run rather than sourced: say what this file is and what it reads.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  odooops_common_help() {
    echo "usage: . scripts/odooops/_common.sh"
    echo "  sourced by env_create.sh, env_wait_ready.sh and env_destroy.sh, not run; it gives them"
    echo "  the database URL and a psql that runs as ODOOOPS_DB_ROLE"
    echo
    echo "environment:"
    odooops_env_help
  }
  if [[ "${1:-}" == -h || "${1:-}" == --help ]]; then
    odooops_common_help
    exit 0
  fi
  odooops_common_help >&2
  exit 2
fi
