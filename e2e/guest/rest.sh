# The guest's side of the REST-driven scenarios (issue 6). Sourced by suite.sh after the smoke
# scenarios (which installed the service with deploy/install.sh and added the administrator's allow
# rules). Starts the installed service as its systemd unit would, then serves the command channel that
# the host-side driver (e2e/src/main/java/.../RestScenarios.java) uses for what only the guest can do:
# start the probe as uid 1000, look at /proc, /dev/vfio, sysfs, lspci, restart the service.
#
# Command channel: the driver writes <results>/inbox/<n>.sh (atomically, by rename); this loop runs it
# with bash, as root of the GUEST, in a subshell that has lib.sh's functions, and writes <n>.out then
# <n>.rc. inbox/shutdown ends the loop.
# shellcheck shell=bash

if ! declare -F in_e2e_guest >/dev/null || ! in_e2e_guest; then
  echo "REFUSING to run: not sourced by guest/suite.sh inside the vfio-broker e2e guest" >&2
  exit 3
fi

SERVICE_PID_FILE=/run/vfio-broker-e2e-service.pid
SERVICE_STARTS=0

# As vfio-broker.service does it: User/Group vfio-broker, EnvironmentFile /etc/default/vfio-broker,
# Environment VFIO_BROKER_DATA_DIR, WorkingDirectory /var/lib/vfio-broker, UMask 0027, and
# ExecStart=/usr/bin/java $JAVA_OPTS -jar <jar> $VFIO_BROKER_OPTS. The jar is the extracted layout of
# the installed jar (same checksum, checked by service-installed-from-the-built-jar) so that the AppCDS
# archive made on the host applies; its path is the only difference from the unit's ExecStart.
start_service() {
  local n
  n=$(( $(cat /run/vfio-broker-e2e-service.starts 2>/dev/null || echo 0) + 1 ))
  echo "$n" > /run/vfio-broker-e2e-service.starts
  (
    set -a
    . /etc/default/vfio-broker
    set +a
    cd /var/lib/vfio-broker || exit 1
    umask 0027
    # shellcheck disable=SC2086 # split as systemd splits $JAVA_OPTS and $VFIO_BROKER_OPTS
    exec setpriv --reuid=vfio-broker --regid=vfio-broker --init-groups \
      env -i PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 HOME=/var/lib/vfio-broker \
      VFIO_BROKER_DATA_DIR=/var/lib/vfio-broker VFIO_BROKER_ADMIN_PASSWORD="$VFIO_BROKER_ADMIN_PASSWORD" \
      /usr/bin/java $JAVA_OPTS -jar "$APP_JAR" $VFIO_BROKER_OPTS
  ) > "$RESULTS/service-$n.log" 2>&1 < /dev/null &
  echo $! > "$SERVICE_PID_FILE"
  echo "service start $n: pid $(cat "$SERVICE_PID_FILE"), log $RESULTS/service-$n.log"
}

service_healthy() { # one GET of /actuator/health on the guest's loopback
  local reply
  reply="$(exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /actuator/health HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3 &&
    timeout 5 cat <&3)" 2>/dev/null || return 1
  case "$reply" in *'"UP"'*) return 0 ;; *) return 1 ;; esac
}

wait_for_service() { # seconds
  local pid t0 n=$(( $1 * 2 ))
  pid="$(cat "$SERVICE_PID_FILE")"
  t0="$(date +%s%3N)"
  while [ "$n" -gt 0 ]; do
    kill -0 "$pid" 2>/dev/null || { echo "the service exited; last lines:"; tail -n 20 "$RESULTS/service-$(cat /run/vfio-broker-e2e-service.starts).log"; return 1; }
    if service_healthy; then echo "service healthy after $(( ($(date +%s%3N) - t0) / 1000 )) s"; return 0; fi
    sleep 0.5; n=$((n - 1))
  done
  echo "the service did not become healthy within $1 s"; return 1
}

