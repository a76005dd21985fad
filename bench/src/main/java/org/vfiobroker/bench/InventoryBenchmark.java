package org.vfiobroker.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vfiobroker.fixture.SampleHosts;
import org.vfiobroker.fixture.SysfsFixture;
import org.vfiobroker.inventory.InventoryProperties;
import org.vfiobroker.inventory.InventoryService;

/**
 * The inventory benchmark of issue "Foundation": on a dense synthetic host (16 SR-IOV PFs x 250 VFs, 8 GPUs
 * with audio functions, 16 NVMe, one bridge group: about 4,000 functions, each with a 4 KiB config space and
 * a capability chain)
 * <ol>
 *   <li>a full rescan including config-space parsing, side by side with {@code lspci -vmm -nn -D} on the same
 *       tree, alternating, in one run;</li>
 *   <li>{@code GET /api/v1/devices?size=100} against the real service jar, 50 concurrent clients (bearer
 *       token, as a scheduler would call), latency percentiles;</li>
 *   <li>the service's resident memory at that size.</li>
 * </ol>
 * Usage: {@code InventoryBenchmark <service-exec-jar> [rounds] [requests-per-client]}.
 */
public final class InventoryBenchmark {

    private static final int CLIENTS = 50;

    private InventoryBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: InventoryBenchmark <vfio-broker-exec.jar> [rounds] [requests-per-client]");
            System.exit(64);
        }
        Path jar = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int perClient = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        Path work = Files.createTempDirectory("vfio-broker-bench");
        try {
            long t0 = System.nanoTime();
            SysfsFixture host = SampleHosts.dense(work.resolve("host"), 16, 250, 8, 16);
            System.out.printf("generated the dense host in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            System.out.printf("load average at start: %s%n", ServiceUnderTest.loadAverage());
            rescanVersusLspci(host, rounds);
            http(jar, host, work, perClient);
        } finally {
            deleteTree(work);
        }
    }

    private static void rescanVersusLspci(SysfsFixture host, int rounds) throws Exception {
        InventoryService inventory = InventoryService.forRoots(host.properties());
        int functions = inventory.rescan().devices().size();
        Path pciIds = InventoryProperties.PCI_IDS_CANDIDATES.stream().filter(Files::isReadable).findFirst()
                .orElseThrow(() -> new IllegalStateException("no pci.ids: install Debian's pci.ids"));
        List<String> lspci = List.of("lspci", "-vmm", "-nn", "-D", "-A", "linux-sysfs",
                "-O", "sysfs.path=" + host.sysfs().resolve("bus/pci"), "-O", "hwdb.disable=1", "-i", pciIds.toString());
        for (int i = 0; i < 3; i++) { // warm-up: JIT for the scan, page cache for both
            inventory.rescan();
            run(lspci);
        }
        List<Long> scan = new ArrayList<>();
        List<Long> tool = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            long a = System.nanoTime();
            inventory.rescan();
            scan.add(System.nanoTime() - a);
            long b = System.nanoTime();
            run(lspci);
            tool.add(System.nanoTime() - b);
        }
        inventory.destroy();
        System.out.printf("full rescan of %d functions: median %.0f ms, min %.0f ms (rounds %d)%n",
                functions, ms(percentile(scan, 50)), ms(Collections.min(scan)), rounds);
        System.out.printf("lspci -vmm -nn -D on the same tree: median %.0f ms, min %.0f ms%n",
                ms(percentile(tool, 50)), ms(Collections.min(tool)));
    }

    private static void http(Path jar, SysfsFixture host, Path work, int perClient) throws Exception {
        try (ServiceUnderTest service = ServiceUnderTest.start(jar, host, work)) {
            String token = service.createToken(null);
            URI uri = URI.create(service.base + "/api/v1/devices?size=100");
            for (int i = 0; i < 500; i++) { // warm-up
                service.client.send(get(uri, token), HttpResponse.BodyHandlers.discarding());
            }
            System.out.printf("load average before the load: %s%n", ServiceUnderTest.loadAverage());
            List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger errors = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            CountDownLatch start = new CountDownLatch(1);
            long began = System.nanoTime();
            for (int c = 0; c < CLIENTS; c++) {
                pool.submit(() -> {
                    HttpClient own = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                    start.await();
                    for (int i = 0; i < perClient; i++) {
                        long t = System.nanoTime();
                        HttpResponse<byte[]> r = own.send(get(uri, token), HttpResponse.BodyHandlers.ofByteArray());
                        latencies.add(System.nanoTime() - t);
                        if (r.statusCode() != 200) {
                            errors.incrementAndGet();
                        }
                    }
                    return null;
                });
            }
            start.countDown();
            pool.shutdown();
            if (!pool.awaitTermination(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the load did not finish within 10 minutes");
            }
            double seconds = (System.nanoTime() - began) / 1e9;
            System.out.printf("GET /api/v1/devices?size=100, %d clients x %d requests: %.0f req/s, "
                            + "p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms, errors %d (load average after: %s)%n",
                    CLIENTS, perClient, latencies.size() / seconds, ms(percentile(latencies, 50)),
                    ms(percentile(latencies, 90)), ms(percentile(latencies, 99)), ms(Collections.max(latencies)),
                    errors.get(), ServiceUnderTest.loadAverage());
            System.out.printf("service memory: %s (JVM options %s)%n", service.memory(), service.jvmOptions);
        }
    }

    private static HttpRequest get(URI uri, String token) {
        return HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token).GET().build();
    }

    private static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + p.exitValue());
        }
    }

    private static long percentile(List<Long> values, int p) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            paths.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
