#!/usr/bin/env bash
# Cancel a run and report its final state.
#
#   env_destroy.sh <run_id> [--timeout S] [--reason TEXT]
#
# A queued run ends canceled at once. For a claimed or running run a cancel is
# requested; the worker holding it stops its step and completes it as
# canceled, which this waits for (default 60 s). A run that already ended is
# left as it is. Prints "<run_id> <status>" and, while waiting, nothing else.
# Exit: 0 the run ended (canceled, or already ended), 1 still not ended after
# the timeout or refused by the database, 2 bad arguments.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=_common.sh
. "$here/_common.sh"

usage() {
  echo "usage: $(basename "$0") <run_id> [--timeout SECONDS] [--reason TEXT]" >&2
  echo "  cancel the run (queued: at once; running: the worker stops it) and report its final state" >&2
  exit "${1:-2}"
}

[[ "${1:-}" == -h || "${1:-}" == --help ]] && usage 0 2>&1
[[ $# -ge 1 ]] || usage
run_id="$1"; shift
odooops_is_uuid "$run_id" || { echo "$(basename "$0"): not a run id: '$run_id'" >&2; usage; }
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

echo "$(basename "$0"): cancel requested; waiting for the worker to stop run $run_id" >&2
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
    echo "$(basename "$0"): run $run_id is still $status after ${timeout}s (is a worker running it?)" >&2
    exit 1
  fi
  sleep "$interval"
done