stop_service() {
  local pid
  pid="$(cat "$SERVICE_PID_FILE" 2>/dev/null)" || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  wait_for 300 test ! -e "/proc/$pid" || { echo "service $pid ignored TERM; KILL"; kill -KILL "$pid"; }
  echo "service $pid stopped"
}

restart_service() { # what `systemctl restart vfio-broker` does
  stop_service
  start_service
  wait_for_service 420
}

service_installed() {
  local installed
  installed="$(sha256sum /usr/share/vfio-broker/vfio-broker.jar | cut -d' ' -f1)"
  echo "installed jar $installed, extracted for AppCDS from $APP_SHA"
  [ "$installed" = "$APP_SHA" ] || { echo "the installed jar is not the one the AppCDS layout was made from"; return 1; }
  id vfio-broker || return 1
  [ "$(stat -c '%U %a' /var/lib/vfio-broker)" = "vfio-broker 750" ] || { echo "data dir: $(stat -c '%U %a' /var/lib/vfio-broker)"; return 1; }
  # What an administrator sets in /etc/default/vfio-broker: the CDS archive, the first password, and
  # for the test a short reconcile interval (expiry within seconds, not 30 s).
  cat >> /etc/default/vfio-broker <<EOF
# e2e guest
# Under TCG the JIT is the start-up's biggest cost: C1 only, one compiler thread (measured on the
# host: 5.5 s of CPU instead of 12.7 s to the refreshed context).
JAVA_OPTS="\$JAVA_OPTS -XX:SharedArchiveFile=$APP_JSA -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1"
VFIO_BROKER_OPTS="\$VFIO_BROKER_OPTS --vfio-broker.grants.reconcile-interval=3s --vfio-broker.inventory.refresh-interval=2s"
VFIO_BROKER_ADMIN_PASSWORD=$ADMIN_PASSWORD
EOF
  cat /etc/default/vfio-broker | grep -v PASSWORD
  df -h /var/lib/vfio-broker | tail -n 1
}

service_starts() {
  local t0 pid
  t0="$(date +%s%3N)"
  start_service
  wait_for_service 420 || return 1
  pid="$(cat "$SERVICE_PID_FILE")"
  echo "service_start_ms=$(( $(date +%s%3N) - t0 ))" >> "$RESULTS/guest-timing.txt"
  ps -o pid,user,rss,args -p "$pid" | cut -c1-200
  [ "$(stat -c %U "/proc/$pid")" = vfio-broker ] || { echo "the service does not run as vfio-broker"; return 1; }
  grep -E '^(Cap(Eff|Prm)|NoNewPrivs)' "/proc/$pid/status"
  grep -q '^CapEff:[[:space:]]*0000000000000000' "/proc/$pid/status" || { echo "the service has capabilities"; return 1; }
  touch "$RESULTS/service-ready"
}

command_loop() { # seconds at most
  local deadline f n
  deadline=$(( $(date +%s) + $1 ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    [ -e "$RESULTS/inbox/shutdown" ] && { echo "shutdown requested"; return 0; }
    for f in "$RESULTS"/inbox/*.sh; do
      [ -e "$f" ] || continue
      n="${f%.sh}"
      mv "$f" "$n.run"
      echo "--- command ${n##*/}: $(head -c 300 "$n.run" | tr '\n' ';')"
      ( . "$n.run" ) > "$n.out.tmp" 2>&1 < /dev/null
      echo $? > "$n.rc.tmp"
      sed 's/^/    | /' "$n.out.tmp" | head -n 60
      mv "$n.out.tmp" "$n.out"
      mv "$n.rc.tmp" "$n.rc"
    done
    sleep 0.2
  done
  echo "command loop: deadline reached"
}

scenario service-installed-from-the-built-jar service_installed
scenario service-starts-as-vfio-broker service_starts
if [ -e "$RESULTS/service-ready" ]; then
  command_loop 900
else
  touch "$RESULTS/service-failed"
fi
stop_service
