# Shared by the host-side harness scripts. Sourced, never run.
# shellcheck shell=bash

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
E2E_TARGET="${E2E_TARGET:-$E2E_DIR/target}"
# Downloaded kernel packages live outside git and survive `mvn clean`.
E2E_CACHE="${VFIO_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vfio-broker-e2e}"

log() { printf 'e2e: %s\n' "$*" >&2; }
die() { printf 'e2e: ERROR: %s\n' "$*" >&2; exit 2; }

# A missing prerequisite fails loudly with the Debian package that provides it.
require_cmd() { # command package
  command -v "$1" >/dev/null 2>&1 ||
    die "'$1' not found: install the Debian package '$2' (apt-get install $2)"
}
require_file() { # file package
  [ -e "$1" ] || die "'$1' not found: install the Debian package '$2' (apt-get install $2)"
}

now_ms() { date +%s%3N; }
