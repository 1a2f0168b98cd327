#!/usr/bin/env bash
# Cancel a run and report its final state.
# Arguments, environment and exit status: help() below, or `env_destroy.sh --help`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=_common.sh
. "$here/_common.sh"

me="$(basename "$0")"

help() {
  cat <<HELP
usage: $me <run_id> [--timeout SECONDS] [--reason TEXT]
  Cancel the run (ops.cancel_run) and print "<run_id> <status>", nothing else,
  on stdout: the final status, or after --timeout the status it still has. A
  queued run ends canceled at once. For a claimed or running run a cancel is
  requested: the worker holding it stops its step and completes it as
  canceled, which this waits for. A run that already ended is left as it is.

arguments:
  <run_id>             the run's id (a UUID, as env_create.sh prints it); required
  --timeout SECONDS    how long to wait for the worker to stop the run (default
                       60; a fraction is cut to whole seconds)
  --reason TEXT        the reason recorded with the cancel, at most 1000
                       characters (default "canceled with env_destroy.sh")

environment:
  ODOOOPS_POLL_INTERVAL
                     seconds between two reads of the run's status while
                     waiting (default 0.5)
HELP
  odooops_env_help
  cat <<HELP

exit status:
  0  the run ended: canceled now, or it had already ended
  1  the run had still not ended after --timeout (is a worker running it?)
  2  bad arguments, no database URL, or no connection to the database
  3  refused by the database (no such run, no right to cancel it); psql's
     message on stderr
HELP
}

usage() {
  echo "usage: $me <run_id> [--timeout SECONDS] [--reason TEXT]" >&2
  echo "  cancel the run and report its final state; \`$me --help\` for the environment and exit status" >&2
  exit 2
}

[[ "${1:-}" == -h || "${1:-}" == --help ]] && { help; exit 0; }
[[ $# -ge 1 ]] || usage
run_id="$1"; shift
odooops_is_uuid "$run_id" || { echo "$me: not a run id: '$run_id'" >&2; usage; }
timeout=60
reason="canceled with env_destroy.sh"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --timeout) [[ $# -ge 2 && "$2" =~ ^[0-9]+([.][0-9]+)?$ ]] || usage; timeout="$2"; shift 2 ;;
    --reason) [[ $# -ge 2 && -n "$2" ]] || usage; reason="$2"; shift 2 ;;
    *) usage ;;
  esac
done

status="$(odooops_psql -v run_id="$run_id" -v reason="$reason" <<'SQL'
select r.status from ops.cancel_run(:'run_id'::uuid, :'reason') as r;
SQL
)"
case "$status" in
  succeeded|failed|canceled) echo "$run_id $status"; exit 0 ;;
esac

echo "$me: cancel requested; waiting for the worker to stop run $run_id" >&2
end=$(( $(date +%s) + ${timeout%.*} ))
interval="${ODOOOPS_POLL_INTERVAL:-0.5}"
while :; do
  status="$(odooops_psql -v run_id="$run_id" <<'SQL'
select r.status from ops.runs as r where r.id = :'run_id'::uuid;
SQL
)"
  case "$status" in
    succeeded|failed|canceled) echo "$run_id $status"; exit 0 ;;
  esac
  if (( $(date +%s) >= end )); then
    echo "$run_id $status"
    echo "$me: run $run_id is still $status after ${timeout}s (is a worker running it?)" >&2
    exit 1
  fi
  sleep "$interval"
done
