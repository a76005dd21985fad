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
    private static final String PASSWORD = "bench-admin-password";

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
        int port = freePort();
        Path log = work.resolve("service.log");
        Process service = new ProcessBuilder("java", "-Xmx512m", "-jar", jar.toString(),
                "--server.port=" + port,
                "--vfio-broker.host=simulated",
                "--vfio-broker.data-dir=" + work.resolve("data"),
                "--vfio-broker.sysfs-root=" + host.sysfs(),
                "--vfio-broker.procfs-root=" + host.procfs(),
                "--vfio-broker.devfs-root=" + host.devfs(),
                "--vfio-broker.security.initial-admin-password=" + PASSWORD)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String base = "http://127.0.0.1:" + port;
            String basic = "Basic " + Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
            waitUntilUp(client, base, basic, service, log);
            String token = createToken(client, base, basic);
            URI uri = URI.create(base + "/api/v1/devices?size=100");
            for (int i = 0; i < 200; i++) { // warm-up
                client.send(get(uri, token), HttpResponse.BodyHandlers.discarding());
            }
            List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger errors = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            CountDownLatch start = new CountDownLatch(1);
            long began = System.nanoTime();
            for (int c = 0; c < CLIENTS; c++) {
                pool.submit(() -> {
                    HttpClient own = HttpClient.newHttpClient();
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
                            + "p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms, errors %d%n",
                    CLIENTS, perClient, latencies.size() / seconds, ms(percentile(latencies, 50)),
                    ms(percentile(latencies, 90)), ms(percentile(latencies, 99)), ms(Collections.max(latencies)),
                    errors.get());
            String status = Files.readString(Path.of("/proc/" + service.pid() + "/status"));
            System.out.printf("service memory: VmRSS %s, VmHWM %s (heap limit -Xmx512m)%n",
                    field(status, "VmRSS"), field(status, "VmHWM"));
        } finally {
            service.destroy();
            if (!service.waitFor(30, TimeUnit.SECONDS)) {
                service.destroyForcibly();
            }
        }
    }

    private static HttpRequest get(URI uri, String token) {
        return HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token).GET().build();
    }

    private static void waitUntilUp(HttpClient client, String base, String basic, Process service, Path log)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!service.isAlive()) {
                throw new IllegalStateException("the service exited:\n" + Files.readString(log));
            }
            try {
                HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/host"))
                        .header("Authorization", basic).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the service did not answer within 120 s; its log:\n" + Files.readString(log));
    }

    private static String createToken(HttpClient client, String base, String basic) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/tokens"))
                .header("Authorization", basic).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"bench\",\"expiresInDays\":1}")).build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher m = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"").matcher(r.body());
        if (r.statusCode() != 201 || !m.find()) {
            throw new IllegalStateException("token creation failed: " + r.statusCode() + " " + r.body());
        }
        return m.group(1);
    }

    private static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + p.exitValue());
        }
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String field(String status, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + ":\\s*(.+)$").matcher(status);
        return m.find() ? m.group(1).trim() : "?";
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
