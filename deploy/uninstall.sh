#!/bin/bash
# Removes what deploy/install.sh added, as listed in its manifest, and the pam_limits drop-ins the
# helper wrote for grantees. Groups still granted should be revoked first (the dashboard or
# DELETE /api/v1/grants/{id}); the script refuses while devices are bound to vfio-pci unless --force.
#
#   deploy/uninstall.sh [--root DIR] [--purge] [--force]
#
#   --purge   also delete the data directory /var/lib/vfio-broker (the database and audit log)
#   --force   uninstall even while devices are bound to vfio-pci
set -euo pipefail

root=/
purge=no
force=no
die() { echo "uninstall.sh: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root=${2:?--root needs a directory}; shift 2 ;;
    --purge) purge=yes; shift ;;
    --force) force=yes; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
[ "$(id -u)" -eq 0 ] || die "run as root"
root=$(cd "$root" && pwd)
r() { echo "${root%/}$1"; }
live=no
[ "$root" = / ] && live=yes
manifest=$(r /usr/share/vfio-broker/install-manifest)
[ -f "$manifest" ] || die "no manifest at $manifest: vfio-broker was not installed by deploy/install.sh"

if [ "$live" = yes ] && [ "$force" = no ] && [ -d /sys/bus/pci/drivers/vfio-pci ]; then
  bound=$(find /sys/bus/pci/drivers/vfio-pci -maxdepth 1 -name '[0-9a-f]*:*' -printf '%f ' 2>/dev/null || true)
  [ -z "$bound" ] || die "devices are still bound to vfio-pci ($bound); revoke their grants first, or use --force"
fi

if [ "$live" = yes ] && [ -d /run/systemd/system ]; then
  systemctl disable --now vfio-broker.service 2>/dev/null || true
fi

# The helper's memlock drop-ins for grantees.
for f in "$(r /etc/security/limits.d)"/90-vfio-broker-*.conf; do
  if [ -e "$f" ]; then rm -f "$f"; fi
done

# Files first, in reverse order of creation, then directories (deepest first), then the account.
mapfile -t entries < "$manifest"
rm -f "$manifest"
for ((i = ${#entries[@]} - 1; i >= 0; i--)); do
  kind=${entries[$i]%% *}; path=${entries[$i]#* }
  case "$path" in /etc/passwd|/etc/group|/etc/shadow|/etc/gshadow) continue ;; esac  # after the account
  if [ "$kind" = file ]; then rm -f "$(r "$path")"; fi
done
if [ "$purge" = yes ]; then rm -rf "$(r /var/lib/vfio-broker)"; fi
for ((i = ${#entries[@]} - 1; i >= 0; i--)); do
  kind=${entries[$i]%% *}; path=${entries[$i]#* }
  case "$kind" in
    dir) [ -d "$(r "$path")" ] || continue
         if [ "$path" = /var/lib/vfio-broker ] && [ "$purge" = no ]; then
           echo "uninstall.sh: keeping the data directory /var/lib/vfio-broker (use --purge to delete it)"
         elif ! rmdir "$(r "$path")" 2>/dev/null && [ "$live" = yes ]; then
           echo "uninstall.sh: $path is not empty; left in place"
         fi ;;
  esac
done
for ((i = ${#entries[@]} - 1; i >= 0; i--)); do
  kind=${entries[$i]%% *}; name=${entries[$i]#* }
  if [ "$live" = yes ]; then
    case "$kind" in
      user) userdel "$name" ;;
      group) groupdel "$name" 2>/dev/null || true ;;
    esac
  else
    case "$kind" in
      user) userdel --prefix "$root" "$name" ;;
      group) groupdel --prefix "$root" "$name" 2>/dev/null || true ;;
    esac
  fi
done
# Files the staging root needed for the account database (--root installs only).
for ((i = ${#entries[@]} - 1; i >= 0; i--)); do
  kind=${entries[$i]%% *}; path=${entries[$i]#* }
  case "$path" in /etc/passwd|/etc/group|/etc/shadow|/etc/gshadow) [ "$kind" = file ] && rm -f "$(r "$path")" "$(r "$path")-" ;; esac
done
# Directories made only for the staging root's account database.
if [ "$live" = no ]; then
  for ((i = ${#entries[@]} - 1; i >= 0; i--)); do
    kind=${entries[$i]%% *}; path=${entries[$i]#* }
    if [ "$kind" = dir ]; then rmdir "$(r "$path")" 2>/dev/null || true; fi
  done
fi
if [ "$live" = yes ]; then
  [ -d /run/systemd/system ] && systemctl daemon-reload
  command -v udevadm >/dev/null && [ -d /run/udev ] && udevadm control --reload || true
fi
echo "uninstall.sh: removed"
