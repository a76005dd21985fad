#!/usr/bin/env bash
# Obtains Debian's kernel package without installing it and prepares, in the cache directory:
#   <cache>/<package>/vmlinux   the uncompressed kernel cut out of the bzImage (PVH entry: boots faster)
#   <cache>/<package>/root/     the unpacked package (lib/modules/<release>/...)
#   <cache>/<package>/release   the kernel release string (e.g. 6.1.0-56-amd64)
# Prints the directory. The package is the versioned linux-image-* that linux-image-amd64 depends on
# (override with VFIO_E2E_KERNEL_PKG). apt-get download uses this machine's own apt configuration.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

require_cmd apt-get apt
require_cmd dpkg-deb dpkg
require_cmd xz xz-utils
require_cmd readelf binutils

pkg="${VFIO_E2E_KERNEL_PKG:-}"
if [ -z "$pkg" ]; then
  pkg="$(apt-cache depends linux-image-amd64 2>/dev/null |
         awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')" || true
fi
if [ -z "$pkg" ]; then
  # Offline with a cache: use the newest kernel already prepared.
  cached="$(ls -d "$E2E_CACHE"/linux-image-*/ready 2>/dev/null | sort -V | tail -n 1 || true)"
  [ -n "$cached" ] || die "cannot resolve the kernel package: 'apt-cache depends linux-image-amd64' gave no linux-image-<version> (run apt-get update, or set VFIO_E2E_KERNEL_PKG)"
  dirname "$cached"
  exit 0
fi

dir="$E2E_CACHE/$pkg"
if [ -f "$dir/ready" ]; then
  echo "$dir"
  exit 0
fi

log "preparing kernel package $pkg in $dir"
rm -rf "$dir"
mkdir -p "$dir/download"
( cd "$dir/download" && apt-get download "$pkg" >&2 ) ||
  { rm -rf "$dir"; die "apt-get download $pkg failed: the kernel package must be downloadable with this machine's apt sources (run apt-get update)"; }
deb="$(ls "$dir"/download/*.deb)"
dpkg-deb -x "$deb" "$dir/root"
rm -rf "$dir/download"

vmlinuz="$(ls "$dir"/root/boot/vmlinuz-*)"
release="${vmlinuz##*/vmlinuz-}"
[ -d "$dir/root/lib/modules/$release/kernel" ] || die "$pkg has no modules for $release"

# Cut the compressed payload out of the bzImage: try every xz (6.1) or zstd (6.12) magic in turn
# until one decompresses to an ELF file.
extract() { # magic-regex decompress-command...
  local magic="$1"; shift
  local off
  for off in $(LC_ALL=C grep -obUaP "$magic" "$vmlinuz" | cut -d: -f1); do
    tail -c "+$((off + 1))" "$vmlinuz" | "$@" > "$dir/vmlinux.tmp" 2>/dev/null || true
    if [ "$(head -c 4 "$dir/vmlinux.tmp" | od -An -tx1 | tr -d ' ')" = "7f454c46" ]; then
      mv "$dir/vmlinux.tmp" "$dir/vmlinux"
      return 0
    fi
  done
  rm -f "$dir/vmlinux.tmp"
  return 1
}
extract '\xfd7zXZ\x00' xz -dc --single-stream ||
  { require_cmd zstd zstd; extract '\x28\xb5\x2f\xfd' zstd -dcq; } ||
  die "could not cut an uncompressed vmlinux out of $vmlinuz"
readelf -n "$dir/vmlinux" | grep -q 'Xen' ||
  die "$dir/vmlinux has no PVH (Xen ELF) note: the kernel needs CONFIG_PVH=y to boot it directly"

echo "$release" > "$dir/release"
touch "$dir/ready"
log "kernel $release ready"
echo "$dir"
