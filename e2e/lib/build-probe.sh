#!/usr/bin/env bash
# Builds the unprivileged VFIO probe (C11, warnings are errors), statically linked so that it runs in
# the guest whatever is mounted. Usage: build-probe.sh <output>
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
out="$1"
${CC:-gcc} -std=c11 -O2 -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Werror \
  -D_FORTIFY_SOURCE=2 -fstack-protector-strong -static \
  -o "$out" "$E2E_DIR/probe/vfio-probe.c"
chmod 0755 "$out"
