#!/usr/bin/env bash
# Check the OdooOps Spec Kit bundle: the four files of GitHub Spec Kit exist
# and have their required sections.
#
# usage: scripts/validate_spec_kit_odooops.sh [DIR]
#   DIR          the Spec Kit directory (default: spec/odooops-sh of this
#                repository); the files named by done tasks are looked up
#                from the repository root whatever DIR is
#   -h, --help   print this help
# It reads no environment variable.
#
# What each file must have:
#   constitution.md  "# ... Constitution", "## Core Principles" with at least
#                    three "### " principles, "## Governance", "**Version**:"
#   spec.md          "# Feature Specification:", "## User Scenarios & Testing",
#                    "### User Story" with "**Acceptance Scenarios**",
#                    "## Requirements", "### Functional Requirements" with
#                    **FR-NNN** items, "## Success Criteria" with **SC-NNN**
#   plan.md          "# Implementation Plan:", "## Summary", "## Technical Context",
#                    "## Constitution Check", "## Project Structure"
#   tasks.md         "# Tasks:", "## Phase" sections, task lines "- [ ] TNNN ..."
#                    or "- [X] TNNN ..." with unique ids, each naming a file in
#                    backticks; every file named by a done ([X]) task exists
#
# Exit: 0 all good; 1 something is missing or DIR is not a directory (each
# problem is printed on stderr); 2 bad usage.
set -euo pipefail

# The comment block above, without its "# ".
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  -*) usage >&2; exit 2 ;;
esac
[ $# -le 1 ] || { usage >&2; exit 2; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${1:-$root/spec/odooops-sh}"
problems=()
problem() { problems+=("$1"); }

# has FILE REGEX WHAT: the file has a line matching REGEX (extended grep).
has() {
  grep -Eq -- "$2" "$1" || problem "$(basename "$1"): missing $3"
}

if [ ! -d "$dir" ]; then
  echo "validate_spec_kit_odooops: $dir is not a directory" >&2
  exit 1
fi

for f in constitution.md spec.md plan.md tasks.md; do
  [ -s "$dir/$f" ] || problem "$f: missing or empty (expected $dir/$f)"
done

c="$dir/constitution.md"
if [ -s "$c" ]; then
  has "$c" '^# .*Constitution' 'a title "# <project> Constitution"'
  has "$c" '^## Core Principles' 'the section "## Core Principles"'
  has "$c" '^## Governance' 'the section "## Governance"'
  has "$c" '^\*\*Version\*\*:' 'the line "**Version**: X.Y.Z | **Ratified**: ... | **Last Amended**: ..."'
  n=$(awk '/^## Core Principles/{on=1; next} /^## /{on=0} on && /^### /{n++} END{print n+0}' "$c")
  [ "$n" -ge 3 ] || problem "constitution.md: \"## Core Principles\" has $n principle(s) (\"### \" headings); at least 3 expected"
fi

s="$dir/spec.md"
if [ -s "$s" ]; then
  has "$s" '^# Feature Specification:' 'a title "# Feature Specification: <name>"'
  has "$s" '^## User Scenarios & Testing' 'the section "## User Scenarios & Testing"'
  has "$s" '^### User Story [0-9]+' 'at least one "### User Story N - <title> (Priority: PN)"'
  has "$s" '^\*\*Acceptance Scenarios\*\*' 'the "**Acceptance Scenarios**:" of its user stories'
  has "$s" '^## Requirements' 'the section "## Requirements"'
  has "$s" '^### Functional Requirements' 'the section "### Functional Requirements"'
  has "$s" '\*\*FR-[0-9]{3}\*\*' 'functional requirements numbered **FR-001**, **FR-002**, ...'
  has "$s" '^## Success Criteria' 'the section "## Success Criteria"'
  has "$s" '\*\*SC-[0-9]{3}\*\*' 'success criteria numbered **SC-001**, ...'
  stories=$(grep -Ec '^### User Story [0-9]+' "$s" || true)
  scenarios=$(grep -Ec '^\*\*Acceptance Scenarios\*\*' "$s" || true)
  [ "$stories" -eq "$scenarios" ] || problem "spec.md: $stories user stories but $scenarios \"**Acceptance Scenarios**\" blocks; each story needs one"
fi

p="$dir/plan.md"
if [ -s "$p" ]; then
  has "$p" '^# Implementation Plan:' 'a title "# Implementation Plan: <name>"'
  for sec in "Summary" "Technical Context" "Constitution Check" "Project Structure"; do
    has "$p" "^## $sec" "the section \"## $sec\""
  done
fi

t="$dir/tasks.md"
if [ -s "$t" ]; then
  has "$t" '^# Tasks:' 'a title "# Tasks: <name>"'
  has "$t" '^## Phase [0-9]+' 'phases ("## Phase N: <name>")'
  has "$t" '^- \[[ Xx]\] T[0-9]{3} ' 'tasks ("- [ ] T001 ..." or "- [X] T001 ...")'
  dups=$(grep -Eo '^- \[[ Xx]\] T[0-9]{3}' "$t" | grep -Eo 'T[0-9]{3}' | sort | uniq -d | tr '\n' ' ')
  [ -z "$dups" ] || problem "tasks.md: task ids used twice: $dups"
  while IFS= read -r line; do
    id=$(grep -Eo 'T[0-9]{3}' <<<"$line" | head -1)
    paths=$(grep -Eo '`[^` ]+`' <<<"$line" | tr -d '`' | grep -E '/|\.[a-z]+$' || true)
    if [ -z "$paths" ]; then
      problem "tasks.md: $id names no file (put the files it produces in backticks)"
      continue
    fi
    if grep -Eq '^- \[[Xx]\]' <<<"$line"; then
      while IFS= read -r path; do
        case "$path" in
          ops.*|*"("*) continue ;;  # an SQL name, not a file
        esac
        [ -e "$root/$path" ] || problem "tasks.md: $id is done but $path does not exist"
      done <<<"$paths"
    fi
  done < <(grep -E '^- \[[ Xx]\] T[0-9]{3} ' "$t")
fi

if [ ${#problems[@]} -gt 0 ]; then
  for m in "${problems[@]}"; do echo "validate_spec_kit_odooops: $m" >&2; done
  echo "validate_spec_kit_odooops: ${#problems[@]} problem(s) in $dir" >&2
  exit 1
fi
echo "spec kit: ok ($dir: constitution.md, spec.md, plan.md, tasks.md)"
