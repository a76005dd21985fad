package org.vfiobroker.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfiobroker.fixture.SampleHosts;
import org.vfiobroker.fixture.SysfsFixture;
import org.vfiobroker.inventory.InventoryProperties;
import org.vfiobroker.inventory.PciAddress;

/**
 * The simulated host under concurrent steps: steps on different groups run in parallel and leave the same tree as
 * a sequential run; steps on one group, and a change of the host's shape, are atomic to each other. The timeouts
 * only keep a deadlock from hanging the build; nothing here measures time.
 */
class SimulatedHostConcurrencyTest {

    private static final int THREADS = 4;
    private static final long TIMEOUT_SECONDS = 120;

    @TempDir
    Path root;

    private static SimulatedHost host(InventoryProperties roots) {
        return new SimulatedHost(roots, new SimulatedHostProperties(1000));
    }

    @Test
    void stepsOnManyGroupsFromSeveralThreadsLeaveTheTreeOfASequentialRun() throws Exception {
        SysfsFixture sequentialTree = SampleHosts.dense(root.resolve("sequential"), 4, 24, 4, 2);
        SysfsFixture concurrentTree = SampleHosts.dense(root.resolve("concurrent"), 4, 24, 4, 2);
        SimulatedHost sequential = host(sequentialTree.properties());
        SimulatedHost concurrent = host(concurrentTree.properties());
        Map<Integer, List<String>> groups = grantableGroups(sequential, sequentialTree);
        assertThat(groups).as("the dense host has VF groups and GPU groups with two functions").hasSizeGreaterThan(90)
                .anySatisfy((g, members) -> assertThat(members).hasSize(2));
        List<Integer> order = new ArrayList<>(groups.keySet());

        for (int i = 0; i < order.size(); i++) {
            script(sequential, i, order.get(i), groups.get(order.get(i)));
        }
        List<Callable<Void>> workers = new ArrayList<>();
        CyclicBarrier start = new CyclicBarrier(THREADS);
        for (int t = 0; t < THREADS; t++) {
            int first = t;
            workers.add(() -> {
                start.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                for (int i = first; i < order.size(); i += THREADS) {
                    script(concurrent, i, order.get(i), groups.get(order.get(i)));
                    // A reader on a group another thread is working on: must never fail.
                    concurrent.inspectGroup(order.get((i + 1) % order.size()));
                    concurrent.groupNode(order.get((i + 2) % order.size()));
                }
                return null;
            });
        }
        runAll(workers);

        Map<String, String> expected = snapshot(sequentialTree, sequential, groups.keySet());
        assertThat(expected).as("the script leaves granted, revoked and restored groups")
                .containsValue("node uid=2004 gid=3004 mode=0660")
                .containsValue("node uid=0 gid=0 mode=0600")
                .containsValue("absent");
        assertThat(snapshot(concurrentTree, concurrent, groups.keySet())).isEqualTo(expected);

        // The drivers each host remembers for restore: restore everything, sequentially, on both.
        for (Map.Entry<Integer, List<String>> g : groups.entrySet()) {
            for (String member : g.getValue()) {
                sequential.restore(PciAddress.parse(member), Optional.empty());
                concurrent.restore(PciAddress.parse(member), Optional.empty());
            }
        }
        assertThat(snapshot(concurrentTree, concurrent, groups.keySet()))
                .isEqualTo(snapshot(sequentialTree, sequential, groups.keySet()));
    }

    /** The steps one group goes through; the index picks one of four endings so that the end states differ. */
    private static void script(SimulatedHost host, int index, int group, List<String> members) {
        host.bindGroup(group);
        switch (index % 4) {
            case 0 -> host.grantNodes(group, 2000 + index, 3000 + index, NodeMode.OWNER_AND_GROUP);
            case 1 -> {
                host.grantNodes(group, 2000 + index, 3000 + index, NodeMode.OWNER_ONLY);
                host.revokeNodes(group);
            }
            case 2 -> {
                host.grantNodes(group, 2000 + index, 3000 + index, NodeMode.OWNER_ONLY);
                host.revokeNodes(group);
                for (String m : members) {
                    host.restore(PciAddress.parse(m), Optional.empty());
                }
            }
            default -> {
                host.grantNodes(group, 2000 + index, 3000 + index, NodeMode.OWNER_ONLY);
                host.revokeNodes(group);
                host.bindGroup(group);
                host.grantNodes(group, 5000 + index, 5000 + index, NodeMode.OWNER_AND_GROUP);
            }
        }
    }

