#!/usr/bin/env bash
# Install the Debian/Ubuntu packages OdooOps needs, only those missing: a
# PostgreSQL >= 15 server (the newest one installed, else postgresql-15 and
# postgresql-contrib), pgTAP and plpgsql_check for that version, pg_prove (and
# TAP::Harness::Archive, for `odooops db test --archive`) and psql. Installing
# needs root or passwordless sudo, and runs apt-get update first. `make deps`,
# `make demo` and `make test` run it.
#
# usage: scripts/install_system_deps.sh [--check]
#   --check      only report what is missing (on stderr), install nothing
#   -h, --help   print this help
#
# environment:
#   ODOOOPS_PG_MAJOR   that PostgreSQL major (15 or later) rather than the
#                      newest installed: postgresql-N, postgresql-N-pgtap and
#                      postgresql-N-plpgsql-check, which an apt source must
#                      have (CI adds the PostgreSQL project's own). Unset or
#                      empty: the newest installed, as above.
#
# Exit: 0 nothing missing, or all of it installed; 1 something is missing
# (with --check), or no root to install it; 2 bad usage, or ODOOOPS_PG_MAJOR
# is not a major of 15 or later; apt-get's own status when apt-get fails.
set -euo pipefail

# The comment block above, without its "# ".
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
check_only=0
case "${1:-}" in
  --check) check_only=1 ;;
  -h|--help) usage; exit 0 ;;
  "") ;;
  *) usage >&2; exit 2 ;;
esac

major="${ODOOOPS_PG_MAJOR:-}"
missing=()
if [ -n "$major" ]; then
  if ! [[ "$major" =~ ^[1-9][0-9]*$ ]] || [ "$major" -lt 15 ]; then
    echo "error: ODOOOPS_PG_MAJOR must be a PostgreSQL major of 15 or later, got '${major:0:20}'" >&2
    exit 2
  fi
  # postgresql-N carries contrib itself; the postgresql-contrib metapackage would pull in the newest major.
  [ -x "/usr/lib/postgresql/$major/bin/initdb" ] || missing+=("postgresql-$major")
else
  for d in /usr/lib/postgresql/*/bin/initdb; do
    [ -x "$d" ] || continue
    v=$(basename "$(dirname "$(dirname "$d")")")
    if [ "$v" -ge 15 ] 2>/dev/null && { [ -z "$major" ] || [ "$v" -gt "$major" ]; }; then major=$v; fi
  done
  if [ -z "$major" ]; then
    major=15
    missing+=("postgresql-$major" "postgresql-contrib")
  fi
fi
share=/usr/share/postgresql/$major/extension
[ -f "$share/pgtap.control" ] || missing+=("postgresql-$major-pgtap")
[ -f "$share/plpgsql_check.control" ] || missing+=("postgresql-$major-plpgsql-check")
command -v pg_prove >/dev/null || missing+=("libtap-parser-sourcehandler-pgtap-perl")
perl -MTAP::Harness::Archive -e 1 2>/dev/null || missing+=("libtap-harness-archive-perl")
command -v psql >/dev/null || missing+=("postgresql-client-$major")
# The console's browser tests drive Debian's chromium (the npm browser download does not work offline).
command -v chromium >/dev/null || missing+=("chromium")

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$check_only" = 1 ]; then
  echo "missing Debian packages: ${missing[*]}" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo="sudo -n"
  else
    echo "error: need root to install ${missing[*]}; run as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
