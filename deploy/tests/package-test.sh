#!/bin/bash
# Tests the Debian package built by jdeb (contents, owners, modes, conffiles, maintainer scripts) and
# the container files: docker-compose.yml is validated by docker-compose's own schema check, which needs
# no container engine, and every file the Dockerfile copies must exist in the build.
set -euo pipefail
target=${1:?usage: package-test.sh <deploy/target>}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
passed=0; failed=0
ok() { echo "PASS $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name" "$*"; fi; }

deb=$(ls "$target"/vfio-broker_*_amd64.deb 2>/dev/null | head -1 || true)
if [ -z "$deb" ]; then
  bad "Debian package built" "no vfio-broker_*_amd64.deb in $target"
else
  ok "Debian package built ($(basename "$deb"))"
  listing=$(dpkg-deb -c "$deb")
  check "helper is setuid root, group vfio-broker, 4750" grep -qE '^-rwsr-x--- root/vfio-broker .*usr/libexec/vfio-broker/vfio-broker-helper$' <<<"$listing"
  check "jar in /usr/share/vfio-broker" grep -qE '^-rw-r--r-- .*usr/share/vfio-broker/vfio-broker.jar$' <<<"$listing"
  check "unit in /lib/systemd/system" grep -qE 'lib/systemd/system/vfio-broker.service$' <<<"$listing"
  check "udev rule in /lib/udev/rules.d" grep -qE 'lib/udev/rules.d/70-vfio-broker.rules$' <<<"$listing"
  check "policy file in /etc/vfio-broker" grep -qE '^-rw-r--r-- root/root .*etc/vfio-broker/helper.conf$' <<<"$listing"
  check "man page" grep -qE 'usr/share/man/man8/vfio-broker-helper.8$' <<<"$listing"
  work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
  dpkg-deb -e "$deb" "$work/control"
  check "policy and defaults are conffiles" bash -c "grep -qx /etc/vfio-broker/helper.conf '$work/control/conffiles' && grep -qx /etc/default/vfio-broker '$work/control/conffiles'"
  check "preinst creates the service account" grep -q 'useradd --system' "$work/control/preinst"
  check "postrm purge removes the account and data" bash -c "grep -q 'userdel vfio-broker' '$work/control/postrm' && grep -q 'rm -rf /var/lib/vfio-broker' '$work/control/postrm'"
  check "maintainer scripts parse" bash -c "for s in preinst postinst prerm postrm; do sh -n '$work/control/'\$s || exit 1; done"
  dpkg-deb -x "$deb" "$work/root"
  check "packaged helper is the production build" bash -c "! '$work/root/usr/libexec/vfio-broker/vfio-broker-helper' --root / version >/dev/null 2>&1"
  check "package version matches the project" bash -c "dpkg-deb -f '$deb' Version | grep -q '^0\\.1\\.0'"
fi

if ! command -v docker-compose >/dev/null; then
  bad "docker-compose.yml is valid" "docker-compose is not installed (Debian: apt-get install docker-compose); it checks the file without an engine"
else
  if out=$(cd "$top" && docker-compose -f docker-compose.yml config -q 2>&1); then ok "docker-compose.yml is valid"
  else bad "docker-compose.yml is valid" "$out"; fi
  broken=$(mktemp); sed 's/^    restart: unless-stopped/    restart: unless-stopped\n    no_such_option: 1/' "$top/docker-compose.yml" > "$broken"
  if docker-compose -f "$broken" config -q >/dev/null 2>&1; then bad "the compose check rejects an invalid file" "it accepted one"
  else ok "the compose check rejects an invalid file"; fi
  rm -f "$broken"
fi
for src in $(awk '$1 == "COPY" { print $2 }' "$top/deploy/Dockerfile"); do
  check "Dockerfile source $src exists" test -e "$top/$src"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
