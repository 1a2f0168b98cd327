#!/usr/bin/env bash
# Follow a run until it ends, printing its log lines as they arrive.
# Arguments, environment and exit status: help() below, or `env_wait_ready.sh --help`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=_common.sh
. "$here/_common.sh"

me="$(basename "$0")"

help() {
  cat <<HELP
usage: $me <run_id> [--timeout SECONDS]
  Follow the run until it ends: every ODOOOPS_POLL_INTERVAL seconds read its
  status, then the log lines after the last one printed (in seq order, which is
  also timestamp order), and print them as "time level step message". The
  outcome goes to stderr.

arguments:
  <run_id>             the run's id (a UUID, as env_create.sh prints it); required
  --timeout SECONDS    give up after this many whole seconds (default 600)

environment:
  ODOOOPS_POLL_INTERVAL
                     seconds between two reads (default 0.5)
HELP
  odooops_env_help
  cat <<HELP

exit status:
  0  the run succeeded
  1  the run failed (its exit code and error on stderr)
  2  bad arguments, no database URL, or no connection to the database
  3  the run was canceled; also when the database refuses the query (psql's
     message on stderr then)
  4  the run had still not ended after --timeout
  5  no such run
HELP
}

usage() {
  echo "usage: $me <run_id> [--timeout SECONDS]" >&2
  echo "  print the run's log lines as they arrive; \`$me --help\` for the environment and exit status" >&2
  exit 2
}

[[ "${1:-}" == -h || "${1:-}" == --help ]] && { help; exit 0; }
[[ $# -ge 1 ]] || usage
run_id="$1"; shift
odooops_is_uuid "$run_id" || { echo "$me: not a run id: '$run_id'" >&2; usage; }
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
