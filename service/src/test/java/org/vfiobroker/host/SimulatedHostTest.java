package org.vfiobroker.host;

import org.vfiobroker.inventory.InventoryProperties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfiobroker.inventory.PciAddress;

/** Kernel semantics of the simulated host on the helper's fixture tree. */
class SimulatedHostTest {

    @TempDir
    Path root;

    SimulatedHost host;

    @BeforeEach
    void setUp() {
        Fixtures.tree(root);
        host = new SimulatedHost(
                InventoryProperties.forRoots(root.resolve("sys"), root.resolve("proc"), root.resolve("dev")),
                new SimulatedHostProperties(1000));
    }

    private Path device(String address) throws Exception {
        return root.resolve("sys/bus/pci/devices").resolve(address).toRealPath();
    }

    /** Constructing only checks the roots and throws before anything is read or written there. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"sys:/sys", "sys:/sys/bus/pci", "dev:/dev",
            "proc:/proc", "sys:/", "sys:link-to-/sys"})
    void refusesToSimulateOnThisMachinesOwnTrees(String which, @TempDir Path tmp)
            throws Exception {
        String[] kindAndPath = which.split(":", 2);
        Path own = kindAndPath[1].startsWith("link-to-")
                ? Files.createSymbolicLink(tmp.resolve("innocent-looking"), Path.of(kindAndPath[1].substring(8)))
                : Path.of(kindAndPath[1]);
        InventoryProperties roots = InventoryProperties.forRoots(
                kindAndPath[0].equals("sys") ? own : tmp.resolve("sys"),
                kindAndPath[0].equals("proc") ? own : tmp.resolve("proc"),
                kindAndPath[0].equals("dev") ? own : tmp.resolve("dev"));

        try {
            assertThatThrownBy(() -> new SimulatedHost(roots, new SimulatedHostProperties(1000)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("this machine's own");
        } finally {
            if (Files.isSymbolicLink(own)) {
                Files.delete(own); // the link, never what it names (before the temporary directory's cleanup)
            }
        }
    }

    @Test
    void bindingMovesDriverLinkToVfioAndCreatesNode() throws Exception {
        BindResult r = host.bindGroup(3);
        assertThat(r.viable()).isTrue();
        assertThat(Files.readSymbolicLink(device("0000:02:00.0").resolve("driver")).getFileName())
                .hasToString("vfio-pci");
        assertThat(Files.readString(device("0000:02:00.0").resolve("driver_override"))).isEqualTo("vfio-pci");
        assertThat(host.groupNode(3)).hasValueSatisfying(n -> {
            assertThat(n.uid()).isZero();
            assertThat(n.mode()).isEqualTo(0600);
        });
        assertThat(host.inspectGroup(3).viable()).isTrue();
    }

    /** As in the kernel: a NIC's interface exists while its driver is bound, not while vfio-pci is. */
    @Test
    void aFunctionsInterfaceGoesWhenItLeavesItsDriverAndComesBackWithIt(@TempDir Path tmp) throws Exception {
        org.vfiobroker.fixture.SysfsFixture fx = org.vfiobroker.fixture.SampleHosts.dense(tmp, 2, 2, 0, 0);
        SimulatedHost dense = new SimulatedHost(fx.properties(), new SimulatedHostProperties(1000));
        org.vfiobroker.inventory.InventoryService inventory = org.vfiobroker.inventory.InventoryService.forRoots(
                fx.properties());
        PciAddress pf = PciAddress.parse("0000:12:00.0"); // mlx5_core, interface enp18s0f0np0 down
        int group = inventory.getDevice(pf).iommuGroup();
        assertThat(inventory.getDevice(pf).netInterfaces()).extracting(i -> i.name()).containsExactly("enp18s0f0np0");

        dense.bindGroup(group);

        assertThat(Files.exists(fx.sysfs().resolve("class/net/enp18s0f0np0"), java.nio.file.LinkOption.NOFOLLOW_LINKS))
                .isFalse();
        assertThat(inventory.rescan().devicesByAddress().get(pf).netInterfaces()).isEmpty();

        dense.restore(pf, Optional.empty());

        assertThat(inventory.rescan().devicesByAddress().get(pf)).satisfies(f -> {
            assertThat(f.driver()).isEqualTo("mlx5_core");
            assertThat(f.netInterfaces()).extracting(i -> i.name()).containsExactly("enp18s0f0np0");
        });
        assertThat(Files.readString(fx.sysfs().resolve("class/net/enp18s0f0np0/operstate")).trim()).isEqualTo("down");
    }

