#!/usr/bin/env bash
# Queue a run of a workflow for a branch and commit; print the run id only.
#
#   env_create.sh <project> <workflow> <branch> <commit>
#
# Again with the same arguments while that run is queued, claimed or running,
# it prints the same id (ops.enqueue_run with p_reuse_active). The database is
# DATABASE_URL or SUPABASE_DB_URL; statements run as service_role
# (ODOOOPS_DB_ROLE). Optional: ODOOOPS_PARAMS (a JSON object, the run's
# params), ODOOOPS_STAGE (production|staging|development), ODOOOPS_PRIORITY.
# Exit: 0 queued (or reused), 1 refused by the database, 2 bad arguments.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=_common.sh
. "$here/_common.sh"

usage() {
  echo "usage: $(basename "$0") <project> <workflow> <branch> <commit>" >&2
  echo "  queue a run and print its id; the same arguments while it is active print the same id" >&2
  exit "${1:-2}"
}

[[ "${1:-}" == -h || "${1:-}" == --help ]] && usage 0 2>&1
[[ $# -eq 4 ]] || usage
for a in "$@"; do [[ -n "$a" && "$a" != -* ]] || usage; done
project="$1" workflow="$2" branch="$3" commit="$4"
[[ "$commit" =~ ^([0-9a-f]{6,40}|[0-9a-f]{64})$ ]] || {
  echo "$(basename "$0"): commit must be lowercase hex (6 to 40 or 64 characters), got '$commit'" >&2
  usage
}
params="${ODOOOPS_PARAMS:-{\}}"
stage="${ODOOOPS_STAGE:-}"
priority="${ODOOOPS_PRIORITY:-0}"
[[ "$priority" =~ ^-?[0-9]+$ ]] || { echo "$(basename "$0"): ODOOOPS_PRIORITY must be an integer" >&2; exit 2; }

odooops_psql -v project="$project" -v workflow="$workflow" -v branch="$branch" -v commit="$commit" \
  -v params="$params" -v stage="$stage" -v priority="$priority" <<'SQL'
select r.id
from ops.enqueue_run(
  p_project_slug => :'project',
  p_workflow_name => :'workflow',
  p_branch => :'branch',
  p_commit_sha => :'commit',
  p_params => (:'params')::jsonb,
  p_stage => nullif(:'stage', '')::ops.run_stage,
  p_priority => (:'priority')::integer,
  p_reuse_active => true
) as r;
SQL
