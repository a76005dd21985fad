# Helpers for the guest suite. Sourced inside the QEMU guest only (chroot of the host's root).
# shellcheck shell=bash

# The guard: everything here writes to /sys/bus/pci. That is only allowed inside the e2e guest, which
# has both the marker its initramfs writes on a guest-only tmpfs and the token on its kernel command
# line. On any other machine (including the host that runs QEMU) refuse before doing anything.
in_e2e_guest() {
  [ -f /run/vfio-broker-e2e-guest ] &&
    grep -qw 'vfio_broker_e2e=1' /proc/cmdline &&
    [ -d /sys/kernel/iommu_groups ]
}
if ! in_e2e_guest; then
  echo "guest/lib.sh: REFUSING to run: this is not the vfio-broker e2e QEMU guest" >&2
  exit 3
fi

RESULTS="${RESULTS:?}"
: > "$RESULTS/results.txt"

pass() { echo "PASS $1" | tee -a "$RESULTS/results.txt"; }
fail() { echo "FAIL $1: $2" | tee -a "$RESULTS/results.txt"; }

# Runs one scenario function in this shell (so that state such as a holder's PID carries over to the
# next scenario), its output indented in the log: PASS when it returns 0, FAIL with the last line it
# printed otherwise.
scenario() { # name function
  local name="$1" fn="$2" t0 t1 rc log
  echo "=== $name"
  log="$(mktemp /tmp/e2e-scenario.XXXXXX)"
  t0="$(date +%s%3N)"
  "$fn" > "$log" 2>&1; rc=$?
  t1="$(date +%s%3N)"
  sed 's/^/    /' "$log"
  echo "    ($((t1 - t0)) ms)"
  echo "$name $((t1 - t0))" >> "$RESULTS/scenario-ms.txt"
  if [ "$rc" -eq 0 ]; then pass "$name"; else fail "$name" "$(tail -n 1 "$log")"; fi
  rm -f "$log"
}

# A sysfs write inside the guest, with the guard checked again right before it.
sysfs_write() { # path value
  in_e2e_guest || { echo "not in the e2e guest: refusing to write $1"; return 3; }
  printf '%s\n' "$2" > "$1"
}

devices_by_id() { # vendor device -> addresses
  local d
  for d in /sys/bus/pci/devices/*; do
    [ "$(cat "$d/vendor")" = "$1" ] && [ "$(cat "$d/device")" = "$2" ] && basename "$d"
  done
  return 0
}
group_of() { basename "$(readlink "/sys/bus/pci/devices/$1/iommu_group")"; }
driver_of() { # address -> driver name or empty
  local l="/sys/bus/pci/devices/$1/driver"
  [ -e "$l" ] && basename "$(readlink "$l")" || true
}
group_members() { ls "/sys/kernel/iommu_groups/$1/devices"; }

# The kernel's recipe: driver_override, unbind from the current driver, drivers_probe.
bind_vfio() { # address
  local a="$1" d
  sysfs_write "/sys/bus/pci/devices/$a/driver_override" vfio-pci
  d="$(driver_of "$a")"
  if [ -n "$d" ] && [ "$d" != vfio-pci ]; then sysfs_write "/sys/bus/pci/devices/$a/driver/unbind" "$a"; fi
  [ "$(driver_of "$a")" = vfio-pci ] || sysfs_write /sys/bus/pci/drivers_probe "$a"
  [ "$(driver_of "$a")" = vfio-pci ] || { echo "$a is not on vfio-pci after drivers_probe"; return 1; }
}
restore_driver() { # address (empty line clears driver_override)
  local a="$1"
  sysfs_write "/sys/bus/pci/devices/$a/driver_override" ""
  [ -n "$(driver_of "$a")" ] && sysfs_write "/sys/bus/pci/devices/$a/driver/unbind" "$a"
  sysfs_write /sys/bus/pci/drivers_probe "$a"
}

wait_for() { # tenths-of-seconds command...
  local n="$1"; shift
  while ! "$@"; do
    n=$((n - 1)); [ "$n" -gt 0 ] || return 1
    sleep 0.1
  done
}

# Runs the probe as an unprivileged uid with a memlock limit (bytes) applied from outside.
probe_as() { # uid memlock-bytes probe-args...
  local uid="$1" lim="$2"; shift 2
  prlimit --memlock="$lim:$lim" setpriv --reuid="$uid" --regid="$uid" --clear-groups "$PROBE" "$@"
}

json_has() { # json fragment
  case "$1" in *"$2"*) return 0 ;; *) return 1 ;; esac
}
