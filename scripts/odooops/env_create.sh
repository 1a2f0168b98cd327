#!/usr/bin/env bash
# Queue a run of a workflow for a branch and commit; print the run id only.
# Arguments, environment and exit status: help() below, or `env_create.sh --help`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=_common.sh
. "$here/_common.sh"

me="$(basename "$0")"

help() {
  cat <<HELP
usage: $me <project> <workflow> <branch> <commit>
  Queue a run of <workflow> of <project> for <branch> at <commit> and print the
  run id only (ops.enqueue_run with p_reuse_active => true). Run again with the
  same arguments while that run is queued, claimed or running, it prints the
  same id and queues nothing. By default a new commit of the branch cancels
  the queued runs of its older commits (the workflow's supersede setting, see
  docs/odooops-sh/RUN_LIFECYCLE.md).

arguments (all required):
  <project>   the project's slug
  <workflow>  the name of an enabled workflow of that project
  <branch>    a git branch name (letters, digits and . _ / -)
  <commit>    the commit, lowercase hex: 6 to 40 or 64 characters

environment:
  ODOOOPS_PARAMS     the run's params, a JSON object of at most 64 KiB, for
                     example {"env": {"KEY": "value"}, "secrets": ["API_TOKEN"]}
                     (default {})
  ODOOOPS_STAGE      production, staging or development (default: production
                     on the project's production branch, development otherwise)
  ODOOOPS_PRIORITY   an integer from -1000 to 1000; higher runs are claimed
                     first (default 0)
HELP
  odooops_env_help
  cat <<HELP

exit status:
  0  queued, or the active run reused (its id on stdout)
  2  bad arguments, no database URL, or no connection to the database
  3  refused by the database (unknown project or workflow, bad value, no right);
     psql's message on stderr
HELP
}

usage() {
  echo "usage: $me <project> <workflow> <branch> <commit>" >&2
  echo "  queue a run and print its id; \`$me --help\` for the environment and exit status" >&2
  exit 2
}

[[ "${1:-}" == -h || "${1:-}" == --help ]] && { help; exit 0; }
[[ $# -eq 4 ]] || usage
for a in "$@"; do [[ -n "$a" && "$a" != -* ]] || usage; done
project="$1" workflow="$2" branch="$3" commit="$4"
[[ "$commit" =~ ^([0-9a-f]{6,40}|[0-9a-f]{64})$ ]] || {
  echo "$me: commit must be lowercase hex (6 to 40 or 64 characters), got '$commit'" >&2
  usage
}
params="${ODOOOPS_PARAMS:-{\}}"
stage="${ODOOOPS_STAGE:-}"
priority="${ODOOOPS_PRIORITY:-0}"
[[ "$priority" =~ ^-?[0-9]+$ ]] || { echo "$me: ODOOOPS_PRIORITY must be an integer" >&2; exit 2; }

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
