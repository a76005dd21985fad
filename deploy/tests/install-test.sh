#!/bin/bash
# Tests deploy/install.sh and deploy/uninstall.sh on a staging root (--root): what gets installed with
# which owner and mode, that a second install is refused, that the policy file an administrator edited
# is kept, and that uninstall leaves the staging root exactly as it was. Needs root (useradd --prefix,
# chown); the real-host install is tested inside the e2e guest.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
deploy=$(cd "$here/.." && pwd)
top=$(cd "$deploy/.." && pwd)
passed=0; failed=0
ok() { echo "PASS $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name" "$*"; fi; }

if [ "$(id -u)" -ne 0 ]; then
  echo "FAIL deploy tests: they must run as root (useradd --prefix, chown, setuid modes)"; echo "0 passed, 1 failed"; exit 1
fi
for f in "$top/service/target/vfio-broker-exec.jar" "$top/helper/target/vfio-broker-helper"; do
  [ -f "$f" ] || { echo "FAIL deploy tests: $f is missing; build the service and helper first"; echo "0 passed, 1 failed"; exit 1; }
done

stage=$(mktemp -d); chmod 0755 "$stage"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/etc/security/limits.d" "$stage/srv"; echo keep > "$stage/srv/unrelated"
before=$(cd "$stage" && find . -printf '%M %u %g %p\n' | sort)

bash "$deploy/install.sh" --root "$stage" --no-start > "$stage.log" 2>&1 || { cat "$stage.log"; bad install "exit $?"; }
mode() { stat -c '%a %U' "$stage$1"; }
gid=$(awk -F: '$1 == "vfio-broker" { print $3 }' "$stage/etc/group")
check "account created in the staging root" test -n "$gid"
check "helper is setuid root, mode 4750" test "$(mode /usr/libexec/vfio-broker/vfio-broker-helper)" = "4750 root"
check "helper belongs to the service group" test "$(stat -c %g "$stage/usr/libexec/vfio-broker/vfio-broker-helper")" = "$gid"
check "helper is the production build" bash -c "! '$stage/usr/libexec/vfio-broker/vfio-broker-helper' --root / version >/dev/null 2>&1"
check "policy file root 0644" test "$(mode /etc/vfio-broker/helper.conf)" = "644 root"
check "policy allows nothing by default" bash -c "! grep -qE '^[[:space:]]*allow' '$stage/etc/vfio-broker/helper.conf'"
check "policy names the service account as caller" grep -qE '^caller = vfio-broker$' "$stage/etc/vfio-broker/helper.conf"
check "unit installed" test -f "$stage/etc/systemd/system/vfio-broker.service"
check "unit keeps NoNewPrivileges off for the setuid helper" grep -q '^NoNewPrivileges=no' "$stage/etc/systemd/system/vfio-broker.service"
check "unit runs as the service account" grep -q '^User=vfio-broker' "$stage/etc/systemd/system/vfio-broker.service"
check "udev rule makes the container node 0666" grep -q 'KERNEL=="vfio", MODE="0666"' "$stage/etc/udev/rules.d/70-vfio-broker.rules"
check "jar installed" test -f "$stage/usr/share/vfio-broker/vfio-broker.jar"
check "data directory 0750" test "$(stat -c %a "$stage/var/lib/vfio-broker")" = 750
if bash "$deploy/install.sh" --root "$stage" --no-start > "$stage.log" 2>&1; then
  bad "second install refused" "it succeeded"
else
  check "second install refused" grep -q "already installed" "$stage.log"
fi

# An edited policy and a drop-in written by the helper for a grantee.
echo "allow class 0x0200" >> "$stage/etc/vfio-broker/helper.conf"
echo "alice hard memlock 1024" > "$stage/etc/security/limits.d/90-vfio-broker-alice.conf"
bash "$deploy/uninstall.sh" --root "$stage" --purge > "$stage.log" 2>&1 || { cat "$stage.log"; bad uninstall "exit $?"; }
after=$(cd "$stage" && find . -printf '%M %u %g %p\n' | sort)
if [ "$before" = "$after" ]; then ok "uninstall leaves the staging root as it was"
else bad "uninstall leaves the staging root as it was" "$(diff <(echo "$before") <(echo "$after") | head -20)"; fi
check "unrelated files untouched" test "$(cat "$stage/srv/unrelated")" = keep

# Reinstall keeps an existing policy file.
mkdir -p "$stage/etc/vfio-broker"; echo "caller = someone" > "$stage/etc/vfio-broker/helper.conf"
bash "$deploy/install.sh" --root "$stage" --no-start > "$stage.log" 2>&1
check "an existing policy file is kept" test "$(cat "$stage/etc/vfio-broker/helper.conf")" = "caller = someone"
bash "$deploy/uninstall.sh" --root "$stage" --purge > "$stage.log" 2>&1
check "a kept policy file survives uninstall" test -f "$stage/etc/vfio-broker/helper.conf"
rm -f "$stage.log"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
