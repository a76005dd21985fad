# Smoke scenarios through the PRODUCTION helper, installed by deploy/install.sh (root-owned setuid
# 4750, group of the service account, /etc/vfio-broker/helper.conf root 0644) when the tree has it. Every privileged step
# is a helper verb run as the service account; the test itself only watches (and starts the
# unprivileged processes). Sourced by suite.sh.
# shellcheck shell=bash

# Sourced by suite.sh after lib.sh; never on its own, never outside the e2e guest.
if ! declare -F in_e2e_guest >/dev/null || ! in_e2e_guest; then
  echo "REFUSING to run: not sourced by guest/suite.sh inside the vfio-broker e2e guest" >&2
  exit 3
fi

SVC=vfio-broker
HBIN=/usr/libexec/vfio-broker/vfio-broker-helper

# The service runs the helper with an empty environment, as its own account.
helper() { env -i /usr/bin/setpriv --reuid="$SVC" --regid="$SVC" --init-groups "$HBIN" "$@"; }

# Runs helper verb args..., prints its JSON, and checks the exit code.
helper_expect() { # exit-code verb args...
  local want="$1" out rc; shift
  out="$(helper "$@")"; rc=$?
  echo "helper $*: exit $rc: $out"
  LAST="$out"
  [ "$rc" -eq "$want" ] || { echo "helper $1: expected exit $want, got $rc"; return 1; }
}

name_of_uid() { getent passwd "$1" | cut -d: -f1; }

# An account in the guest's /etc overlay (the host's /etc is not changed: it is read-only here).
ensure_account() { # name uid
  getent group "$1" >/dev/null || echo "$1:x:$2:" >> /etc/group
  getent passwd "$1" >/dev/null || echo "$1:x:$2:$2:vfio-broker e2e:/nonexistent:/usr/sbin/nologin" >> /etc/passwd
}

free_system_uid() {
  local u
  for u in $(seq 999 -1 900); do
    getent passwd "$u" >/dev/null || getent group "$u" >/dev/null || { echo "$u"; return 0; }
  done
  return 1
}

# Starts PROBE as uid with its RLIMIT_MEMLOCK set by the helper's memlock-pid, the product's own
# mechanism: the process starts as the grantee, waits on a FIFO, gets its limit, then execs the
# probe (limits survive exec). Sets PROBE_PID; the probe's output goes to PROBE_OUT.
start_limited_probe() { # uid bytes probe-args...
  local uid="$1" lim="$2" fifo n; shift 2
  fifo="$(mktemp -u /tmp/e2e-go.XXXXXX)"
  mkfifo -m 0644 "$fifo"
  PROBE_OUT="$(mktemp /tmp/e2e-probe.XXXXXX)"
  chmod 0644 "$PROBE_OUT"
  setpriv --reuid="$uid" --regid="$uid" --clear-groups \
    /bin/sh -c 'read -r go < "$0"; exec "$@"' "$fifo" "$PROBE" "$@" > "$PROBE_OUT" 2>&1 &
  PROBE_PID=$!
  for n in $(seq 50); do
    [ "$(awk '/^Uid:/ { print $2 }' "/proc/$PROBE_PID/status" 2>/dev/null)" = "$uid" ] && break
    sleep 0.1
  done
  helper_expect 0 memlock-pid "$PROBE_PID" "$uid" "$lim" || { kill "$PROBE_PID"; return 1; }
  echo go > "$fifo"
  rm -f "$fifo"
}
run_limited_probe() { # uid bytes probe-args... ; sets PROBE_RC and LAST_PROBE
  start_limited_probe "$@" || return 1
  wait "$PROBE_PID"; PROBE_RC=$?
  LAST_PROBE="$(cat "$PROBE_OUT")"; rm -f "$PROBE_OUT"
  echo "probe (exit $PROBE_RC): $LAST_PROBE"
}

node_is() { # group "uid gid mode"
  local got
  got="$(stat -c '%u %g %a' "/dev/vfio/$1" 2>/dev/null)"
  [ "$got" = "$2" ] || { echo "/dev/vfio/$1 is '$got', expected '$2'"; return 1; }
}

