#!/bin/bash
# Integration tests of the TEST build of vfio-broker-helper on fixture trees under a temp dir.
# Usage: integration.sh /abs/path/vfio-broker-helper-test /abs/path/writelog.so [/abs/path/vfio-broker-helper]
# Needs root (creates a test user, chowns fixture files), jq, setpriv, useradd/userdel.
# Never touches this machine's /sys: every path is under the fixture root.
set -u
HELPER=$1
SHIM=$2
HERE=$(cd "$(dirname "$0")" && pwd)
PROD=${3:-$(dirname "$HELPER")/vfio-broker-helper}
# shellcheck source=fixture.sh
. "$HERE/fixture.sh"

for tool in jq setpriv useradd userdel; do
	command -v "$tool" >/dev/null || { echo "integration: '$tool' is required (apt-get install jq util-linux passwd)" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "integration: must run as root (creates a user, chowns fixture files)" >&2; exit 2; }
case "$HELPER" in *-test) ;; *) echo "integration: refusing to run a non-test build: $HELPER" >&2; exit 2 ;; esac

TMP=$(mktemp -d /tmp/vbh-it.XXXXXX)
chmod 0755 "$TMP"
TUSER=vbht$$
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	userdel "$TUSER" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
useradd -M -N -s /usr/sbin/nologin -K UID_MIN=20000 -K UID_MAX=29999 "$TUSER" || { echo "useradd failed" >&2; exit 2; }
TUID=$(id -u "$TUSER"); TGID=$(id -g "$TUSER")

PASS=0; FAIL=0; N=0
ROOT= OUT= RC= LOG=
export ASAN_OPTIONS=${ASAN_OPTIONS:-verify_asan_link_order=0:detect_leaks=1}

