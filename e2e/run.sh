#!/usr/bin/env bash
# The real-kernel acceptance suite: boots Debian's kernel in QEMU (software emulation, q35, emulated
# Intel IOMMU, two e1000e), runs guest/suite.sh inside a chroot of this machine's root (shared
# read-only over 9p) and reports one line per scenario:
#   PASS name
#   FAIL name: reason
#   N passed, M failed
# Exit status: 0 all passed, 1 a scenario failed, 2 a prerequisite is missing or the harness broke.
# Environment: VFIO_E2E_CACHE (kernel cache), VFIO_E2E_KERNEL_PKG, VFIO_E2E_HELPER (helper binary, or none), VFIO_E2E_TIMEOUT (seconds, 300),
# VFIO_E2E_MEM (guest MiB, 1024), VFIO_E2E_SMP (guest CPUs, 1).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

. "$E2E_DIR/lib/qemu.sh"

start_ms="$(now_ms)"
require_cmd qemu-system-x86_64 qemu-system-x86
require_file /usr/share/seabios/bios-256k.bin seabios
require_cmd timeout coreutils
require_cmd gcc gcc
require_file /usr/include/linux/vfio.h linux-libc-dev
require_file /usr/lib/x86_64-linux-gnu/libc.a libc6-dev

# The guest runs this machine's programs in a chroot: the suite needs these on the host.
require_cmd setpriv util-linux
require_cmd prlimit util-linux
require_cmd runuser util-linux      # the PAM session of the grantee (pam_limits) in the REST scenarios
require_cmd lspci pciutils          # scenario rest-1 compares the inventory with lspci in the guest
require_cmd java openjdk-17-jdk-headless