helper_installed() {
  local out rc
  if [ -n "${DEPLOY:-}" ]; then
    # As on a real host: deploy/install.sh (no systemd here, so it only installs), then the
    # administrator's allow rules.
    "$DEPLOY" --no-start --helper "$HELPER" --jar "$JAR" || { echo "deploy/install.sh failed"; return 1; }
  else
    local svc_uid
    svc_uid="$(getent passwd "$SVC" | cut -d: -f3)"
    [ -n "$svc_uid" ] || { svc_uid="$(free_system_uid)"; ensure_account "$SVC" "$svc_uid"; }
    install -d -o root -g root -m 0755 /usr/libexec/vfio-broker /etc/vfio-broker
    install -o root -g "$SVC" -m 4750 "$HELPER" "$HBIN"
    printf 'caller = vfio-broker\nmin-uid = 1000\n' > /etc/vfio-broker/helper.conf
    chmod 0644 /etc/vfio-broker/helper.conf
  fi
  cat >> /etc/vfio-broker/helper.conf <<'CONF'
# e2e guest: the e1000e NICs and the igb (82576) physical function and its virtual functions may be
# granted; everything else stays denied by default.
allow id 8086:10d3
allow id 8086:10c9
allow id 8086:10ca
CONF
  [ -n "$(name_of_uid $U1)" ] || ensure_account e2e-grantee $U1
  [ -n "$(name_of_uid $U2)" ] || ensure_account e2e-other $U2
  ls -l "$HBIN" /etc/vfio-broker/helper.conf
  grep -v '^#' /etc/vfio-broker/helper.conf | grep .
  [ "$(stat -c '%U %G %a' "$HBIN")" = "root $SVC 4750" ] || { echo "helper not installed root:$SVC 4750"; return 1; }
  [ "$(stat -c '%U %a' /etc/vfio-broker/helper.conf)" = "root 644" ] || { echo "helper.conf not root 0644"; return 1; }
  helper_expect 0 version || return 1
  json_has "$LAST" '"build":"production"' || { echo "not the production build"; return 1; }
  # Nobody else may even run it. Through a shell: setpriv keeps its capabilities until its own exec
  # (PR_SET_KEEPCAPS), so a helper exec'd by setpriv directly passes the permission check.
  out="$(setpriv --reuid=$U1 --regid=$U1 --clear-groups /bin/sh -c 'exec "$0" version' "$HBIN" 2>&1)"; rc=$?
  echo "uid $U1 runs the helper: exit $rc: $out"
  [ $rc -eq 126 ] || { echo "uid $U1 could execute the helper"; return 1; }
}

ich9_refused() {
  local g
  g="$(group_of 0000:00:1f.2)"
  helper_expect 0 inspect-group "$g" || return 1
  json_has "$LAST" '"viable":false' || { echo "inspect-group does not call group $g not viable"; return 1; }
  helper_expect 65 bind-group "$g" || return 1          # default deny: no rule allows the ICH9 functions
  [ "$(driver_of 0000:00:1f.2)" = ahci ] || { echo "00:1f.2 left ahci"; return 1; }
  [ ! -e "/dev/vfio/$g" ] || { echo "/dev/vfio/$g exists"; return 1; }
}

h_bind_group() {
  [ "${#NICS[@]}" -ge 2 ] || { echo "expected two e1000e, found ${#NICS[@]}"; return 1; }
  local a="${NICS[0]}" g out rc
  g="$(group_of "$a")"
  [ "$(driver_of "$a")" = e1000e ] || { echo "$a is not on e1000e at start"; return 1; }
  helper_expect 0 bind-group "$g" || return 1
  json_has "$LAST" '"previousDriver":"e1000e"' || { echo "previous driver not reported"; return 1; }
  [ "$(driver_of "$a")" = vfio-pci ] || { echo "$a is on '$(driver_of "$a")'"; return 1; }
  wait_for 50 test -c "/dev/vfio/$g" || { echo "/dev/vfio/$g did not appear"; return 1; }
  node_is "$g" "0 0 600" || return 1
  echo "sysfs vfio-dev of $a: $(ls -R "/sys/bus/pci/devices/$a/vfio-dev" 2>&1 | tr '\n' ' ')"
  echo "/dev/vfio: $(ls -R /dev/vfio | tr '\n' ' ')"
  out="$(probe_as $U1 $((16 * MiB)) "$g")"; rc=$?
  echo "uid $U1 before grant-nodes: $out"
  [ "$rc" -eq 3 ] && json_has "$out" '"error":"EACCES"' || { echo "uid $U1 not refused before grant-nodes"; return 1; }
}