    @Test
    void bindingLeavesBridgesAlone() {
        assertThat(host.bindGroup(1).members()).extracting(BindResult.MemberBinding::action)
                .containsExactly("left-alone");
    }

    @Test
    void refusesGroupWithInterfaceUp() {
        assertThatThrownBy(() -> host.bindGroup(4)).isInstanceOfSatisfying(HostRefusedException.class, e -> {
            assertThat(e.exitCode()).isEqualTo(66);
            assertThat(e.reasons()).anyMatch(r -> r.contains("net:eth0:up"));
        });
    }

    @Test
    void refusesGroupWithDiskMountedThroughDm() {
        assertThatThrownBy(() -> host.bindGroup(6)).isInstanceOfSatisfying(HostRefusedException.class,
                e -> assertThat(e.reasons()).anyMatch(r -> r.contains("dm-0:mounted")));
    }

    @Test
    void refusesDeviceBehindRoot() {
        assertThatThrownBy(() -> host.bindGroup(5)).isInstanceOfSatisfying(HostRefusedException.class,
                e -> assertThat(e.exitCode()).isEqualTo(65));
    }

    @Test
    void refusesNoiommuGroup() {
        assertThatThrownBy(() -> host.bindGroup(8)).isInstanceOfSatisfying(HostRefusedException.class,
                e -> assertThat(e.errorCode()).isEqualTo("noiommu"));
    }

    @Test
    void refusesBootVga() {
        assertThatThrownBy(() -> host.bindGroup(11)).isInstanceOfSatisfying(HostRefusedException.class,
                e -> assertThat(e.reasons()).anyMatch(r -> r.contains("boot-vga")));
    }

    @Test
    void refusesGrantOfGroupNotViable() throws Exception {
        Files.createFile(root.resolve("dev/vfio/3"));
        assertThatThrownBy(() -> host.grantNodes(3, 2000, 2000, NodeMode.OWNER_ONLY))
                .isInstanceOfSatisfying(HostRefusedException.class,
                        e -> assertThat(e.errorCode()).isEqualTo("not-viable"));
    }

    @Test
    void refusesGranteeBelowMinimumUid() {
        host.bindGroup(2);
        assertThatThrownBy(() -> host.grantNodes(2, 0, 1000, NodeMode.OWNER_ONLY))
                .isInstanceOfSatisfying(HostRefusedException.class,
                        e -> assertThat(e.errorCode()).isEqualTo("uid-below-minimum"));
    }

    @Test
    void grantChangesOwnerAndRevokeTakesItBack() {
        host.bindGroup(2);
        NodeGrant grant = host.grantNodes(2, 2000, 2001, NodeMode.OWNER_AND_GROUP);
        assertThat(grant.node()).isEqualTo(new DeviceNode("/dev/vfio/2", true, 2000, 2001, 0660));
        assertThat(host.groupNode(2)).contains(grant.node());
        host.revokeNodes(2);
        assertThat(host.groupNode(2)).hasValueSatisfying(n -> assertThat(n.uid()).isZero());
    }

    @Test
    void restoreReturnsPreviousDriverAndRemovesNode() throws Exception {
        host.bindGroup(2);
        RestoreResult r = host.restore(PciAddress.parse("0000:01:00.0"), Optional.empty());
        assertThat(r.driver()).isEqualTo("e1000e");
        assertThat(Files.readSymbolicLink(device("0000:01:00.0").resolve("driver")).getFileName())
                .hasToString("e1000e");
        assertThat(host.groupNode(2)).isEmpty();
    }

