#!/usr/bin/env bash
# Called by the e2e module's exec-maven-plugin execution (integration-test phase) with the skip
# switches as name=value arguments. A skip is printed with its reason; otherwise run.sh runs and its
# exit status is the build's (a missing prerequisite fails the build: it never skips silently).
set -euo pipefail
while [ $# -gt 0 ]; do
  arg="$1"; shift
  if [ "$arg" = --driver-classpath ]; then
    # The REST driver's classpath, from exec-maven-plugin's <classpath/>.
    export E2E_DRIVER_CP="${1:?--driver-classpath needs a value}"; shift
    continue
  fi
  name="${arg%%=*}"; value="${arg#*=}"
  if [ "$value" = "true" ] || [ "$value" = "" ]; then
    echo "e2e: SKIPPED: the real-kernel suite was not run because -D$name was given"
    exit 0
  fi
done
exec "$(dirname "$0")/run.sh"