h_grant_nodes() {
  local g
  g="$(group_of "${NICS[0]}")"
  helper_expect 0 grant-nodes "$g" $U1 $U1 0600 || return 1
  node_is "$g" "$U1 $U1 600"
}

h_dma_within() {
  local g
  g="$(group_of "${NICS[0]}")"
  run_limited_probe $U1 $((16 * MiB)) --map-size 4M "$g" || return 1
  [ "$PROBE_RC" -eq 0 ] || { echo "4 MiB map with a 16 MiB limit set by memlock-pid failed (exit $PROBE_RC)"; return 1; }
  json_has "$LAST_PROBE" '"reg8":"0x' || { echo "BAR0 not read"; return 1; }
  json_has "$LAST_PROBE" '"msix":{"vectors":' || { echo "MSI-X not enabled"; return 1; }
}

h_dma_beyond() {
  local g
  g="$(group_of "${NICS[0]}")"
  run_limited_probe $U1 $((16 * MiB)) --map-size 32M "$g" || return 1
  [ "$PROBE_RC" -eq 5 ] && json_has "$LAST_PROBE" '"step":"map_dma"' && json_has "$LAST_PROBE" '"error":"ENOMEM"' ||
    { echo "expected ENOMEM at map_dma (exit 5) for 32 MiB with a 16 MiB limit, got $PROBE_RC"; return 1; }
}

h_other_user() {
  local g out rc
  g="$(group_of "${NICS[0]}")"
  out="$(probe_as $U2 $((16 * MiB)) "$g")"; rc=$?
  echo "$out"
  [ "$rc" -eq 3 ] && json_has "$out" '"error":"EACCES"' || { echo "expected EACCES (exit 3), got $rc"; return 1; }
  # Nor may the helper hand memlock to a process of another user than the one named.
  setpriv --reuid=$U2 --regid=$U2 --clear-groups sleep 30 &
  local pid=$!
  sleep 0.3
  helper_expect 65 memlock-pid "$pid" $U1 $((16 * MiB)); rc=$?
  kill "$pid"; wait "$pid" 2>/dev/null
  return $rc
}

h_memlock_user() {
  local user f
  user="$(name_of_uid $U1)"
  f="/etc/security/limits.d/90-vfio-broker-$user.conf"
  helper_expect 0 memlock-user "$user" $((16 * MiB)) || return 1
  cat "$f" || return 1
  grep -Eq "^$user[[:space:]]+soft[[:space:]]+memlock[[:space:]]+16384$" "$f" &&
    grep -Eq "^$user[[:space:]]+hard[[:space:]]+memlock[[:space:]]+16384$" "$f" ||
    { echo "drop-in does not set 16384 KiB soft and hard"; return 1; }
  helper_expect 0 memlock-user "$user" remove || return 1
  [ ! -e "$f" ] || { echo "$f still exists after remove"; return 1; }
  helper_expect 65 memlock-user root $((16 * MiB))   # below min-uid
}

h_two_groups() {
  local ga gb
  ga="$(group_of "${NICS[0]}")"; gb="$(group_of "${NICS[1]}")"
  [ "$ga" != "$gb" ] || { echo "both e1000e in group $ga"; return 1; }
  helper_expect 0 bind-group "$gb" || return 1
  wait_for 50 test -c "/dev/vfio/$gb" || { echo "/dev/vfio/$gb did not appear"; return 1; }
  helper_expect 0 grant-nodes "$gb" $U1 $U1 0600 || return 1
  run_limited_probe $U1 $((16 * MiB)) --map-size 4M "$ga" "$gb" || return 1
  [ "$PROBE_RC" -eq 0 ] && json_has "$LAST_PROBE" "{\"group\":$gb," && json_has "$LAST_PROBE" '"container":"one"' ||
    { echo "one container for groups $ga and $gb with one 4 MiB map failed (exit $PROBE_RC)"; return 1; }
}

