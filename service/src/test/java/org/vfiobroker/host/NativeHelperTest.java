package org.vfiobroker.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfiobroker.inventory.PciAddress;

/** NativeHelper against the real test build of the helper on a fixture tree (never this machine's /sys). */
class NativeHelperTest {

    @TempDir
    Path root;

    NativeHelper helper;

    @BeforeEach
    void setUp() {
        Fixtures.tree(root);
        helper = new NativeHelper(Fixtures.testBuild(), Duration.ofSeconds(30), List.of("--root", root.toString()));
    }

    @Test
    void reportsTestBuildVersion() {
        assertThat(helper.version().build()).isEqualTo("test");
    }

    @Test
    void inspectsGroupMembersAndDrivers() {
        GroupInspection g = helper.inspectGroup(3);
        assertThat(g.viable()).isFalse();
        assertThat(g.members()).extracting(GroupInspection.Member::address, GroupInspection.Member::driver)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("0000:02:00.0", "nouveau"),
                        org.assertj.core.groups.Tuple.tuple("0000:02:00.1", "snd_hda_intel"));
        assertThat(g.node().exists()).isFalse();
        assertThat(g.containerUsable()).isTrue();
    }

    @Test
    void bindsGroupAndReportsPreviousDrivers() {
        BindResult r = helper.bindGroup(3);
        assertThat(r.members()).extracting(BindResult.MemberBinding::previousDriver, BindResult.MemberBinding::action)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("nouveau", "bound"),
                        org.assertj.core.groups.Tuple.tuple("snd_hda_intel", "bound"));
    }

    @Test
    void refusesGroupWithInterfaceUpAsHostRefusal() {
        assertThatThrownBy(() -> helper.bindGroup(4)).isInstanceOfSatisfying(HostRefusedException.class, e -> {
            assertThat(e.exitCode()).isEqualTo(66);
            assertThat(e.errorCode()).isEqualTo("in-use");
            assertThat(e.reasons()).anyMatch(r -> r.contains("net:eth0:up"));
            assertThat(e.getMessage()).contains("group 4");
        });
    }

    @Test
    void refusesDeviceBehindRootByPolicy() {
        assertThatThrownBy(() -> helper.bindGroup(5)).isInstanceOfSatisfying(HostRefusedException.class,
                e -> assertThat(e.exitCode()).isEqualTo(65));
    }

    @Test
    void grantsAndRevokesNodes() throws Exception {
        Fixtures.bound(root, "0000:01:00.0", 2);
        NodeGrant grant = helper.grantNodes(2, 4242, 4243, NodeMode.OWNER_AND_GROUP);
        assertThat(grant.node()).isEqualTo(new DeviceNode("/dev/vfio/2", true, 4242, 4243, 0660));
        assertThat(grant.cdevNodes()).extracting(DeviceNode::path).containsExactly("/dev/vfio/devices/vfio0");
        assertThat(Files.getAttribute(root.resolve("dev/vfio/2"), "unix:uid")).isEqualTo(4242);
        assertThat(helper.groupNode(2)).contains(grant.node());

        NodeGrant revoked = helper.revokeNodes(2);
        assertThat(revoked.node()).isEqualTo(new DeviceNode("/dev/vfio/2", true, 0, 0, 0600));
    }

    @Test
    void refusesGranteeBelowMinimumUid() {
        Fixtures.bound(root, "0000:01:00.0", 2);
        assertThatThrownBy(() -> helper.grantNodes(2, 999, 999, NodeMode.OWNER_ONLY))
                .isInstanceOfSatisfying(HostRefusedException.class,
                        e -> assertThat(e.errorCode()).isEqualTo("uid-below-minimum"));
    }

    @Test
    void groupNodeIsEmptyBeforeBinding() {
        assertThat(helper.groupNode(3)).isEmpty();
    }

    @Test
    void readsWholeConfigSpace() {
        byte[] config = helper.readConfigSpace(PciAddress.parse("0000:01:00.0"));
        assertThat(config).hasSize(256);
        assertThat(config[0]).isEqualTo((byte) 0xaa);
    }

    @Test
    void restoresToNamedDriver() {
        Fixtures.bound(root, "0000:01:00.0", 2);
        RestoreResult r = helper.restore(PciAddress.parse("0000:01:00.0"), Optional.of("e1000e"));
        assertThat(r.action()).isEqualTo("bound-to-named-driver");
        assertThat(r.previousDriver()).isEqualTo("vfio-pci");
    }

    @Test
    void mapsUsageErrorToHelperFailure() {
        assertThatThrownBy(() -> helper.setUserMemlock("nobody", 1000))
                .isInstanceOfSatisfying(HelperFailedException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(64);
                    assertThat(e.errorCode()).isEqualTo("not-whole-kib");
                });
    }

    @Test
    void mapsInsecurePolicyFileToHelperFailure() throws Exception {
        Files.setPosixFilePermissions(root.resolve("etc/vfio-broker/helper.conf"),
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
        assertThatThrownBy(() -> helper.inspectGroup(2)).isInstanceOfSatisfying(HelperFailedException.class, e -> {
            assertThat(e.exitCode()).isEqualTo(78);
            assertThat(e.errorCode()).isEqualTo("policy-insecure");
        });
    }

    @Test
    void missingBinaryIsUnavailable() {
        NativeHelper missing = new NativeHelper(root.resolve("nope"), Duration.ofSeconds(1), List.of());
        assertThatThrownBy(missing::version).isInstanceOf(HelperUnavailableException.class);
    }

    @Test
    void nonExecutableBinaryIsUnavailable() throws Exception {
        Path file = Files.writeString(root.resolve("plain"), "x");
        assertThatThrownBy(new NativeHelper(file, Duration.ofSeconds(1), List.of())::version)
                .isInstanceOf(HelperUnavailableException.class);
    }

    @Test
    void timeoutIsHelperFailure() throws Exception {
        Path slow = Fixtures.script(root, "slow", "exec sleep 10");
        NativeHelper h = new NativeHelper(slow, Duration.ofMillis(300), List.of());
        assertThatThrownBy(h::version).isInstanceOfSatisfying(HelperFailedException.class,
                e -> assertThat(e.errorCode()).isEqualTo("timeout"));
    }

    @Test
    void unparseableOutputIsHelperFailure() throws Exception {
        Path garbage = Fixtures.script(root, "garbage", "echo not json; exit 0");
        assertThatThrownBy(new NativeHelper(garbage, Duration.ofSeconds(5), List.of())::version)
                .isInstanceOfSatisfying(HelperFailedException.class,
                        e -> assertThat(e.errorCode()).isEqualTo("unreadable-output"));
    }

    @Test
    void runsHelperWithEmptyEnvironment() throws Exception {
        Path env = Fixtures.script(root, "env",
                "printf '{\"ok\":true,\"verb\":\"version\",\"exitCode\":0,\"version\":\"%s\",\"build\":\"%s\"}' "
                        + "\"${HOME:-none}\" \"${LANG:-none}${JAVA_HOME:-}${USER:-}\"");
        HelperVersion v = new NativeHelper(env, Duration.ofSeconds(5), List.of()).version();
        assertThat(v).isEqualTo(new HelperVersion("none", "none"));
    }
}
