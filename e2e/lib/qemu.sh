# Chooses the QEMU to boot. Sourced by run.sh; sets QEMU_BIN, QEMU_VERSION, QEMU_SRIOV (yes/no) and
# QEMU_SRIOV_WHY, and exports QEMU_MODULE_DIR when needed.
# shellcheck shell=bash
#
# SR-IOV needs the igb device, QEMU 8.0 or newer. Bookworm's QEMU is 7.2; bookworm-backports has
# 10.0. When the installed QEMU is older than 8, the backports build is downloaded (not installed)
# into the cache: the archive address is taken from this machine's own apt sources at run time and
# apt works on a private state directory, so the machine's apt configuration stays untouched.
# VFIO_E2E_QEMU names a binary to use instead; VFIO_E2E_BACKPORTS=no keeps the installed one.

qemu_version() { "$1" --version | awk 'NR == 1 { print $4 }'; }
qemu_major() { echo "${1%%.*}"; }

qemu_from_backports() { # prints the directory of an unpacked backports QEMU, or fails
  local codename uri cand dir state opts
  # shellcheck disable=SC1091
  codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
  [ -n "$codename" ] || { log "no VERSION_CODENAME in /etc/os-release"; return 1; }
  uri="$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Identifier: Packages' 2>/dev/null |
         awk -v c="$codename" '$2 == c { print $1; exit }')"
  [ -n "$uri" ] || { log "no apt source for $codename to derive $codename-backports from"; return 1; }
  state="$E2E_CACHE/apt-backports"
  mkdir -p "$state/lists/partial" "$state/archives/partial" "$state/parts"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $codename-backports main" \
    > "$state/sources.list"
  opts=(-o "Dir::State=$state" -o "Dir::State::Lists=$state/lists" -o "Dir::Cache=$state"
        -o "Dir::Cache::Archives=$state/archives" -o "Dir::Etc::SourceList=$state/sources.list"
        -o "Dir::Etc::SourceParts=$state/parts" -o "Dir::State::status=/var/lib/dpkg/status"
        -o "Debug::NoLocking=1" -o "APT::Get::List-Cleanup=0")
  apt-get "${opts[@]}" -qq update >&2 || { log "apt-get update of $codename-backports failed"; return 1; }
  cand="$(apt-cache "${opts[@]}" policy qemu-system-x86 | awk '/Candidate:/ { print $2 }')"
  case "$cand" in *bpo*) ;; *) log "no qemu-system-x86 in $codename-backports (candidate '$cand')"; return 1 ;; esac
  dir="$E2E_CACHE/qemu-${cand//[:~+]/_}"
  if [ ! -f "$dir/ready" ]; then
    log "downloading QEMU $cand from $codename-backports into $dir (not installed)"
    rm -rf "$dir"; mkdir -p "$dir/download"
    ( cd "$dir/download" &&
      apt-get "${opts[@]}" -qq download "qemu-system-x86/$codename-backports" \
        "qemu-system-common/$codename-backports" "qemu-system-data/$codename-backports" >&2 ) ||
      { log "downloading QEMU $cand failed"; return 1; }
    local deb
    for deb in "$dir"/download/*.deb; do dpkg-deb -x "$deb" "$dir/root"; done
    rm -rf "$dir/download"
    touch "$dir/ready"
  fi
  echo "$dir"
}

select_qemu() {
  QEMU_SRIOV=no
  QEMU_SRIOV_WHY=""
  QEMU_BIN="${VFIO_E2E_QEMU:-$(command -v qemu-system-x86_64)}"
  QEMU_VERSION="$(qemu_version "$QEMU_BIN")"
  if [ -z "${VFIO_E2E_QEMU:-}" ] && [ "$(qemu_major "$QEMU_VERSION")" -lt 8 ] && [ "${VFIO_E2E_BACKPORTS:-yes}" != no ]; then
    local dir
    if dir="$(qemu_from_backports)" && [ -x "$dir/root/usr/bin/qemu-system-x86_64" ]; then
      QEMU_BIN="$dir/root/usr/bin/qemu-system-x86_64"
      # Its modules, not the installed QEMU's (QEMU refuses modules of another build).
      export QEMU_MODULE_DIR="$dir/root/usr/lib/x86_64-linux-gnu/qemu"
      QEMU_DATA_DIRS=(-L "$dir/root/usr/share/qemu" -L /usr/share/seabios)
      QEMU_VERSION="$(qemu_version "$QEMU_BIN")"
    else
      QEMU_SRIOV_WHY="QEMU $QEMU_VERSION has no igb device and no backports QEMU could be had"
    fi
  fi
  if [ "$(qemu_major "$QEMU_VERSION")" -ge 8 ]; then
    QEMU_SRIOV=yes
  else
    QEMU_SRIOV_WHY="${QEMU_SRIOV_WHY:-QEMU $QEMU_VERSION is older than 8.0: no igb device (VFIO_E2E_BACKPORTS=no)}"
  fi
}
