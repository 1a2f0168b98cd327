#!/usr/bin/env bash
# Follow a run until it ends, printing its log lines as they arrive.
#
#   env_wait_ready.sh <run_id> [--timeout S]
#
# Every ODOOOPS_POLL_INTERVAL seconds (default 0.5) it reads the run's status,
# then the log lines after the last one printed (in seq order, which is also
# timestamp order), and prints them as "time level step message".
# Exit: 0 succeeded; 1 failed; 3 canceled; 4 still not ended after the timeout
# (default 600 s); 5 no such run; 2 bad arguments. The reason goes to stderr.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=_common.sh
. "$here/_common.sh"

usage() {
  echo "usage: $(basename "$0") <run_id> [--timeout SECONDS]" >&2
  echo "  print the run's log lines as they arrive; exit 0 when it succeeded, non-zero otherwise" >&2
  exit "${1:-2}"
}

[[ "${1:-}" == -h || "${1:-}" == --help ]] && usage 0 2>&1
[[ $# -ge 1 ]] || usage
run_id="$1"; shift
odooops_is_uuid "$run_id" || { echo "$(basename "$0"): not a run id: '$run_id'" >&2; usage; }
timeout=600
while [[ $# -gt 0 ]]; do
  case "$1" in
    --timeout) [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || usage; timeout="$2"; shift 2 ;;
    *) usage ;;
  esac
done
interval="${ODOOOPS_POLL_INTERVAL:-0.5}"
batch=2000
after=0
start=$(date +%s)
me="$(basename "$0")"

while :; do
  # Status first, then lines: a worker stores every line before it completes,
  # so once the status read here is final, the lines read after it are all.
  out="$(odooops_psql -v run_id="$run_id" -v after="$after" -v batch="$batch" <<'SQL'
select concat_ws(e'\t', 'S', r.status, coalesce(r.exit_code::text, '-'),
  coalesce(regexp_replace(r.error_message, '\s+', ' ', 'g'), ''))
from ops.runs as r where r.id = :'run_id'::uuid;
select concat_ws(e'\t', 'L', l.seq, to_char(l.timestamp, 'HH24:MI:SS.MS'), l.level,
  coalesce(l.metadata ->> 'step', l.stream), regexp_replace(l.message, '[\r\n]+', ' ', 'g'))
from ops.run_logs as l
where l.run_id = :'run_id'::uuid and l.seq > (:'after')::bigint
order by l.seq
limit (:'batch')::integer;
SQL
)"
  status="" exit_code="" error="" count=0
  while IFS=$'\t' read -r kind a b c d e; do
    case "$kind" in
      S) status="$a" exit_code="$b" error="$c" ;;
      L) after="$a"; count=$((count + 1))
         printf '%s %-7s %-18s %s\n' "$b" "$c" "$d" "$e" ;;
    esac
  done <<< "$out"
  if [[ -z "$status" ]]; then
    echo "$me: run $run_id not found" >&2
    exit 5
  fi
  (( count < batch )) || continue  # more lines waiting: read on before sleeping
  case "$status" in
    succeeded) echo "$me: run $run_id succeeded" >&2; exit 0 ;;
    failed) echo "$me: run $run_id failed with exit code $exit_code${error:+: $error}" >&2; exit 1 ;;
    canceled) echo "$me: run $run_id was canceled${error:+: $error}" >&2; exit 3 ;;
  esac
  if (( $(date +%s) - start >= timeout )); then
    echo "$me: run $run_id is still $status after ${timeout}s" >&2
    exit 4
  fi
  sleep "$interval"
done
