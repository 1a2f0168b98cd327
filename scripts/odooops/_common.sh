# Shared by the env_*.sh scripts: the database URL and a psql that acts as the worker role.
# Sourced, not run.

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
