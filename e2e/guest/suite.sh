#!/bin/bash
# The e2e suite, run by the guest's /init inside a chroot of the host's root, as root of the GUEST.
# Smoke scenarios (the REST-driven ones come with the grant API): with the production helper when the
# harness found one (HELPER in <results>/env), otherwise by hand-rolled sysfs steps.
# Usage: suite.sh <results directory>; reads <results>/env (PROBE=..., HELPER=...).
# No set -u: scenarios run in this shell, and one slip must fail its scenario, not end the suite.
set -o pipefail
RESULTS="$1"
. "$RESULTS/env"
here="$(dirname "$0")"
. "$here/lib.sh"   # refuses to continue outside the e2e guest

MiB=$((1024 * 1024))
U1=1000   # the grantee
U2=1001   # another unprivileged user

mapfile -t NICS < <(devices_by_id 0x8086 0x10d3)   # e1000e (82574L)
echo "e1000e functions: ${NICS[*]:-none}"
uname -r; cat /proc/cmdline

# The kernel's own verdict, whoever binds: move only the SMBus function of the ICH9 group to
# vfio-pci; the group node appears but the kernel calls the group not viable while the SATA
# controller and the LPC bridge stay on their host drivers.
ich9_not_viable() {
  local smbus=0000:00:1f.3 sata=0000:00:1f.2 g out rc
  g="$(group_of $sata)"
  [ "$(group_of $smbus)" = "$g" ] || { echo "00:1f.2 and 00:1f.3 are not in one group"; return 1; }
  echo "ICH9 group $g: $(group_members "$g" | tr '\n' ' ')"
  [ "$(driver_of $sata)" = ahci ] || { echo "00:1f.2 is not on ahci (host driver)"; return 1; }
  bind_vfio $smbus || return 1
  wait_for 50 test -c "/dev/vfio/$g" || { echo "/dev/vfio/$g did not appear"; restore_driver $smbus; return 1; }
  out="$("$PROBE" --map-size 0 "$g")"; rc=$?
  echo "$out"
  restore_driver $smbus
  [ "$(driver_of $smbus)" = i801_smbus ] || { echo "00:1f.3 not back on i801_smbus"; return 1; }
  [ "$rc" -eq 3 ] && json_has "$out" '"step":"group_viable"' ||
    { echo "expected exit 3 at group_viable, got $rc"; return 1; }
}

scenario ich9-group-not-viable-kernel ich9_not_viable

if [ -n "${HELPER:-}" ]; then
  . "$here/smoke-helper.sh"
else
  echo "no helper in this tree: the grant steps are done by hand"
  . "$here/smoke-by-hand.sh"
fi

# SR-IOV (igb behind a PCIe root port, QEMU 8 or newer): two VFs, one granted, DMA, taken back.
sriov() {
  local pf vf g gpf total
  pf="$(devices_by_id 0x8086 0x10c9 | head -n 1)"
  [ -n "$pf" ] || { echo "no igb physical function"; return 1; }
  total="$(cat "/sys/bus/pci/devices/$pf/sriov_totalvfs")"
  echo "igb $pf: sriov_totalvfs $total, driver $(driver_of "$pf")"
  [ "$total" -ge 2 ] || { echo "sriov_totalvfs is $total"; return 1; }
  if [ -n "${HELPER:-}" ]; then
    helper_expect 0 set-numvfs "$pf" 2 || return 1
  else
    sysfs_write "/sys/bus/pci/devices/$pf/sriov_numvfs" 2 || return 1
  fi
  wait_for 100 test -e "/sys/bus/pci/devices/$pf/virtfn1" || { echo "VFs did not appear"; return 1; }
  vf="$(basename "$(readlink "/sys/bus/pci/devices/$pf/virtfn0")")"
  g="$(group_of "$vf")"; gpf="$(group_of "$pf")"
  echo "VF $vf in group $g (members: $(group_members "$g" | tr '\n' ' ')), PF in group $gpf, VF driver '$(driver_of "$vf")'"
  [ "$g" != "$gpf" ] && [ "$(group_members "$g" | wc -l)" -eq 1 ] || { echo "the VF has no group of its own"; return 1; }
  if [ -n "${HELPER:-}" ]; then
    helper_expect 0 bind-group "$g" || return 1
    helper_expect 0 grant-nodes "$g" $U1 $U1 0600 || return 1
    run_limited_probe $U1 $((16 * MiB)) --map-size 4M "$g" || return 1
    [ "$PROBE_RC" -eq 0 ] || { echo "DMA through the VF failed (exit $PROBE_RC)"; return 1; }
    helper_expect 0 revoke-nodes "$g" || return 1
    helper_expect 0 restore "$vf" || return 1
    helper_expect 0 set-numvfs "$pf" 0 || return 1
  else
    bind_vfio "$vf" || return 1
    wait_for 50 test -c "/dev/vfio/$g" || { echo "/dev/vfio/$g did not appear"; return 1; }
    chown $U1 "/dev/vfio/$g"
    local out rc
    out="$(probe_as $U1 $((16 * MiB)) --map-size 4M "$g")"; rc=$?
    echo "$out"
    chown 0 "/dev/vfio/$g"
    restore_driver "$vf"
    sysfs_write "/sys/bus/pci/devices/$pf/sriov_numvfs" 0
    [ "$rc" -eq 0 ] || { echo "DMA through the VF failed (exit $rc)"; return 1; }
  fi
  wait_for 100 test ! -e "/sys/bus/pci/devices/$pf/virtfn0" || { echo "VFs still there after numvfs 0"; return 1; }
}
[ "${SRIOV:-no}" = yes ] && scenario sr-iov-vf-dma sriov

# The REST-driven scenarios: the installed service runs here; the host-side driver talks to it.
if [ "${REST:-no}" = yes ]; then
  if [ -n "${HELPER:-}" ]; then
    . "$here/rest.sh"
  else
    fail rest-scenarios "no production helper: the service cannot run"
  fi
fi

touch "$RESULTS/done"
