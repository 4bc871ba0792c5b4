#!/usr/bin/env bash
# The run step of action.yml: runs backend-lint with the action's inputs, passed as BL_* variables.
# When BL_SARIF_FILE is set, a SARIF report is written first (never failing the step); then the
# report in BL_FORMAT is printed and its exit code is the step's (0 clean, 1 findings, 2 error).
set -uo pipefail  # ${a[@]+"${a[@]}"}: an empty array under set -u on bash 3.2 (macOS runners)

read -r -a paths <<< "${BL_PATHS:-.}"
[ "${#paths[@]}" -gt 0 ] || paths=(.)
common=()
[ -n "${BL_MIN_SEVERITY:-}" ] && common+=(--min-severity "$BL_MIN_SEVERITY")
[ -n "${BL_FAIL_ON:-}" ] && common+=(--fail-on "$BL_FAIL_ON")
[ -n "${BL_BASELINE:-}" ] && common+=(--baseline "$BL_BASELINE")
[ -n "${BL_DIFF:-}" ] && common+=(--diff "$BL_DIFF")

if [ -n "${BL_SARIF_FILE:-}" ]; then
  backend-lint ${common[@]+"${common[@]}"} --format sarif --output "$BL_SARIF_FILE" --exit-zero --quiet -- "${paths[@]}"
  status=$?
  if [ "$status" -ne 0 ]; then
    echo "::error title=backend-lint::could not write the SARIF report ($status)"
    exit "$status"
  fi
fi
backend-lint ${common[@]+"${common[@]}"} --format "${BL_FORMAT:-github}" -- "${paths[@]}"
