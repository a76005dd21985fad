#!/bin/bash
# Installs vfio-broker on this host: the service jar, the setuid helper, its policy, the systemd unit,
# the udev rule and the service account. Every path it creates is written to a manifest, so that
# uninstall.sh removes exactly what this script added and leaves the host as it found it.
#
#   deploy/install.sh [--jar FILE] [--helper FILE] [--root DIR] [--no-start]
#
#   --jar FILE     the runnable service jar (default: service/target/vfio-broker-exec.jar)
#   --helper FILE  the production helper (default: helper/target/vfio-broker-helper)
#   --root DIR     install into DIR instead of / (staging and tests; no systemctl, no udevadm)
#   --no-start     do not enable and start the service
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
jar="$top/service/target/vfio-broker-exec.jar"
helper="$top/helper/target/vfio-broker-helper"
root=/
start=yes

die() { echo "install.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --jar) jar=${2:?--jar needs a file}; shift 2 ;;
    --helper) helper=${2:?--helper needs a file}; shift 2 ;;
    --root) root=${2:?--root needs a directory}; shift 2 ;;
    --no-start) start=no; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

[ "$(id -u)" -eq 0 ] || die "run as root: it creates a system account and installs a setuid helper"
[ -f "$jar" ] || die "no service jar at $jar; build it first: ./mvnw -DskipTests package"
[ -f "$helper" ] && [ -x "$helper" ] || die "no helper at $helper; build it first: ./mvnw -DskipTests package"
"$helper" version >/dev/null 2>&1 || die "$helper does not run ('version' failed)"
if "$helper" --root / version >/dev/null 2>&1; then
  die "$helper is the test build (it accepts --root); install the production build"
fi
root=$(cd "$root" && pwd)
r() { echo "${root%/}$1"; }
live=no
[ "$root" = / ] && live=yes

if [ "$live" = yes ]; then
  command -v java >/dev/null || die "java is not installed (Debian: apt-get install openjdk-17-jre-headless)"
  major=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  [ "${major%%.*}" -ge 17 ] 2>/dev/null || die "java $major is too old; vfio-broker needs 17 or newer"
fi

manifest=$(r /usr/share/vfio-broker/install-manifest)
[ -e "$manifest" ] && die "vfio-broker is already installed (manifest $manifest); run deploy/uninstall.sh first"
created=()
note() { created+=("$1"); }

# Every directory we create is recorded (parents first), so uninstall removes only those it made.
makedir() { # path mode
  local path="" part
  local IFS=/
  for part in $1; do
    [ -n "$part" ] || continue
    path="$path/$part"
    if [ ! -d "$(r "$path")" ]; then
      mkdir "$(r "$path")"; chmod 0755 "$(r "$path")"; note "dir $path"
    fi
  done
  chmod "$2" "$(r "$1")"
}
makedir /usr/share/vfio-broker 0755

# The service account (a system user without login and without home of its own).
account_created=no
if [ "$live" = yes ]; then
  if ! getent group vfio-broker >/dev/null; then groupadd --system vfio-broker; note "group vfio-broker"; fi
  if ! getent passwd vfio-broker >/dev/null; then
    useradd --system --gid vfio-broker --home-dir /var/lib/vfio-broker --no-create-home \
      --shell /usr/sbin/nologin --comment "vfio-broker service" vfio-broker
    note "user vfio-broker"
  fi
  gid=$(getent group vfio-broker | cut -d: -f3)
else
  makedir /etc 0755
  for f in passwd group shadow gshadow; do
    if [ ! -e "$(r /etc/$f)" ]; then touch "$(r /etc/$f)"; note "file /etc/$f"; fi
  done
  if ! grep -q '^vfio-broker:' "$(r /etc/group)"; then groupadd --prefix "$root" --system vfio-broker; note "group vfio-broker"; fi
  if ! grep -q '^vfio-broker:' "$(r /etc/passwd)"; then
    useradd --prefix "$root" --system --gid vfio-broker --home-dir /var/lib/vfio-broker --no-create-home \
      --shell /usr/sbin/nologin --comment "vfio-broker service" vfio-broker
    note "user vfio-broker"
  fi
  gid=$(awk -F: '$1 == "vfio-broker" { print $3 }' "$(r /etc/group)")
fi

install_file() { # source target mode owner:group [keep-existing]
  local t; t=$(r "$2")
  if [ -e "$t" ]; then
    if [ "${5:-}" = keep ]; then echo "install.sh: keeping the existing $2"; return; fi
    die "$2 exists and was not installed by this script; move it away first"
  fi
  install -m "$3" -o "${4%%:*}" -g "${4##*:}" "$1" "$t"
  note "file $2"
}

makedir /usr/libexec/vfio-broker 0755
makedir /etc/vfio-broker 0755
makedir /etc/default 0755
makedir /etc/systemd/system 0755
makedir /etc/udev/rules.d 0755
makedir /etc/security/limits.d 0755
makedir /usr/share/man/man8 0755

install_file "$jar" /usr/share/vfio-broker/vfio-broker.jar 0644 0:0
# Setuid root, executable only by the service account's group: the one privileged program.
install_file "$helper" /usr/libexec/vfio-broker/vfio-broker-helper 4750 "0:$gid"
chmod 4750 "$(r /usr/libexec/vfio-broker/vfio-broker-helper)"   # install(1) may drop the setuid bit with -g
install_file "$here/helper.conf" /etc/vfio-broker/helper.conf 0644 0:0 keep
install_file "$here/default.env" /etc/default/vfio-broker 0644 0:0 keep
install_file "$here/vfio-broker.service" /etc/systemd/system/vfio-broker.service 0644 0:0
install_file "$here/70-vfio-broker.rules" /etc/udev/rules.d/70-vfio-broker.rules 0644 0:0
install_file "$top/helper/vfio-broker-helper.8" /usr/share/man/man8/vfio-broker-helper.8 0644 0:0

# Data directory: systemd's StateDirectory makes it; create it here too for hosts run without systemd.
makedir /var/lib/vfio-broker 0750
chown "vfio-broker:vfio-broker" "$(r /var/lib/vfio-broker)" 2>/dev/null || chown "0:$gid" "$(r /var/lib/vfio-broker)"

printf '%s\n' "${created[@]}" > "$manifest"
echo "install.sh: installed; what was added is listed in ${manifest#"${root%/}"}"

if [ "$live" = yes ]; then
  if command -v udevadm >/dev/null && [ -d /run/udev ]; then
    udevadm control --reload || true
    udevadm trigger --subsystem-match=vfio || true
  fi
  [ -e /dev/vfio/vfio ] && chmod 0666 /dev/vfio/vfio
  if [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    if [ "$start" = yes ]; then
      systemctl enable --now vfio-broker.service
      echo "install.sh: started; the first administrator's password: journalctl -u vfio-broker | grep 'password:'"
    fi
  else
    echo "install.sh: systemd is not running here; start the service by hand:"
    echo "  runuser -u vfio-broker -- env VFIO_BROKER_DATA_DIR=/var/lib/vfio-broker java -jar /usr/share/vfio-broker/vfio-broker.jar"
  fi
  echo "install.sh: no device is grantable until you add allow rules to /etc/vfio-broker/helper.conf"
fi
