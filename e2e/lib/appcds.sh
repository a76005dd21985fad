#!/usr/bin/env bash
# Prepares the service jar for a fast start in the guest: extracts it (Spring Boot's own
# `-Djarmode=tools extract`: the application jar plus lib/) and makes an AppCDS archive with this
# machine's JDK by starting the application once up to the refreshed context. The archive is tied to
# the JDK and to the absolute paths of the extracted jars; the guest runs in a chroot of this machine's
# root, so it sees both at the same paths. Kept per jar checksum (the training run takes ~20 s).
#
# The training run uses the demo profile (simulated host, bundled fixture tree): the service is NEVER
# started on this machine with the native helper.
#
# Usage: appcds.sh <service jar> <cache directory> -> prints "<extracted jar> <archive> <sha256 of the jar>"
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

jar="$1"
cache="$2"
require_cmd java openjdk-17-jdk-headless
require_cmd sha256sum coreutils
sha="$(sha256sum "$jar" | cut -d' ' -f1)"
dir="$cache/$sha"
app="$dir/app/$(basename "$jar")"
jsa="$dir/app.jsa"
if [ -f "$jsa" ] && [ -f "$app" ]; then
  log "AppCDS archive for this jar already made: $jsa"
  echo "$app $jsa $sha"
  exit 0
fi
# Only the newest jar's archive is kept: each is ~120 MB.
rm -rf "$cache"
mkdir -p "$dir"
java -Djarmode=tools -jar "$jar" extract --destination "$dir/app" >/dev/null ||
  die "extracting $jar failed"
# The same JVM options as the installed service (deploy/default.env): the archive is checked against them.
java_opts="$(. "$E2E_DIR/../deploy/default.env" && echo "$JAVA_OPTS")"
t0="$(now_ms)"
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options, split as systemd splits it
java $java_opts -XX:ArchiveClassesAtExit="$jsa.tmp" -Dspring.context.exit=onRefresh \
  -jar "$app" --spring.profiles.active=demo --vfio-broker.data-dir="$dir/train-data" --server.port=0 \
  > "$dir/train.log" 2>&1 || { tail -n 20 "$dir/train.log" >&2; die "the AppCDS training run failed (log: $dir/train.log)"; }
[ -s "$jsa.tmp" ] || die "the AppCDS training run made no archive (log: $dir/train.log)"
mv "$jsa.tmp" "$jsa"
rm -rf "$dir/train-data"
log "AppCDS archive made in $(( ($(now_ms) - t0) / 1000 )) s: $jsa ($(du -h "$jsa" | cut -f1))"
echo "$app $jsa $sha"
