# Smoke scenarios by hand-rolled sysfs steps (before the helper existed). Sourced by suite.sh.
# shellcheck shell=bash

# Sourced by suite.sh after lib.sh; never on its own, never outside the e2e guest.
if ! declare -F in_e2e_guest >/dev/null || ! in_e2e_guest; then
  echo "REFUSING to run: not sourced by guest/suite.sh inside the vfio-broker e2e guest" >&2
  exit 3
fi

e1000e_bind() {
  [ "${#NICS[@]}" -ge 2 ] || { echo "expected two e1000e, found ${#NICS[@]}"; return 1; }
  local a="${NICS[0]}" g
  g="$(group_of "$a")"
  [ "$(group_members "$g" | wc -l)" -eq 1 ] || { echo "group $g of $a has other members"; return 1; }
  [ "$(driver_of "$a")" = e1000e ] || { echo "$a is not on e1000e at start"; return 1; }
  bind_vfio "$a" || return 1
  wait_for 50 test -c "/dev/vfio/$g" || { echo "/dev/vfio/$g did not appear"; return 1; }
  [ "$(stat -c '%u %a' "/dev/vfio/$g")" = "0 600" ] || { echo "/dev/vfio/$g is not root 0600"; return 1; }
  echo "$a (group $g) on vfio-pci, /dev/vfio/$g root 0600"
}

uid1000_eacces_before_chown() {
  local g out rc
  g="$(group_of "${NICS[0]}")"
  out="$(probe_as $U1 $((16 * MiB)) "$g")"; rc=$?
  echo "$out"
  [ "$rc" -eq 3 ] && json_has "$out" '"error":"EACCES"' || { echo "expected EACCES (exit 3), got $rc"; return 1; }
}

uid1000_dma_within_quota() {
  local g out rc
  g="$(group_of "${NICS[0]}")"
  chown $U1 "/dev/vfio/$g" || return 1
  out="$(probe_as $U1 $((16 * MiB)) --map-size 4M "$g")"; rc=$?
  echo "$out"
  [ "$rc" -eq 0 ] || { echo "4 MiB map with a 16 MiB limit failed (exit $rc)"; return 1; }
  json_has "$out" '"vendor":"0x8086"' || { echo "config space not read"; return 1; }
  json_has "$out" '"reg8":"0x' || { echo "BAR0 not read"; return 1; }
  json_has "$out" '"msix":{"vectors":' || { echo "MSI-X not enabled"; return 1; }
}

uid1000_dma_beyond_quota() {
  local g out rc
  g="$(group_of "${NICS[0]}")"
  out="$(probe_as $U1 $((16 * MiB)) --map-size 32M "$g")"; rc=$?
  echo "$out"
  [ "$rc" -eq 5 ] && json_has "$out" '"step":"map_dma"' && json_has "$out" '"error":"ENOMEM"' ||
    { echo "expected ENOMEM at map_dma (exit 5) for 32 MiB with a 16 MiB limit, got $rc"; return 1; }
}

uid1001_eacces() {
  local g out rc
  g="$(group_of "${NICS[0]}")"
  out="$(probe_as $U2 $((16 * MiB)) "$g")"; rc=$?
  echo "$out"
  [ "$rc" -eq 3 ] && json_has "$out" '"error":"EACCES"' || { echo "expected EACCES (exit 3), got $rc"; return 1; }
}

two_groups_one_container() {
  local a="${NICS[0]}" b="${NICS[1]}" ga gb out rc
  ga="$(group_of "$a")"; gb="$(group_of "$b")"
  [ "$ga" != "$gb" ] || { echo "both e1000e in group $ga"; return 1; }
  bind_vfio "$b" || return 1
  wait_for 50 test -c "/dev/vfio/$gb" || { echo "/dev/vfio/$gb did not appear"; return 1; }
  chown $U1 "/dev/vfio/$gb" || return 1
  out="$(probe_as $U1 $((16 * MiB)) --map-size 4M "$ga" "$gb")"; rc=$?
  echo "$out"
  [ "$rc" -eq 0 ] && json_has "$out" "{\"group\":$gb," && json_has "$out" '"container":"one"' ||
    { echo "one container for groups $ga and $gb with one 4 MiB map failed (exit $rc)"; return 1; }
}

holder_visible() {
  local ga gb pid line locked pinned fds uid
  ga="$(group_of "${NICS[0]}")"; gb="$(group_of "${NICS[1]}")"
  # exec: the coprocess PID is then the probe itself (prlimit and setpriv exec in turn).
  coproc HOLD { exec prlimit --memlock=$((16 * MiB)):$((16 * MiB)) \
    setpriv --reuid=$U1 --regid=$U1 --clear-groups "$PROBE" --map-size 8M --hold 60 "$ga" "$gb"; }
  pid=$HOLD_PID
  read -r -t 60 line <&"${HOLD[0]}" || { echo "holder did not report"; kill "$pid"; return 1; }
  echo "$line"
  # type1 charges pinned pages to mm->locked_vm, which /proc shows as VmLck (VmPin is mm->pinned_vm,
  # used by iommufd, RDMA and io_uring): a holder's pinned memory must be read from both.
  locked="$(awk '/^VmLck:/ { print $2 }' "/proc/$pid/status")"
  pinned="$(awk '/^VmPin:/ { print $2 }' "/proc/$pid/status")"
  uid="$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")"
  fds="$(ls -l "/proc/$pid/fd" | grep -c ' -> /dev/vfio/')"
  echo "holder pid $pid uid $uid: VmLck $locked kB, VmPin $pinned kB, $fds fds on /dev/vfio/*"
  ls -l "/proc/$pid/fd" | grep -E 'vfio|anon_inode' || true
  kill "$pid"; wait "$pid" 2>/dev/null
  [ "$uid" = "$U1" ] || { echo "holder is not uid $U1"; return 1; }
  [ "${locked:-0}" -ge 8192 ] || { echo "expected VmLck >= 8192 kB, got ${locked:-none}"; return 1; }
  [ "$fds" -ge 3 ] || { echo "expected 3 fds on /dev/vfio (container and two groups), got $fds"; return 1; }
}

restore_e1000e() {
  local a g ok=0
  [ "${#NICS[@]}" -ge 2 ] || { echo "expected two e1000e, found ${#NICS[@]}"; return 1; }
  for a in "${NICS[@]}"; do
    g="$(group_of "$a")"
    [ -e "/dev/vfio/$g" ] && chown 0:0 "/dev/vfio/$g" && chmod 0600 "/dev/vfio/$g"
    restore_driver "$a"
    if wait_for 100 test -d "/sys/bus/pci/devices/$a/net" && [ "$(driver_of "$a")" = e1000e ]; then
      echo "$a back on e1000e as $(ls "/sys/bus/pci/devices/$a/net")"
    else
      echo "$a: driver '$(driver_of "$a")', no network interface"; ok=1
    fi
    [ ! -e "/dev/vfio/$g" ] || { echo "/dev/vfio/$g still exists"; ok=1; }
  done
  return $ok
}

scenario e1000e-bound-to-vfio-pci e1000e_bind
scenario uid1000-eacces-before-chown uid1000_eacces_before_chown
scenario uid1000-dma-4MiB-within-16MiB-limit uid1000_dma_within_quota
scenario uid1000-dma-32MiB-beyond-16MiB-limit-enomem uid1000_dma_beyond_quota
scenario uid1001-eacces uid1001_eacces
scenario two-groups-one-container two_groups_one_container
scenario holder-visible-with-pinned-memory holder_visible
scenario e1000e-restored-interface-back restore_e1000e