fresh() { N=$((N + 1)); ROOT="$TMP/fx$N"; mkfixture "$ROOT"; LOG="$TMP/writes$N.log"; : >"$LOG"; }
# h ARGS... : runs the test build on $ROOT with the write logger; sets OUT and RC.
h() {
	OUT=$(env -i ASAN_OPTIONS="$ASAN_OPTIONS" LD_PRELOAD="$SHIM" VBH_WRITELOG="$LOG" VBH_WRITELOG_ROOT="$ROOT" \
		"$HELPER" --root "$ROOT" "$@" 2>"$TMP/stderr")
	RC=$?
}
ok() { PASS=$((PASS + 1)); echo "ok   - $CUR"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL - $CUR: $*"; echo "       rc=$RC out=$OUT"; [ -s "$TMP/stderr" ] && sed 's/^/       stderr: /' "$TMP/stderr" | head -20; }
# expect RC JQ-EXPR... : exit code and jq assertions on OUT (each must be true); one JSON object.
expect() {
	local want=$1; shift
	[ "$RC" = "$want" ] || { bad "exit $RC, wanted $want"; return 1; }
	[ "$(printf '%s' "$OUT" | jq -s 'length' 2>/dev/null)" = 1 ] || { bad "stdout is not exactly one JSON object"; return 1; }
	for e in "$@"; do
		[ "$(printf '%s' "$OUT" | jq -r "$e" 2>/dev/null)" = true ] || { bad "jq: $e"; return 1; }
	done
	return 0
}
writes_are() { # expected log text
	local got; got=$(cat "$LOG")
	[ "$got" = "$1" ] || { bad "writes differ:"$'\n'"--- expected"$'\n'"$1"$'\n'"--- got"$'\n'"$got"; return 1; }
}
t() { CUR=$1; }
# Waits (up to 10 s) until a process started in the background has exec'd the named program: a fixed
# sleep races with a loaded machine, where the holder may still be setpriv or bash when it is inspected.
exec_done() {
	local i
	for ((i = 0; i < 200; i++)); do
		[ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.05
	done
	echo "exec_done: process $1 did not become $2 within 10 s" >&2
	return 1
}
P=sys/devices/pci0000:00

# ---------------------------------------------------------------- basics
t version_reports_test_build; fresh; h version
expect 0 '.ok' '.build == "test"' && ok

t production_build_has_no_root_option
# Only an argument-parse refusal of the production build is ever run here.
OUT=$("$PROD" --root "$TMP" inspect-group 2); RC=$?
expect 64 '.error.code == "unknown-verb"' && ok

t inspect_group_reports_members_drivers_and_viability; fresh; h inspect-group 3
expect 0 '.viable == false' '.members | length == 2' '.members[0].address == "0000:02:00.0"' \
	'.members[0].driver == "nouveau"' '.members[1].driver == "snd_hda_intel"' '.members[0].inUse == []' \
	'.members[0].allowedByPolicy' '.containerUsable' '.node.exists == false' && ok

t inspect_reports_in_use_reasons; fresh; h inspect-group 4
expect 0 '.members[0].inUse | index("net:eth0:up") != null' '.members[0].inUse | index("net:eth0:routes") != null' && ok

t inspect_reports_root_device; fresh; h inspect-group 5
expect 0 '.members[0].rootDevice' '.members[0].policyDecision == "root-device"' \
	'.members[0].inUse | index("block:nvme0n1p1:mounted") != null' && ok

t inspect_with_a_bad_cdev_node_still_answers_one_json_object; fresh; fx_bound "$ROOT" 0000:01:00.0 2
rm -f "$ROOT/dev/vfio/devices/vfio0"; mkdir "$ROOT/dev/vfio/devices/vfio0"
h inspect-group 2
expect 66 '.error.code == "not-a-device-node"' '.partial.cdevNodes == []' '.partial.node.exists' && ok

# ---------------------------------------------------------------- bind
t bind_group_writes_override_unbind_probe_in_order; fresh; h bind-group 3
expect 0 '.members[0].previousDriver == "nouveau"' '.members[0].action == "bound"' \
	'.members[1].previousDriver == "snd_hda_intel"' && writes_are "$P/0000:00:01.0/0000:02:00.0/driver_override	vfio-pci
sys/bus/pci/drivers/nouveau/unbind	0000:02:00.0
sys/bus/pci/drivers_probe	0000:02:00.0
$P/0000:00:01.0/0000:02:00.1/driver_override	vfio-pci
sys/bus/pci/drivers/snd_hda_intel/unbind	0000:02:00.1
sys/bus/pci/drivers_probe	0000:02:00.1" && ok

t bind_group_leaves_bridges_and_pcieport_alone; fresh; h bind-group 1
expect 0 '.members[0].action == "left-alone"' && writes_are "" && ok

t bind_group_skips_members_already_on_vfio; fresh; fx_bound "$ROOT" 0000:01:00.0 2; h bind-group 2
expect 0 '.members[0].action == "already-bound"' '.viable' && writes_are "" && ok

# ---------------------------------------------------------------- restore
t restore_clears_override_unbinds_vfio_and_probes; fresh; fx_bound "$ROOT" 0000:01:00.0 2; h restore 0000:01:00.0
expect 0 '.previousDriver == "vfio-pci"' '.action == "probed"' && writes_are "$P/0000:00:1c.0/0000:01:00.0/driver_override	\\n
sys/bus/pci/drivers/vfio-pci/unbind	0000:01:00.0
sys/bus/pci/drivers_probe	0000:01:00.0" && ok

t restore_binds_named_previous_driver; fresh; fx_bound "$ROOT" 0000:01:00.0 2; h restore 0000:01:00.0 e1000e
expect 0 '.action == "bound-to-named-driver"' && writes_are "$P/0000:00:1c.0/0000:01:00.0/driver_override	\\n
sys/bus/pci/drivers/vfio-pci/unbind	0000:01:00.0
sys/bus/pci/drivers/e1000e/bind	0000:01:00.0" && ok

t restore_refuses_unknown_driver; fresh; fx_bound "$ROOT" 0000:01:00.0 2; h restore 0000:01:00.0 nosuchdrv
expect 67 '.error.code == "driver-not-found"' && ok

# ---------------------------------------------------------------- nodes
t grant_nodes_chowns_group_and_cdev_nodes_to_real_user; fresh; fx_bound "$ROOT" 0000:01:00.0 2
h grant-nodes 2 "$TUID" "$TGID" 0660
expect 0 ".node.uid == $TUID" ".node.gid == $TGID" '.node.mode == "0660"' '.cdevNodes[0].path == "/dev/vfio/devices/vfio0"' \
	'.containerUsable' && [ "$(stat -c '%u:%g:%a' "$ROOT/dev/vfio/2")" = "$TUID:$TGID:660" ] \
	&& [ "$(stat -c '%u:%g:%a' "$ROOT/dev/vfio/devices/vfio0")" = "$TUID:$TGID:660" ] \
	&& setpriv --reuid="$TUID" --regid="$TGID" --clear-groups cat "$ROOT/dev/vfio/2" && ok || { [ "$RC" = 0 ] && bad "node not usable by the user"; }

t grant_nodes_reports_container_not_usable; fresh; fx_bound "$ROOT" 0000:01:00.0 2; chmod 0600 "$ROOT/dev/vfio/vfio"
h grant-nodes 2 "$TUID" "$TGID" 0600
expect 0 '.containerUsable == false' '.container.mode == "0600"' && ok

t revoke_nodes_returns_nodes_to_root_0600; fresh; fx_bound "$ROOT" 0000:01:00.0 2
h grant-nodes 2 "$TUID" "$TGID" 0660; h revoke-nodes 2
expect 0 '.node.uid == 0' '.node.mode == "0600"' && [ "$(stat -c '%u:%g:%a' "$ROOT/dev/vfio/2")" = "0:0:600" ] \
	&& [ "$(stat -c '%u:%g:%a' "$ROOT/dev/vfio/devices/vfio0")" = "0:0:600" ] && ok

t grant_refuses_symlink_node; fresh; fx_bound "$ROOT" 0000:01:00.0 2; rm "$ROOT/dev/vfio/2"; ln -s /etc/shadow "$ROOT/dev/vfio/2"
h grant-nodes 2 "$TUID" "$TGID" 0600
expect 66 '.error.code == "not-a-device-node"' && [ "$(stat -c %u /etc/shadow)" = 0 ] && ok

# ---------------------------------------------------------------- SR-IOV, reset, config
t set_numvfs_from_zero_writes_count; fresh; h set-numvfs 0000:06:00.0 3
expect 0 '.writes == ["3"]' '.previousNumVfs == 0' && writes_are "$P/0000:00:1c.3/0000:06:00.0/sriov_numvfs	3" && ok

t set_numvfs_changing_nonzero_writes_zero_first; fresh; echo 2 >"$ROOT/$P/0000:00:1c.3/0000:06:00.0/sriov_numvfs"
h set-numvfs 0000:06:00.0 4
expect 0 '.writes == ["0","4"]' && writes_are "$P/0000:00:1c.3/0000:06:00.0/sriov_numvfs	0
$P/0000:00:1c.3/0000:06:00.0/sriov_numvfs	4" && ok

t set_numvfs_refuses_more_than_total; fresh; h set-numvfs 0000:06:00.0 8
expect 64 '.error.code == "out-of-range"' && writes_are "" && ok

t reset_writes_one; fresh; h reset 0000:01:00.0
expect 0 '.reset' && writes_are "$P/0000:00:1c.0/0000:01:00.0/reset	1" && ok

t reset_refuses_device_in_use; fresh; h reset 0000:03:00.0
expect 66 '.error.code == "in-use"' && writes_are "" && ok

t read_config_returns_whole_config_space_in_hex; fresh; h read-config 0000:01:00.0
expect 0 '.length == 256' '.config | length == 512' '.config | startswith("aaaa")' && ok

# ---------------------------------------------------------------- memlock
t memlock_user_writes_pam_limits_dropin_atomically; fresh; h memlock-user "$TUSER" 1073741824
F="$ROOT/etc/security/limits.d/90-vfio-broker-$TUSER.conf"
expect 0 '.memlockKiB == 1048576' && [ "$(grep -v '^#' "$F")" = "$TUSER soft memlock 1048576
$TUSER hard memlock 1048576" ] && [ "$(stat -c '%u:%a' "$F")" = "0:644" ] \
	&& [ -z "$(find "$ROOT/etc/security/limits.d" -name '.*tmp')" ] && ok

t memlock_user_remove_deletes_dropin; fresh; h memlock-user "$TUSER" 1048576; h memlock-user "$TUSER" remove
expect 0 '.removed' && [ ! -e "$ROOT/etc/security/limits.d/90-vfio-broker-$TUSER.conf" ] && ok

t memlock_user_refuses_bytes_not_whole_kib; fresh; h memlock-user "$TUSER" 1000
expect 64 '.error.code == "not-whole-kib"' && ok

t memlock_user_refuses_system_account; fresh; h memlock-user daemon 1048576
expect 65 '.error.code == "uid-below-minimum"' && ok

t memlock_pid_sets_limit_on_grantee_process; fresh
setpriv --reuid="$TUID" --regid="$TGID" --clear-groups sleep 60 & SP=$!; PIDS+=("$SP"); exec_done "$SP" sleep
if [ $(( 0x$(awk '/^CapEff/ {print $2}' /proc/self/status) >> 24 & 1 )) = 1 ]; then
	h memlock-pid "$SP" "$TUID" 65536
else
	# This sandbox withholds CAP_SYS_RESOURCE from root, so prlimit(2) on another uid's process is
	# EPERM here. Run the helper as the grantee (made the policy's caller) instead: the same code
	# path, and the kernel allows prlimit between processes of one uid.
	echo "       (no CAP_SYS_RESOURCE: running the helper as uid $TUID for this test)"
	sed -i "s/^caller = root/caller = $TUSER/" "$ROOT/etc/vfio-broker/helper.conf"
	OUT=$(env -i ASAN_OPTIONS="$ASAN_OPTIONS" setpriv --reuid="$TUID" --regid="$TGID" --clear-groups \
		"$HELPER" --root "$ROOT" memlock-pid "$SP" "$TUID" 65536 2>"$TMP/stderr"); RC=$?
fi
expect 0 '.previous != null' '.memlockBytes == 65536' \
	&& grep -Eq '^Max locked memory +65536 +65536 +bytes' "/proc/$SP/limits" && ok

t memlock_pid_refuses_process_of_another_user; fresh
sleep 60 & RP=$!; PIDS+=("$RP")
h memlock-pid "$RP" "$TUID" 65536
expect 65 '.error.code == "pid-not-grantee"' && ok

t memlock_pid_refuses_uid_below_minimum; fresh; h memlock-pid "$RP" 0 65536
expect 65 '.error.code == "uid-below-minimum"' && ok

# ---------------------------------------------------------------- holders
t holders_lists_processes_with_the_group_node_open; fresh; fx_bound "$ROOT" 0000:01:00.0 2
h grant-nodes 2 "$TUID" "$TGID" 0600
setpriv --reuid="$TUID" --regid="$TGID" --clear-groups sleep 60 3<"$ROOT/dev/vfio/2" & H1=$!; PIDS+=("$H1"); exec_done "$H1" sleep
h holders 2
expect 0 ".holders | length == 1" ".holders[0].pid == $H1" ".holders[0].uid == $TUID" '.holders[0].comm == "sleep"' \
	'.holders[0].vmLckBytes == 0' '.holders[0].vmPinBytes >= 0' && ok

t restore_refuses_group_that_is_held; h restore 0000:01:00.0
expect 66 '.error.code == "held"' && writes_are "" && ok

t terminate_holders_terms_then_kills; 
setpriv --reuid="$TUID" --regid="$TGID" --clear-groups bash -c 'trap "" TERM; exec sleep 60' 3<"$ROOT/dev/vfio/devices/vfio0" & H2=$!; PIDS+=("$H2"); exec_done "$H2" sleep
h terminate-holders 2 300
expect 0 '.allGone' ".holders | map(select(.pid == $H1))[0].outcome == \"terminated\"" \
	".holders | map(select(.pid == $H2))[0].outcome == \"killed\"" && { wait "$H1" "$H2" 2>/dev/null; h holders 2; expect 0 '.holders == []'; } && ok

t terminate_holders_skips_system_accounts; fresh; fx_bound "$ROOT" 0000:01:00.0 2
sleep 60 3<"$ROOT/dev/vfio/2" & H3=$!; PIDS+=("$H3"); exec_done "$H3" sleep
h terminate-holders 2 100
expect 0 '.holders[0].outcome == "skipped-uid-below-minimum"' '.allGone == false' && kill -0 "$H3" && ok

# ---------------------------------------------------------------- refusals
t refuses_malformed_address; fresh; h restore 0000:01:00
expect 64 '.error.code == "bad-address"' && ok
t refuses_address_out_of_range; fresh; h reset 0000:01:20.0
expect 64 '.error.code == "bad-address"' && ok
t refuses_address_with_trailing_junk; fresh; h reset 0000:01:00.0x
expect 64 '.error.code == "bad-address"' && ok
t refuses_dotdot_in_address; fresh; h read-config ../../../etc
expect 64 '.error.code == "bad-address"' && ok
t refuses_dotdot_in_user; fresh; h memlock-user ../root 1024
expect 64 '.error.code == "bad-user"' && ok
t refuses_dotdot_in_driver; fresh; h restore 0000:01:00.0 ..
expect 64 '.error.code == "bad-driver"' && ok
t refuses_overlong_argument; fresh; h memlock-user "$(printf 'a%.0s' $(seq 300))" 1024
expect 64 '.error.code == "argument-too-long"' && ok
t refuses_group_with_junk; fresh; h bind-group 3x
expect 64 '.error.code == "bad-number"' && ok
t refuses_mode_other_than_0600_0660; fresh; h grant-nodes 2 "$TUID" "$TGID" 0666
expect 64 '.error.code == "bad-mode"' && ok
t refuses_extra_arguments; fresh; h bind-group 3 4
expect 64 '.error.code == "usage"' && ok
t refuses_symlink_escaping_the_root; fresh; h inspect-group 10
expect 66 '.error.code == "path-escape"' && ok
t refuses_absolute_device_link; fresh; rm "$ROOT/sys/bus/pci/devices/0000:01:00.0"; ln -s "$ROOT/sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.0" "$ROOT/sys/bus/pci/devices/0000:01:00.0"
h reset 0000:01:00.0
expect 66 '.error.code == "path-escape"' && writes_are "" && ok
t refuses_grantee_uid_zero; fresh; fx_bound "$ROOT" 0000:01:00.0 2; h grant-nodes 2 0 0 0600
expect 65 '.error.code == "uid-below-minimum"' && [ "$(stat -c %a "$ROOT/dev/vfio/2")" = 600 ] && ok
t refuses_grantee_uid_below_minimum; fresh; fx_bound "$ROOT" 0000:01:00.0 2; h grant-nodes 2 999 999 0600
expect 65 '.error.code == "uid-below-minimum"' && ok
t refuses_grantee_gid_zero; fresh; fx_bound "$ROOT" 0000:01:00.0 2; h grant-nodes 2 "$TUID" 0 0660
expect 65 '.error.code == "gid-root"' && ok
t refuses_group_with_interface_up; fresh; h bind-group 4
expect 66 '.error.code == "in-use"' '.error.reasons | map(test("net:eth0:up")) | any' && writes_are "" && ok
t refuses_group_with_mounted_disk_through_dm; fresh; h bind-group 6
expect 66 '.error.code == "in-use"' '.error.reasons | map(test("dm-0:mounted")) | any' && writes_are "" && ok
t refuses_group_with_active_swap; fresh; printf '/dev/nvme1n1p1 partition 8388604 0 -2\n' >>"$ROOT/proc/swaps"; h inspect-group 6
expect 0 '.members[0].inUse | index("block:nvme1n1p1:swap") != null' && ok
t refuses_boot_vga; fresh; h bind-group 11
expect 66 '.error.reasons | map(test("boot-vga")) | any' && ok
t refuses_device_behind_root_even_if_allowed; fresh; h bind-group 5
expect 65 '.error.code == "denied-by-policy"' '.error.reasons | map(test("root filesystem")) | any' && writes_are "" && ok
t refuses_denied_device; fresh; h bind-group 9
expect 65 '.error.code == "denied-by-policy"' '.error.reasons | map(test("deny-rule")) | any' && writes_are "" && ok
t deny_wins_over_allow; fresh; echo 'deny id 10de:10f8' >>"$ROOT/etc/vfio-broker/helper.conf"; h bind-group 3
expect 65 '.error.reasons | map(test("0000:02:00.1: deny-rule")) | any' && writes_are "" && ok
t default_is_deny; fresh; printf 'caller = root\n' >"$ROOT/etc/vfio-broker/helper.conf"; h bind-group 2
expect 65 '.error.reasons | map(test("default-deny")) | any' && ok
t refuses_noiommu_group_grant; fresh; : >"$ROOT/dev/vfio/8"; h grant-nodes 8 "$TUID" "$TGID" 0600
expect 66 '.error.code == "noiommu"' && ok
t refuses_noiommu_group_bind; fresh; h bind-group 8
expect 66 '.error.code == "noiommu"' && ok
t refuses_grant_of_group_not_viable; fresh; : >"$ROOT/dev/vfio/3"; h grant-nodes 3 "$TUID" "$TGID" 0600
expect 66 '.error.code == "not-viable"' && ok
t refuses_unknown_group; fresh; h inspect-group 99
expect 67 '.error.code == "group-not-found"' && ok
t refuses_caller_not_allowed; fresh; sed -i 's/^caller = root/caller = nobody/' "$ROOT/etc/vfio-broker/helper.conf"; h inspect-group 2
expect 69 '.error.code == "caller-not-allowed"' && ok
t refuses_policy_writable_by_others; fresh; chmod 0666 "$ROOT/etc/vfio-broker/helper.conf"; h inspect-group 2
expect 78 '.error.code == "policy-insecure"' && ok
t refuses_policy_directory_writable_by_group; fresh; chmod 0775 "$ROOT/etc/vfio-broker"; h inspect-group 2
expect 78 '.error.code == "policy-insecure"' && ok
t refuses_policy_owned_by_another_user; fresh; chown "$TUID" "$ROOT/etc/vfio-broker/helper.conf"; h inspect-group 2
expect 78 '.error.code == "policy-insecure"' && ok
t refuses_policy_symlink; fresh; mv "$ROOT/etc/vfio-broker/helper.conf" "$ROOT/etc/real.conf"; ln -s ../real.conf "$ROOT/etc/vfio-broker/helper.conf"; h inspect-group 2
expect 78 '.error.code == "policy-insecure"' && ok
t refuses_policy_with_min_uid_zero; fresh; sed -i 's/^min-uid = 1000/min-uid = 0/' "$ROOT/etc/vfio-broker/helper.conf"; h inspect-group 2
expect 78 '.error.code == "policy-malformed"' '.error.message | test("line 3: min-uid 0")' && ok
t refuses_missing_policy; fresh; rm "$ROOT/etc/vfio-broker/helper.conf"; h inspect-group 2
expect 78 '.error.code == "policy-missing"' && ok

echo
echo "integration: $PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