h_holders() {
  local ga gb n
  ga="$(group_of "${NICS[0]}")"; gb="$(group_of "${NICS[1]}")"
  start_limited_probe $U1 $((16 * MiB)) --map-size 8M --hold 120 "$ga" "$gb" || return 1
  HOLDER_PID=$PROBE_PID
  for n in $(seq 100); do grep -q '"ok":true' "$PROBE_OUT" && break; sleep 0.1; done
  cat "$PROBE_OUT"
  grep -q '"ok":true' "$PROBE_OUT" || { echo "holder did not get going"; return 1; }
  helper_expect 0 holders "$ga" || return 1
  json_has "$LAST" "\"pid\":$HOLDER_PID," || { echo "holder $HOLDER_PID not listed"; return 1; }
  json_has "$LAST" '"vmLckBytes":8388608' || { echo "holder's pinned 8 MiB (VmLck) not reported"; return 1; }
  # The helper refuses to restore a device while its group is open.
  helper_expect 66 restore "${NICS[0]}" || return 1
  [ "$(driver_of "${NICS[0]}")" = vfio-pci ] || { echo "device left vfio-pci while held"; return 1; }
}

h_terminate() {
  local ga
  ga="$(group_of "${NICS[0]}")"
  [ -n "${HOLDER_PID:-}" ] || { echo "no holder from the previous scenario"; return 1; }
  helper_expect 0 terminate-holders "$ga" 3000 || return 1
  json_has "$LAST" '"outcome":"terminated"' || { echo "holder not reported terminated"; return 1; }
  wait "$HOLDER_PID" 2>/dev/null
  [ ! -d "/proc/$HOLDER_PID" ] || { echo "holder $HOLDER_PID still runs"; return 1; }
  rm -f "$PROBE_OUT"
  helper_expect 0 holders "$ga" || return 1
  json_has "$LAST" '"holders":[]' || { echo "holders remain"; return 1; }
}

h_revoke() {
  local g out rc
  for g in $(group_of "${NICS[0]}") $(group_of "${NICS[1]}"); do
    helper_expect 0 revoke-nodes "$g" || return 1
    node_is "$g" "0 0 600" || return 1
  done
  out="$(probe_as $U1 $((16 * MiB)) "$(group_of "${NICS[0]}")")"; rc=$?
  echo "uid $U1 after revoke: $out"
  [ "$rc" -eq 3 ] && json_has "$out" '"error":"EACCES"' || { echo "uid $U1 not refused after revoke"; return 1; }
}

h_restore() {
  local a g ok=0
  for a in "${NICS[@]}"; do
    g="$(group_of "$a")"
    helper_expect 0 restore "$a" || ok=1
    if wait_for 100 test -d "/sys/bus/pci/devices/$a/net" && [ "$(driver_of "$a")" = e1000e ]; then
      echo "$a back on e1000e as $(ls "/sys/bus/pci/devices/$a/net")"
    else
      echo "$a: driver '$(driver_of "$a")', no network interface"; ok=1
    fi
    [ ! -e "/dev/vfio/$g" ] || { echo "/dev/vfio/$g still exists"; ok=1; }
  done
  return $ok
}

scenario helper-installed-by-deploy-setuid-4750 helper_installed
scenario ich9-group-refused-by-helper ich9_refused
scenario bind-group-e1000e-node-root-0600 h_bind_group
scenario grant-nodes-to-uid1000 h_grant_nodes
scenario uid1000-dma-4MiB-within-16MiB-memlock-pid h_dma_within
scenario uid1000-dma-32MiB-beyond-16MiB-enomem h_dma_beyond
scenario uid1001-eacces-and-no-memlock h_other_user
scenario memlock-user-drop-in h_memlock_user
scenario two-groups-one-container h_two_groups
scenario holders-show-pid-and-vmlck h_holders
scenario terminate-holders h_terminate
scenario revoke-nodes-root-0600 h_revoke
scenario restore-e1000e-interface-back h_restore
