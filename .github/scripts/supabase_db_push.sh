#!/usr/bin/env bash
# Apply supabase/migrations with the real Supabase CLI to a throwaway database,
# as a Supabase project gets them: `odooops db up` starts a cluster with the
# Supabase baseline, then `supabase db push --dry-run` must list every
# migration and apply none, `supabase db push` must apply every one, the
# harness must then find nothing to apply, and a second push nothing either.
# The cluster is removed at the end. The odooops-tests workflow runs it, and so
# does tests/tooling/test_ci_workflows.py.
#
# usage: .github/scripts/supabase_db_push.sh   (from the repository root, after `make deps`)
#
# environment:
#   ODOOOPS_PYTHON   the Python that has odooops (default .venv/bin/python)
#   SUPABASE_CLI     the Supabase CLI (default node_modules/.bin/supabase)
# DATABASE_URL, SUPABASE_DB_URL and ODOOOPS_CLUSTER_DIR are ignored: the
# database is always a new one.
#
# Exit: 0 all of the above held; 1 one did not (said on stderr); 2 bad usage,
# or an `odooops db up` cluster is already up here.
set -euo pipefail

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  "") ;;
  *) usage >&2; exit 2 ;;
esac

python=${ODOOOPS_PYTHON:-.venv/bin/python}
supabase=${SUPABASE_CLI:-node_modules/.bin/supabase}
odooops() { "$python" -m odooops.cli "$@"; }
fail() { echo "supabase_db_push: $*" >&2; exit 1; }
unset DATABASE_URL SUPABASE_DB_URL ODOOOPS_CLUSTER_DIR
export PGSSLMODE=disable  # the throwaway cluster listens on loopback, without TLS

if odooops db status >/dev/null; then
  echo "supabase_db_push: an \`odooops db up\` cluster is already up here; stop it with \`odooops db down\`" >&2
  exit 2
fi
url=$(odooops db up)
trap 'odooops db down >/dev/null' EXIT

migrations=()
for f in supabase/migrations/*.sql; do migrations+=("$(basename "$f")"); done
[ ${#migrations[@]} -gt 0 ] || fail "no supabase/migrations/*.sql"

echo "== supabase db push --dry-run"
out=$("$supabase" db push --dry-run --yes --remote="$url" 2>&1) || { echo "$out"; fail "db push --dry-run failed"; }
echo "$out"
for m in "${migrations[@]}"; do
  grep -qF " • $m" <<<"$out" || fail "the dry run does not list $m"
done
[ "$(psql "$url" -Atc "select to_regclass('supabase_migrations.schema_migrations') is null")" = t ] ||
  fail "the dry run wrote the migration history"

echo "== supabase db push"
out=$("$supabase" db push --yes --remote="$url" 2>&1) || { echo "$out"; fail "db push failed"; }
echo "$out"
for m in "${migrations[@]}"; do
  grep -qF "Applying migration $m" <<<"$out" || fail "db push did not apply $m"
done

echo "== odooops db migrate --dry-run"
out=$(odooops db migrate --dry-run)
echo "$out"
[ "$out" = "up to date: ${#migrations[@]} migrations applied, nothing to apply" ] ||
  fail "the harness does not see the CLI's migrations as applied"

echo "== supabase db push (again)"
out=$("$supabase" db push --yes --remote="$url" 2>&1) || { echo "$out"; fail "the second db push failed"; }
echo "$out"
grep -qF "Remote database is up to date." <<<"$out" || fail "the second db push did not find the database up to date"
echo "supabase db push: ${#migrations[@]} migrations applied, the harness agrees"