    @Test
    void setNumVfsCreatesAndRemovesVirtualFunctions() throws Exception {
        PciAddress pf = PciAddress.parse("0000:06:00.0");
        NumVfsResult r = host.setNumVfs(pf, 3);
        assertThat(r.previousNumVfs()).isZero();
        Path pfDir = device("0000:06:00.0");
        assertThat(pfDir.resolve("virtfn2")).exists();
        String vf = Files.readSymbolicLink(pfDir.resolve("virtfn0")).getFileName().toString();
        assertThat(root.resolve("sys/bus/pci/devices").resolve(vf)).exists();
        assertThat(host.inspectGroup(12).members()).extracting(GroupInspection.Member::address).containsExactly(vf);

        host.setNumVfs(pf, 1);
        assertThat(pfDir.resolve("virtfn1")).doesNotExist();
        assertThat(Files.readString(pfDir.resolve("sriov_numvfs"))).isEqualTo("1");
    }

    @Test
    void removedVirtualFunctionsTakeTheirNodesAndRememberedStateAlong() throws Exception {
        PciAddress pf = PciAddress.parse("0000:06:00.0");
        host.setNumVfs(pf, 2);
        Path pfDir = device("0000:06:00.0");
        String vf1 = Files.readSymbolicLink(pfDir.resolve("virtfn1")).getFileName().toString();
        int group = Integer.parseInt(Files.readSymbolicLink(device(vf1).resolve("iommu_group")).getFileName()
                .toString());
        host.bindGroup(group);
        host.grantNodes(group, 1001, 1001, NodeMode.OWNER_ONLY);
        assertThat(host.groupNode(group)).hasValueSatisfying(n -> assertThat(n.uid()).isEqualTo(1001));

        host.setNumVfs(pf, 1);

        assertThat(host.groupNode(group)).as("the VF's group and its /dev/vfio node went with it").isEmpty();
        assertThat(root.resolve("dev/vfio").resolve(Integer.toString(group))).doesNotExist();

        host.setNumVfs(pf, 2); // the new VF1 may get the same group number
        String again = Files.readSymbolicLink(pfDir.resolve("virtfn1")).getFileName().toString();
        int newGroup = Integer.parseInt(Files.readSymbolicLink(device(again).resolve("iommu_group")).getFileName()
                .toString());
        host.bindGroup(newGroup);
        assertThat(host.groupNode(newGroup)).as("a fresh node, not the old owner")
                .hasValueSatisfying(n -> assertThat(n.uid()).isZero());
    }

    @Test
    void refusesMemlockOnProcessOfAnotherUser() throws Exception {
        Files.createDirectories(root.resolve("proc/4242"));
        Files.writeString(root.resolve("proc/4242/status"), "Name:\tqemu\nUid:\t1001\t1001\t1001\t1001\n");
        assertThatThrownBy(() -> host.setProcessMemlock(4242, 1002, 65536))
                .isInstanceOfSatisfying(HostRefusedException.class,
                        e -> assertThat(e.errorCode()).isEqualTo("pid-not-grantee"));
        assertThat(host.setProcessMemlock(4242, 1001, 65536).comm()).isEqualTo("qemu");
    }

    @Test
    void userMemlockMustBeWholeKib() {
        assertThatThrownBy(() -> host.setUserMemlock("alice", 1000)).isInstanceOf(HelperFailedException.class);
        host.setUserMemlock("alice", 1 << 20);
        assertThat(host.userMemlock("alice")).contains(1L << 20);
        assertThat(host.removeUserMemlock("alice").removed()).isTrue();
    }

    @Test
    void readsConfigSpaceFromTree() {
        assertThat(host.readConfigSpace(PciAddress.parse("0000:01:00.0"))).hasSize(256);
    }
}