run="$E2E_TARGET/run"
# The guest reaches the run directory through this machine's root, under its own /tmp, /run, /proc,
# /sys and /dev: a run directory below one of those would be hidden there.
case "$(realpath -m "$run")/" in
  /tmp/*|/run/*|/proc/*|/sys/*|/dev/*) die "E2E_TARGET must not be below /tmp, /run, /proc, /sys or /dev (the guest mounts its own there): $E2E_TARGET" ;;
esac
rm -rf "$run"
mkdir -p "$run/results"
chmod 0755 "$run" "$run/results"

kdir="$("$E2E_DIR/lib/kernel.sh")"
"$E2E_DIR/lib/initramfs.sh" "$kdir" "$run/initramfs.cpio.gz"
"$E2E_DIR/lib/build-probe.sh" "$run/vfio-probe"

# The production helper: built from helper/ (make is cheap when it is up to date) once the helper is
# part of this tree; VFIO_E2E_HELPER names another binary. Without one, the suite binds by hand.
helper="${VFIO_E2E_HELPER:-}"
if [ "$helper" = none ]; then
  helper=""   # VFIO_E2E_HELPER=none: the kernel-only path, by hand
elif [ -z "$helper" ] && [ -d "$E2E_DIR/../helper" ]; then
  require_cmd make make
  make -s -C "$E2E_DIR/../helper" target/vfio-broker-helper >&2 || die "building the helper failed"
  helper="$(cd "$E2E_DIR/../helper" && pwd)/target/vfio-broker-helper"
fi
if [ -n "$helper" ]; then
  [ -x "$helper" ] || die "helper '$helper' is not an executable file"
  log "production helper: $helper"
  # A copy in the run directory: the guest sees this machine's root but has its own /tmp.
  cp "$helper" "$run/vfio-broker-helper"
  helper="$run/vfio-broker-helper"
else
  log "no helper (none in this tree, or VFIO_E2E_HELPER=none): the suite binds and hands out nodes by hand"
fi

# deploy/install.sh installs the helper in the guest when the tree has it. The smoke scenarios do
# not start the service: without a built jar a placeholder file stands in for it.
deploy=""
jar=""
if [ -n "$helper" ] && [ -x "$E2E_DIR/../deploy/install.sh" ]; then
  deploy="$(cd "$E2E_DIR/../deploy" && pwd)/install.sh"
  jar="$(cd "$E2E_DIR/.." && pwd)/service/target/vfio-broker-exec.jar"
  if [ ! -f "$jar" ]; then
    jar="$run/placeholder-service.jar"
    echo "placeholder: the smoke scenarios do not run the service" > "$jar"
    log "no service/target/vfio-broker-exec.jar: deploy/install.sh gets a placeholder (the smoke scenarios do not start the service)"
  fi
fi

# What the guest suite needs to know, read by guest/suite.sh.
printf 'PROBE=%q\nHELPER=%q\nDEPLOY=%q\nJAR=%q\nE2E_DIR=%q\n' \
  "$run/vfio-probe" "$helper" "$deploy" "$jar" "$E2E_DIR" > "$run/results/env"

# The REST-driven scenarios (issue 6): the real service jar runs in the guest, installed by
# deploy/install.sh, started as its systemd unit would start it; the driver (e2e/src/main/java, the
# client generated from openapi.yaml) runs here and reaches it through a QEMU user-mode NIC.
# VFIO_E2E_REST=no runs the smoke scenarios only (said so loudly).
rest="${VFIO_E2E_REST:-yes}"
port=""
if [ "$rest" = yes ]; then
  [ -n "$deploy" ] || die "the REST scenarios need the production helper and deploy/install.sh (VFIO_E2E_REST=no runs the smoke scenarios only)"
  [ "$jar" = "$(cd "$E2E_DIR/.." && pwd)/service/target/vfio-broker-exec.jar" ] ||
    die "no service/target/vfio-broker-exec.jar: build it first (./mvnw -B -pl e2e -am verify builds it), or VFIO_E2E_REST=no"
  [ -n "${E2E_DRIVER_CP:-}" ] ||
    die "E2E_DRIVER_CP (the REST driver's classpath) is not set: run the suite through ./mvnw -pl e2e -am verify, or VFIO_E2E_REST=no"
  read -r app_jar app_jsa app_sha < <("$E2E_DIR/lib/appcds.sh" "$jar" "$E2E_TARGET/appcds")
  [ -n "$app_jsa" ] || die "preparing the service jar for the guest failed"
  # A free port on this machine's loopback for the forward to the guest's 8080.
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
  done
  [ -n "$port" ] || die "no free port on 127.0.0.1"
  admin_pw="e2e-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  mkdir -p "$run/results/inbox"
  chmod 0755 "$run/results/inbox"
  printf 'REST=yes\nAPP_JAR=%q\nAPP_JSA=%q\nAPP_SHA=%q\nADMIN_PASSWORD=%q\n' \
    "$app_jar" "$app_jsa" "$app_sha" "$admin_pw" >> "$run/results/env"
  log "REST scenarios: service $app_jar (AppCDS $app_jsa), driver on 127.0.0.1:$port"
else
  echo "REST=no" >> "$run/results/env"
  log "VFIO_E2E_REST=$rest: the REST-driven scenarios are NOT run (smoke scenarios only)"
fi

QEMU_DATA_DIRS=()
select_qemu
sriov_devices=()
if [ "$QEMU_SRIOV" = yes ]; then
  # igb (82576) behind a PCIe root port: SR-IOV with up to 7 VFs.
  sriov_devices=(-device pcie-root-port,id=rp1,chassis=1 -device igb,bus=rp1,romfile=,netdev=n2
                 -netdev hubport,id=n2,hubid=2)
else
  log "SR-IOV scenario skipped: $QEMU_SRIOV_WHY"
fi
log "QEMU $QEMU_VERSION: $QEMU_BIN"
printf 'SRIOV=%q\n' "$QEMU_SRIOV" >> "$run/results/env"

ctl_nic=()
if [ "$rest" = yes ]; then
  # The control NIC, after the granted devices so that their addresses stay as they were; virtio-net,
  # never granted (the pools select e1000e and igb by id).
  ctl_nic=(-device virtio-net-pci,netdev=ctl,romfile= -netdev "user,id=ctl,hostfwd=tcp:127.0.0.1:$port-:8080")
fi

log "booting $(cat "$kdir/release") in QEMU (TCG; console in $run/console.log)"
boot_ms="$(now_ms)"
qemu_rc=0
if [ "$rest" = yes ]; then timeout_s="${VFIO_E2E_TIMEOUT:-1000}"; mem="${VFIO_E2E_MEM:-2048}"
else timeout_s="${VFIO_E2E_TIMEOUT:-300}"; mem="${VFIO_E2E_MEM:-1024}"; fi
timeout --kill-after=10 "$timeout_s" "$QEMU_BIN" "${QEMU_DATA_DIRS[@]}" \
  -nodefaults -nographic -monitor none -serial "file:$run/console.log" \
  -accel tcg,thread=multi -cpu max -smp "${VFIO_E2E_SMP:-1}" -m "$mem" \
  -machine q35,kernel-irqchip=split \
  -device intel-iommu,intremap=on,caching-mode=on \
  -device e1000e,romfile=,netdev=n0 -netdev hubport,id=n0,hubid=0 \
  -device e1000e,romfile=,netdev=n1 -netdev hubport,id=n1,hubid=1 \
  "${sriov_devices[@]}" \
  "${ctl_nic[@]}" \
  -virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
  -virtfs "local,path=$run/results,mount_tag=results,security_model=none,multidevs=remap" \
  -kernel "$kdir/vmlinux" -initrd "$run/initramfs.cpio.gz" \
  -append "console=ttyS0 intel_iommu=on iommu=pt panic=-1 loglevel=4 rdinit=/init vfio_broker_e2e=1 e2e.suite=$E2E_DIR/guest/suite.sh e2e.results=$run/results" \
  -no-reboot > "$run/qemu.log" 2>&1 &
qemu_pid=$!
driver_rc=0
if [ "$rest" = yes ]; then
  # The driver waits for the guest to say the service is up, runs the REST scenarios, then tells the
  # guest to stop (inbox/shutdown). Its PASS/FAIL lines go to results/rest-results.txt.
  java -cp "$E2E_DRIVER_CP" org.vfiobroker.e2e.RestScenarios \
    --results "$run/results" --port "$port" --qemu-pid "$qemu_pid" --password "$admin_pw" \
    --sriov "$QEMU_SRIOV" > "$run/driver.log" 2>&1 || driver_rc=$?
  touch "$run/results/inbox/shutdown"
fi
wait "$qemu_pid" || qemu_rc=$?
end_ms="$(now_ms)"

printf 'qemu_wall_ms=%s\ntotal_wall_ms=%s\n' "$((end_ms - boot_ms))" "$((end_ms - start_ms))" > "$run/host-timing.txt"
log "QEMU exited with $qemu_rc after $(( (end_ms - boot_ms) / 1000 )) s"

passed=0; failed=0; skipped=0
if [ "$QEMU_SRIOV" != yes ]; then
  skipped=1
  echo "SKIP sr-iov: $QEMU_SRIOV_WHY"
fi
for f in "$run/results/results.txt" "$run/results/rest-results.txt"; do
  [ -f "$f" ] || continue
  while IFS= read -r line; do
    case "$line" in
      PASS\ *) passed=$((passed + 1)); echo "$line" ;;
      FAIL\ *) failed=$((failed + 1)); echo "$line" ;;
      SKIP\ *) skipped=$((skipped + 1)); echo "$line" ;;
    esac
  done < "$f"
done
if [ "$rest" = yes ] && [ "$driver_rc" -ne 0 ] && [ "$driver_rc" -ne 1 ]; then
  failed=$((failed + 1))
  echo "FAIL rest-driver: exited with $driver_rc; see $run/driver.log"
fi
if [ "$qemu_rc" -ne 0 ]; then
  failed=$((failed + 1))
  echo "FAIL guest: QEMU exited with $qemu_rc (124 = timeout); see $run/console.log and $run/qemu.log"
elif [ ! -f "$run/results/done" ]; then
  failed=$((failed + 1))
  echo "FAIL guest: the suite did not finish; see $run/console.log and $run/results/guest.log"
fi
if [ "$failed" -ne 0 ]; then
  [ -f "$run/driver.log" ] && { log "last lines of the REST driver's log:"; tail -n 25 "$run/driver.log" | sed 's/^/  | /' >&2; }
  log "last lines of the guest console:"; tail -n 15 "$run/console.log" | sed 's/^/  | /' >&2 || true
  [ -f "$run/results/guest.log" ] && { log "last lines of the suite's log:"; tail -n 25 "$run/results/guest.log" | sed 's/^/  | /' >&2; }
fi
[ -f "$run/results/guest-timing.txt" ] && log "guest timing: $(tr '\n' ' ' < "$run/results/guest-timing.txt")"
log "wall time: QEMU $(( (end_ms - boot_ms) / 1000 )) s, whole run $(( (end_ms - start_ms) / 1000 )) s"
if [ "$skipped" -gt 0 ]; then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
