#!/usr/bin/env bash
# Builds the guest's initramfs: busybox-static, the guest's /init and only the kernel modules the suite
# needs, in dependency order read from each module's modinfo `depends=` (there is no depmod here).
# Usage: initramfs.sh <kernel-dir from kernel.sh> <output.cpio.gz>
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

kdir="$1"
out="$2"
release="$(cat "$kdir/release")"
moddir="$kdir/root/lib/modules/$release/kernel"

require_file /bin/busybox busybox-static
require_cmd readelf binutils
! readelf -l /bin/busybox 2>/dev/null | grep -q 'INTERP' ||
  die "/bin/busybox is not statically linked: install the Debian package 'busybox-static'"
require_cmd cpio cpio
require_cmd gzip gzip

# What the guest needs, by module name; their dependencies are added automatically.
wanted=(
  virtio_pci 9pnet_virtio 9p overlay   # the host's root and the results directory over 9p, /etc overlay
  virtio_net                           # the control NIC: the host-side REST driver reaches the service
  vfio vfio_iommu_type1 vfio_pci       # the subject
  e1000e                               # the devices to grant (one IOMMU group each)
  igb igbvf                            # SR-IOV physical function and its VFs (QEMU 8 or newer)
  ahci lpc_ich i2c_i801                # host drivers on the ICH9 functions 00:1f.x: a non-viable group
)

# Module name -> file (file names may use '-' where module names use '_').
declare -A file_of
while IFS= read -r f; do
  n="${f##*/}"; n="${n%.ko}"
  file_of["${n//-/_}"]="$f"
done < <(find "$moddir" -name '*.ko')

declare -A seen
order=()
visit() { # module name: depth-first, dependencies first
  local m="${1//-/_}" f deps d
  [ -n "${seen[$m]:-}" ] && return 0
  seen[$m]=1
  f="${file_of[$m]:-}"
  [ -n "$f" ] || die "module $m not found in $moddir"
  deps="$(tr '\0' '\n' < "$f" | grep -a -m1 '^depends=' | cut -d= -f2 || true)"
  for d in ${deps//,/ }; do visit "$d"; done
  order+=("$m")
}
for m in "${wanted[@]}"; do visit "$m"; done

stage="$(mktemp -d "${TMPDIR:-/tmp}/vfio-e2e-initramfs.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
# mktemp -d makes the root 0700: unprivileged users in the guest would then fail on everything.
chmod 0755 "$stage"
mkdir -p "$stage"/{bin,dev,proc,sys,host,results,overlay,lib/modules}
cp /bin/busybox "$stage/bin/busybox"
cp "$E2E_DIR/initramfs/init" "$stage/init"
chmod 0755 "$stage/init" "$stage/bin/busybox"
: > "$stage/modules.order"
for m in "${order[@]}"; do
  cp "${file_of[$m]}" "$stage/lib/modules/$m.ko"
  echo "$m" >> "$stage/modules.order"
done
# The marker the guest scripts check before touching /sys (together with the kernel command line).
echo "vfio-broker e2e guest initramfs" > "$stage/vfio-broker-e2e-initramfs"

( cd "$stage" && find . -print0 | sort -z | cpio --null -o -H newc -R 0:0 --quiet ) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
log "initramfs: ${#order[@]} modules ($(du -h "$out" | cut -f1)): ${order[*]}"