    @Test
    void twoThreadsBindingTheSameGroupBindItOnce() throws Exception {
        SysfsFixture tree = SampleHosts.gpuWithAudio(root.resolve("gpu"));
        SimulatedHost host = host(tree.properties());
        int group = 1;
        String gpu = "0000:01:00.0";
        String audio = "0000:01:00.1";
        assertThat(host.inspectGroup(group).members()).extracting(GroupInspection.Member::address)
                .containsExactly(gpu, audio);
        // Every round starts from: GPU unbound, audio on snd_hda_intel.
        host.restore(PciAddress.parse(gpu), Optional.empty());

        for (int round = 0; round < 100; round++) {
            CyclicBarrier start = new CyclicBarrier(3);
            Callable<BindResult> binder = () -> {
                start.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                return host.bindGroup(group);
            };
            List<List<String>> seen = new ArrayList<>();
            Callable<Void> inspector = () -> {
                start.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                for (int k = 0; k < 20; k++) {
                    seen.add(host.inspectGroup(group).members().stream().map(m -> String.valueOf(m.driver())).toList());
                }
                return null;
            };
            List<Object> results = runAll(List.of(binder, binder, inspector));
            BindResult first = (BindResult) results.get(0);
            BindResult second = (BindResult) results.get(1);

            assertThat(Stream.of(first, second).flatMap(r -> r.members().stream())
                    .map(m -> m.address() + " " + m.action()).sorted().toList())
                    .as("round %d: each member bound once, and seen as bound by the other bind", round)
                    .containsExactly(gpu + " already-bound", gpu + " bound", audio + " already-bound", audio + " bound");
            assertThat(seen).as("round %d: inspections see the group before or after the bind", round)
                    .allSatisfy(drivers -> assertThat(drivers).isIn(List.of("null", "snd_hda_intel"),
                            List.of("vfio-pci", "vfio-pci")));
            assertThat(host.groupNode(group)).hasValueSatisfying(n -> {
                assertThat(n.uid()).isZero();
                assertThat(n.mode()).isEqualTo(0600);
            });
            Path audioDir = tree.sysfs().resolve("bus/pci/devices").resolve(audio).toRealPath();
            assertThat(Files.readSymbolicLink(audioDir.resolve("driver")).getFileName()).hasToString("vfio-pci");
            assertThat(Files.readString(audioDir.resolve("driver_override"))).isEqualTo("vfio-pci");

            assertThat(host.restore(PciAddress.parse(audio), Optional.empty()).driver())
                    .as("round %d: the driver remembered for restore", round).isEqualTo("snd_hda_intel");
            host.restore(PciAddress.parse(gpu), Optional.empty());
            assertThat(host.groupNode(group)).isEmpty();
        }
    }

    @Test
    void stepsOnAGroupSeeTheHostBeforeOrAfterAChangeOfVfs() throws Exception {
        Fixtures.tree(root);
        SimulatedHost host = new SimulatedHost(
                InventoryProperties.forRoots(root.resolve("sys"), root.resolve("proc"), root.resolve("dev")),
                new SimulatedHostProperties(1000));
        PciAddress pf = PciAddress.parse("0000:06:00.0");
        host.setNumVfs(pf, 1);
        int group = 12;
        String vf = host.inspectGroup(group).members().get(0).address();
        host.setNumVfs(pf, 0);

        CyclicBarrier start = new CyclicBarrier(2);
        AtomicBoolean changing = new AtomicBoolean(true);
        Callable<Void> changer = () -> {
            start.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            try {
                for (int k = 0; k < 200; k++) {
                    host.setNumVfs(pf, 1);
                    host.setNumVfs(pf, 0);
                }
            } finally {
                changing.set(false);
            }
            return null;
        };
        Set<String> seen = new TreeSet<>();
        Callable<Void> inspector = () -> {
            start.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            while (changing.get()) {
                try {
                    seen.add(host.inspectGroup(group).members().stream()
                            .map(m -> m.address() + " " + m.vendor() + " " + m.driver()).toList().toString());
                } catch (HostRefusedException e) {
                    seen.add(e.errorCode());
                }
            }
            return null;
        };
        runAll(List.of(changer, inspector));

        assertThat(seen).isSubsetOf("group-not-found", "[" + vf + " 8086 null]");
    }

    // ------------------------------------------------------------------ helpers

    /** Runs the tasks on their own threads; their results in order; a failure of any fails the test. */
    private static List<Object> runAll(List<? extends Callable<?>> tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Callable<?> t : tasks) {
                futures.add(pool.submit(t));
            }
            List<Object> out = new ArrayList<>();
            for (Future<?> f : futures) {
                out.add(f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /** The groups a bind accepts (no bridge, nothing in use), each with its members. */
    private static Map<Integer, List<String>> grantableGroups(SimulatedHost host, SysfsFixture tree) throws IOException {
        Map<Integer, List<String>> out = new TreeMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(tree.sysfs().resolve("kernel/iommu_groups"))) {
            for (Path g : entries) {
                GroupInspection inspection = host.inspectGroup(Integer.parseInt(g.getFileName().toString()));
                if (!inspection.noiommu() && inspection.members().stream().allMatch(m -> !m.bridge()
                        && m.inUse().isEmpty() && !m.rootDevice() && !"pcieport".equals(m.driver()))) {
                    out.put(inspection.group(), inspection.members().stream().map(GroupInspection.Member::address)
                            .toList());
                }
            }
        }
        return out;
    }

    /**
     * The tree as the kernel would show it: each device's driver and {@code driver_override}, each file under
     * {@code dev/} with owner and mode, and each group's node as the host reports it.
     */
    private static Map<String, String> snapshot(SysfsFixture tree, SimulatedHost host, Iterable<Integer> groups)
            throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(tree.sysfs().resolve("bus/pci/devices"))) {
            for (Path d : entries) {
                Path driver = d.resolve("driver");
                Path override = d.resolve("driver_override");
                out.put("device " + d.getFileName(), "driver=" + (Files.isSymbolicLink(driver)
                        ? Files.readSymbolicLink(driver).getFileName() : "-") + " override="
                        + (Files.isRegularFile(override) ? Files.readString(override).strip() : "-"));
            }
        }
        try (Stream<Path> files = Files.walk(tree.devfs())) {
            files.filter(Files::isRegularFile).forEach(f -> out.put("dev " + tree.devfs().relativize(f), stat(f)));
        }
        for (int g : groups) {
            out.put("node " + g, host.groupNode(g).map(n -> "node uid=" + n.uid() + " gid=" + n.gid() + " mode="
                    + n.modeOctal()).orElse("absent"));
        }
        return out;
    }

    private static String stat(Path file) {
        try {
            return "uid=" + Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS) + " gid="
                    + Files.getAttribute(file, "unix:gid", LinkOption.NOFOLLOW_LINKS) + " mode="
                    + PosixFilePermissions.toString(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
