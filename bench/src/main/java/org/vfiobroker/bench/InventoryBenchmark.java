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
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
 * Usage: {@code InventoryBenchmark <service-exec-jar> [rounds] [seconds] [warm-up-seconds]}.
 */
public final class InventoryBenchmark {

    private static final int CLIENTS = 50;

    private InventoryBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: InventoryBenchmark <vfio-broker-exec.jar> [rounds] [seconds] [warm-up-seconds]");
            System.exit(64);
        }
        Path jar = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 15;
        Path work = Files.createTempDirectory("vfio-broker-bench");
        Path hostDir = null;
        try {
            long t0 = System.nanoTime();
            hostDir = ServiceUnderTest.hostDirectory("vfio-broker-bench-host");
            SysfsFixture host = SampleHosts.dense(hostDir.resolve("host"), 16, 250, 8, 16);
            System.out.printf("generated the dense host in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            System.out.printf("load average at start: %s%n", ServiceUnderTest.loadAverage());
            rescanVersusLspci(host, rounds);
            http(jar, host, work, seconds, warmup);
        } finally {
            deleteTree(work);
            if (hostDir != null) {
                deleteTree(hostDir);
            }
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

    private static void http(Path jar, SysfsFixture host, Path work, int seconds, int warmup) throws Exception {
        String path = "/api/v1/devices?size=100";
        byte[] page;
        try (ServiceUnderTest service = ServiceUnderTest.start(jar, host, work)) {
            String token = service.createToken(null);
            URI uri = URI.create(service.base + path);
            HttpResponse<byte[]> reference = service.client.send(get(uri, token), HttpResponse.BodyHandlers.ofByteArray());
            try (RawHttpConnection c = new RawHttpConnection(uri.getHost(), uri.getPort(), path, "Bearer " + token)) {
                RawHttpConnection.Answer a = c.exchange();
                if (reference.statusCode() != 200 || a.status() != 200
                        || !Arrays.equals(reference.body(), 0, reference.body().length, c.body(), 0, a.length())) {
                    throw new IllegalStateException("the load client does not read what java.net.http reads: status "
                            + reference.statusCode() + "/" + a.status() + ", " + reference.body().length + "/"
                            + a.length() + " bytes");
                }
                page = reference.body();
                System.out.printf("one page: %d bytes of JSON%n", page.length);
            }
            load("the service: GET " + path, uri.getHost(), uri.getPort(), path, "Bearer " + token, seconds, warmup,
                    service.process.pid());
            System.out.printf("service memory: %s (JVM options %s)%n", service.memory(), service.jvmOptions);
        }
        if (Boolean.parseBoolean(System.getProperty("bench.stackfloor", "true"))) {
            try (StackFloor stack = StackFloor.spring(page, path, work)) {
                load("the stack's floor: the same page from Spring Boot, Spring MVC and Spring Security with no "
                        + "application work", ServiceUnderTest.LOOPBACK.getHostAddress(), stack.port, path, stack.authorization, seconds, warmup,
                        stack.process.pid());
            }
            try (StackFloor tomcat = StackFloor.bareTomcat(page, path, work)) {
                load("the server's floor: the same page from embedded Tomcat with one servlet, no Spring",
                        ServiceUnderTest.LOOPBACK.getHostAddress(), tomcat.port, path, tomcat.authorization, seconds, warmup, tomcat.process.pid());
            }
        }
        if (!Boolean.parseBoolean(System.getProperty("bench.floor", "true"))) {
            return;
        }
        try (FloorServer floor = new FloorServer(page)) {
            load("the floor: the same page from a minimal server in the load generator's JVM",
                    ServiceUnderTest.LOOPBACK.getHostAddress(),
                    floor.port(), path, "none", seconds, warmup, ProcessHandle.current().pid());
        }
    }

    /**
     * {@link #CLIENTS} keep-alive connections, each sending its next request as soon as the last answer was read
     * (a closed loop), for {@code warmup} seconds unrecorded and then {@code seconds} recorded; prints the
     * throughput, latency percentiles, the slowest requests and the CPU split. Fails on any answer but 200.
     */
    private static void load(String what, String host, int port, String path, String authorization, int seconds,
            int warmup, long serverPid) throws Exception {
        long now = System.nanoTime();
        long measureFrom = now + TimeUnit.SECONDS.toNanos(warmup);
        long measureUntil = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
        long[][] perClient = new long[CLIENTS][];
        long[][] startsPerClient = new long[CLIENTS][];
        int[] counts = new int[CLIENTS];
        AtomicInteger connects = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        CountDownLatch connected = new CountDownLatch(CLIENTS);
        List<Future<?>> futures = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            futures.add(pool.submit(() -> {
                long[] latencies = new long[1 << 16];
                long[] starts = new long[1 << 16];
                int n = 0;
                try (RawHttpConnection own = new RawHttpConnection(host, port, path, authorization)) {
                    connected.countDown();
                    connected.await();
                    while (true) {
                        long t = System.nanoTime();
                        if (t >= measureUntil) {
                            break;
                        }
                        RawHttpConnection.Answer a = own.exchange();
                        long done = System.nanoTime();
                        if (a.status() != 200) {
                            errors.incrementAndGet();
                        }
                        if (t >= measureFrom) {
                            if (n == latencies.length) {
                                latencies = Arrays.copyOf(latencies, n * 2);
                                starts = Arrays.copyOf(starts, n * 2);
                            }
                            starts[n] = t - measureFrom;
                            latencies[n++] = done - t;
                        }
                    }
                    connects.addAndGet(own.connects());
                }
                perClient[client] = latencies;
                startsPerClient[client] = starts;
                counts[client] = n;
                return null;
            }));
        }
        pool.shutdown();
        System.out.printf("%s: %d clients, %d s warm-up at full load, then %d s measured%n", what, CLIENTS, warmup,
                seconds);
        sleepUntil(measureFrom);
        System.out.printf("load average before the measured window: %s%n", ServiceUnderTest.loadAverage());
        long self = ProcessHandle.current().pid();
        long[] serverBefore = ServiceUnderTest.userAndSystemTicks(serverPid);
        long[] clientBefore = ServiceUnderTest.userAndSystemTicks(self);
        sleepUntil(measureUntil);
        long[] serverAfter = ServiceUnderTest.userAndSystemTicks(serverPid);
        long[] clientAfter = ServiceUnderTest.userAndSystemTicks(self);
        for (Future<?> f : futures) {
            f.get(10, TimeUnit.MINUTES); // rethrows a client's failure
        }
        List<Long> latencies = new ArrayList<>();
        List<String> slow = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            for (int i = 0; i < counts[c]; i++) {
                latencies.add(perClient[c][i]);
                if (perClient[c][i] > TimeUnit.MILLISECONDS.toNanos(250)) {
                    slow.add(String.format("%.0f ms at %.2f s (client %d)", ms(perClient[c][i]),
                            startsPerClient[c][i] / 1e9, c));
                }
            }
        }
        System.out.printf("%d requests, %.0f req/s, p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.1f ms, errors %d "
                        + "(load average after: %s)%n",
                latencies.size(), latencies.size() / (double) seconds, ms(percentile(latencies, 50)),
                ms(percentile(latencies, 90)), ms(percentile(latencies, 99)), ms(Collections.max(latencies)),
                errors.get(), ServiceUnderTest.loadAverage());
        System.out.printf("requests slower than 250 ms: %d%s%n", slow.size(),
                slow.isEmpty() ? "" : ", e.g. " + String.join("; ", slow.subList(0, Math.min(10, slow.size()))));
        System.out.printf("TCP connections opened by the clients (warm-up included): %d%n", connects.get());
        int[] sortedCounts = counts.clone();
        Arrays.sort(sortedCounts);
        System.out.printf("requests per client: min %d, median %d, max %d (a server that answers in the order asked "
                        + "gives every client the same share)%n",
                sortedCounts[0], sortedCounts[CLIENTS / 2], sortedCounts[CLIENTS - 1]);
        double available = ServiceUnderTest.ticksPerSecond() * seconds * Runtime.getRuntime().availableProcessors();
        if (serverPid == self) {
            System.out.printf("CPU in the measured window, share of all cores: server and load generator %.0f %% "
                            + "user + %.0f %% system%n",
                    100 * (clientAfter[0] - clientBefore[0]) / available,
                    100 * (clientAfter[1] - clientBefore[1]) / available);
        } else {
            System.out.printf("CPU in the measured window, share of all cores: service %.0f %% user + %.0f %% system, "
                            + "load generator %.0f %% user + %.0f %% system%n",
                    100 * (serverAfter[0] - serverBefore[0]) / available,
                    100 * (serverAfter[1] - serverBefore[1]) / available,
                    100 * (clientAfter[0] - clientBefore[0]) / available,
                    100 * (clientAfter[1] - clientBefore[1]) / available);
        }
        if (errors.get() > 0) {
            throw new IllegalStateException(errors.get() + " requests did not answer 200");
        }
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
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
