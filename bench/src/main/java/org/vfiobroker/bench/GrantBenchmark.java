package org.vfiobroker.bench;

import static org.vfiobroker.bench.ServiceUnderTest.ms;
import static org.vfiobroker.bench.ServiceUnderTest.percentile;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vfiobroker.fixture.SampleHosts;
import org.vfiobroker.fixture.SysfsFixture;

/**
 * The grant benchmark of issue "Grants": the real service jar with the simulated host on the dense synthetic
 * host (16 PFs x 250 VFs: 4,000 VF groups in one pool), {@code clients} scheduler clients (a SCHEDULER-scoped
 * bearer token) each looping: {@code POST /api/v1/grants} (pool, count 1, a unique Idempotency-Key; measured:
 * allocation + activation, the request returns once the grant is ACTIVE), then {@code DELETE} (revoke; timed
 * separately). Throughput counts created grants per second in the measured window (after a warm-up).
 *
 * <p>No double grant: (1) client side, every ACTIVE grant claims its groups in a map and gives them up before
 * its revocation is sent, so a group handed out while another client still holds it is caught; (2) after the
 * run, from the service's database (the service stopped), every group's [activated_at, released_at) intervals
 * of all grants must not overlap; (3) {@code GET /api/v1/grants?state=ACTIVE} at the end has no group twice.
 *
 * <p>Grantees: {@code users} Unix users {@code vbbench0..} created with {@code useradd} (removed afterwards) when
 * running as root; otherwise existing users with uid &ge; 1000.
 *
 * <p>Closed loop by default: each client sends its next grant as soon as its last revocation returned, so the
 * run finds the saturation throughput, and the latency it reports is mostly queueing (with {@code clients}
 * busy clients the mean latency of a grant and a revocation is {@code clients / throughput}). With
 * {@code -Dbench.rate=R} it is an open loop instead: grants are offered at {@code R} per second in all, each
 * client at its fixed times ({@code clients / R} apart, staggered), and a grant's latency counts from the time it
 * was due, not from when a late client got round to sending it (no coordinated omission: a service that falls
 * behind shows it in the percentiles). That reports the latency at a given load below saturation.
 *
 * <p>Usage: {@code GrantBenchmark <service-exec-jar> [seconds] [clients] [users] [warmup-seconds]}.
 */
public final class GrantBenchmark {

    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*(\\d+)");
    private static final Pattern STATE = Pattern.compile("\"state\"\\s*:\\s*\"([A-Z]+)\"");
    private static final Pattern GROUP = Pattern.compile("\"iommuGroup\"\\s*:\\s*(\\d+)");

    private GrantBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: GrantBenchmark <vfio-broker-exec.jar> [seconds] [clients] [users] [warmup-seconds]");
            System.exit(64);
        }
        Path jar = Path.of(args[0]);
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int clients = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        int userCount = args.length > 3 ? Integer.parseInt(args[3]) : 8;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 10;
        Path work = Files.createTempDirectory("vfio-broker-grant-bench");
        List<String> created = new ArrayList<>();
        Path hostDir = null;
        try {
            System.out.printf("load average at start: %s%n", ServiceUnderTest.loadAverage());
            long t0 = System.nanoTime();
            hostDir = ServiceUnderTest.hostDirectory("vfio-broker-grant-bench-host");
            SysfsFixture host = SampleHosts.dense(hostDir.resolve("host"), 16, 250, 8, 16);
            System.out.printf("generated the dense host in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            List<String> users = users(userCount, created);
            System.out.printf("grantees: %s%s%n", users, created.isEmpty() ? " (existing)" : " (created for the run)");
            run(jar, host, work, users, clients, seconds, warmup);
        } finally {
            for (String u : created) {
                exec(List.of("userdel", u));
            }
            ServiceUnderTest.deleteTree(work);
            if (hostDir != null) {
                ServiceUnderTest.deleteTree(hostDir);
            }
        }
    }

    private static void run(Path jar, SysfsFixture host, Path work, List<String> users, int clients, int seconds,
                            int warmup) throws Exception {
        double rate = Double.parseDouble(System.getProperty("bench.rate", "0").isBlank() ? "0"
                : System.getProperty("bench.rate", "0"));
        String mode = rate > 0 ? String.format("open loop, %.0f grants/s offered", rate) : "closed loop";
        Result result;
        String memory;
        try (ServiceUnderTest service = ServiceUnderTest.start(jar, host, work)) {
            service.adminPost("/api/v1/pools", "{\"name\":\"bench-vfs\",\"selector\":{\"vendorDevices\":[\"15b3:101e\"]}}");
            for (String u : users) {
                service.adminPost("/api/v1/policies", "{\"pool\":\"bench-vfs\",\"unixUser\":\"" + u + "\",\"maxGroups\":4000,"
                        + "\"maxMemlockBytes\":1099511627776,\"maxLeaseSeconds\":86400}");
            }
            String token = service.createToken("SCHEDULER");
            if (warmup > 0) {
                Result w = load(service, token, users, clients, warmup, "warmup", rate);
                System.out.printf("warm-up %d s: %s%n", warmup, w.summary(warmup));
            }
            System.out.printf("load average before the measured run: %s%n", ServiceUnderTest.loadAverage());
            result = load(service, token, users, clients, seconds, "run", rate);
            memory = service.memory();
            System.out.printf("load average after the measured run: %s%n", ServiceUnderTest.loadAverage());
            checkActiveList(service, token);
        }
        System.out.printf("POST /api/v1/grants (allocation + activation), %d clients, %s, %d s: %s%n", clients, mode,
                seconds, result.summary(seconds));
        if (rate > 0) {
            System.out.printf("  the same, from each request's actual start (service time without the client's delay):"
                    + " p50 %.1f ms, p99 %.1f ms%n", ms(percentile(result.serviceTimes, 50)),
                    ms(percentile(result.serviceTimes, 99)));
        }
        System.out.printf("  the slowest grant of each second, ms (by when it %s): %s%n", rate > 0 ? "was due" : "was sent",
                result.slowestPerSecond(seconds));
        System.out.printf("DELETE /api/v1/grants/{id} (revoke): p50 %.1f ms, p99 %.1f ms%n",
                ms(percentile(result.revokeLatencies, 50)), ms(percentile(result.revokeLatencies, 99)));
        System.out.printf("CPU in the measured window: %s%n", result.cpu);
        System.out.printf("service memory at the end: %s%n", memory);
        System.out.printf("client-side double grants: %d%n", result.doubleGrants.get());
        int overlaps = checkDatabase(work.resolve("data"));
        boolean pass = result.doubleGrants.get() == 0 && overlaps == 0;
        double achieved = result.created.get() / (double) seconds;
        double p99 = ms(percentile(result.createLatencies, 99));
        System.out.printf("goal (>= 300 grants/s, p99 <= 50 ms, no double grant): %s (%.0f/s, p99 %.1f ms, %s; %s)%n",
                achieved >= 300 && p99 <= 50 && pass ? "MET" : "NOT MET", achieved, p99,
                pass ? "no double grant" : "DOUBLE GRANTS", mode);
        if (!pass) {
            System.exit(1);
        }
    }

    /** Counters of one load phase. */
    private static final class Result {
        final List<Long> createLatencies = Collections.synchronizedList(new ArrayList<>());
        final List<Long> revokeLatencies = Collections.synchronizedList(new ArrayList<>());
        /** Open loop: from the request's actual start (the latencies above count from when it was due). */
        final List<Long> serviceTimes = Collections.synchronizedList(new ArrayList<>());
        /** Each grant's start (open loop: when it was due) from the phase's start and its latency, in ns. */
        final List<long[]> timeline = Collections.synchronizedList(new ArrayList<>());
        final AtomicLong created = new AtomicLong();
        final AtomicInteger doubleGrants = new AtomicInteger();
        final Map<Integer, AtomicInteger> errors = new ConcurrentHashMap<>();
        /** The CPU split over the phase (set at its end). */
        String cpu = "";

        /** The slowest grant of each second of the phase, by when it started: shows stalls and when they came. */
        String slowestPerSecond(int seconds) {
            long[] max = new long[seconds + 1];
            synchronized (timeline) {
                for (long[] e : timeline) {
                    int second = (int) Math.min(seconds, e[0] / 1_000_000_000L);
                    max[second] = Math.max(max[second], e[1]);
                }
            }
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < seconds; i++) {
                b.append(i == 0 ? "" : " ").append(Math.round(ms(max[i])));
            }
            return b.toString();
        }

        String summary(int seconds) {
            return String.format("%d grants, %.0f/s, p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms, errors %s",
                    created.get(), created.get() / (double) seconds, ms(percentile(createLatencies, 50)),
                    ms(percentile(createLatencies, 90)), ms(percentile(createLatencies, 99)),
                    createLatencies.isEmpty() ? 0 : ms(Collections.max(createLatencies)), errors);
        }
    }

    /** One load phase; {@code rate} > 0: open loop at that many grants per second in all, else closed loop. */
    private static Result load(ServiceUnderTest service, String token, List<String> users, int clients, int seconds,
                               String tag, double rate) throws Exception {
        long period = rate > 0 ? (long) (clients * 1e9 / rate) : 0; // one client's interval between grants
        Result result = new Result();
        Map<Integer, Long> holders = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        CountDownLatch start = new CountDownLatch(1);
        long[] deadline = new long[2]; // the end of the phase, its start
        List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            futures.add(pool.submit(() -> {
                URI base = URI.create(service.base);
                RawHttpConnection http = new RawHttpConnection(base.getHost(), base.getPort(), "/api/v1/grants",
                        "Bearer " + token);
                String user = users.get(client % users.size());
                String body = "{\"unixUser\":\"" + user + "\",\"pool\":\"bench-vfs\",\"count\":1,"
                        + "\"memlockBytes\":1048576,\"durationSeconds\":3600}";
                start.await();
                long first = deadline[1] + (rate > 0 ? (long) (client * 1e9 / rate) : 0); // staggered
                for (int i = 0; System.nanoTime() < deadline[0]; i++) {
                    long due = first + i * period;
                    if (rate > 0) {
                        for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                            java.util.concurrent.locks.LockSupport.parkNanos(wait);
                        }
                        if (due >= deadline[0]) {
                            break;
                        }
                    }
                    long t = System.nanoTime();
                    RawHttpConnection.Answer a = http.exchange("POST", "/api/v1/grants",
                            "Idempotency-Key: " + tag + "-" + client + "-" + i, body);
                    long end = System.nanoTime();
                    String text = http.text(a);
                    long took = rate > 0 ? end - due : end - t;
                    Matcher state = STATE.matcher(text);
                    if (a.status() != 201 || !state.find() || !"ACTIVE".equals(state.group(1))) {
                        result.errors.computeIfAbsent(a.status(), k -> new AtomicInteger()).incrementAndGet();
                        if (result.errors.values().stream().mapToInt(AtomicInteger::get).sum() <= 3) {
                            System.err.println("grant refused: " + a.status() + " " + text);
                        }
                        continue;
                    }
                    result.createLatencies.add(took);
                    result.serviceTimes.add(end - t);
                    result.timeline.add(new long[] {(rate > 0 ? due : t) - deadline[1], took});
                    result.created.incrementAndGet();
                    Matcher id = ID.matcher(text);
                    id.find();
                    long grantId = Long.parseLong(id.group(1));
                    List<Integer> groups = new ArrayList<>();
                    Matcher g = GROUP.matcher(text);
                    while (g.find()) {
                        groups.add(Integer.parseInt(g.group(1)));
                    }
                    for (int group : groups) {
                        Long other = holders.putIfAbsent(group, grantId);
                        if (other != null) {
                            result.doubleGrants.incrementAndGet();
                            System.err.printf("DOUBLE GRANT: group %d to grant %d while grant %d holds it%n", group,
                                    grantId, other);
                        }
                    }
                    for (int group : groups) {
                        holders.remove(group, grantId); // given up before the revocation is sent
                    }
                    long rt = System.nanoTime();
                    RawHttpConnection.Answer rv = http.exchange("DELETE", "/api/v1/grants/" + grantId, null, null);
                    result.revokeLatencies.add(System.nanoTime() - rt);
                    if (rv.status() != 200) {
                        result.errors.computeIfAbsent(1000 + rv.status(), k -> new AtomicInteger()).incrementAndGet();
                        System.err.println("revoke failed: " + rv.status() + " " + http.text(rv));
                    }
                }
                http.close();
                return null;
            }));
        }
        long self = ProcessHandle.current().pid();
        long[] serviceBefore = ServiceUnderTest.userAndSystemTicks(service.process.pid());
        long[] clientBefore = ServiceUnderTest.userAndSystemTicks(self);
        deadline[1] = System.nanoTime();
        deadline[0] = deadline[1] + TimeUnit.SECONDS.toNanos(seconds);
        start.countDown();
        pool.shutdown();
        if (!pool.awaitTermination(seconds + 120L, TimeUnit.SECONDS)) {
            pool.shutdownNow();
            throw new IllegalStateException("the clients did not finish");
        }
        double took = (System.nanoTime() - deadline[1]) / 1e9;
        long[] serviceAfter = ServiceUnderTest.userAndSystemTicks(service.process.pid());
        long[] clientAfter = ServiceUnderTest.userAndSystemTicks(self);
        double hz = ServiceUnderTest.ticksPerSecond();
        double available = hz * took * Runtime.getRuntime().availableProcessors();
        long serviceTicks = serviceAfter[0] - serviceBefore[0] + serviceAfter[1] - serviceBefore[1];
        result.cpu = String.format("service %.0f %% user + %.0f %% system, load generator %.0f %% + %.0f %% of all"
                        + " cores; service CPU per grant and its revocation %.2f ms",
                100 * (serviceAfter[0] - serviceBefore[0]) / available, 100 * (serviceAfter[1] - serviceBefore[1]) / available,
                100 * (clientAfter[0] - clientBefore[0]) / available, 100 * (clientAfter[1] - clientBefore[1]) / available,
                result.created.get() == 0 ? 0 : 1000 * serviceTicks / hz / result.created.get());
        for (java.util.concurrent.Future<?> f : futures) {
            f.get(); // a client that failed (connection refused, malformed answer) fails the run
        }
        return result;
    }

    private static void checkActiveList(ServiceUnderTest service, String token) throws Exception {
        HttpResponse<String> r = service.client.send(HttpRequest.newBuilder(
                URI.create(service.base + "/api/v1/grants?state=ACTIVE&limit=1000"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        Map<Integer, Integer> count = new HashMap<>();
        Matcher g = GROUP.matcher(r.body());
        while (g.find()) {
            count.merge(Integer.parseInt(g.group(1)), 1, Integer::sum);
        }
        long twice = count.values().stream().filter(n -> n > 1).count();
        System.out.printf("GET /api/v1/grants?state=ACTIVE at the end: %d active group(s), %d held twice%n",
                count.size(), twice);
        if (twice > 0) {
            throw new IllegalStateException("a group is held by two ACTIVE grants: " + count);
        }
    }

    /**
     * Every grant item's hold interval [activated_at, released_at) per group, from the stopped service's H2
     * database: no two may overlap. A grant is activated only after its reservation, which the UNIQUE
     * constraint lets through only after the previous holder's release committed, so a later activation
     * never precedes an earlier release unless two grants really held the group at once.
     */
    private static int checkDatabase(Path data) throws Exception {
        Map<Integer, List<Timestamp[]>> byGroup = new TreeMap<>();
        int items = 0;
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + data.resolve("vfio-broker") + ";ACCESS_MODE_DATA=r", "sa", "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT i.iommu_group, g.activated_at, g.released_at FROM grant_item i "
                     + "JOIN device_grant g ON g.id = i.grant_id WHERE g.activated_at IS NOT NULL")) {
            while (rs.next()) {
                items++;
                byGroup.computeIfAbsent(rs.getInt(1), k -> new ArrayList<>())
                        .add(new Timestamp[] {rs.getTimestamp(2), rs.getTimestamp(3)});
            }
        }
        int overlaps = 0;
        for (Map.Entry<Integer, List<Timestamp[]>> e : byGroup.entrySet()) {
            List<Timestamp[]> holds = e.getValue();
            holds.sort((a, b) -> a[0].compareTo(b[0]));
            for (int i = 1; i < holds.size(); i++) {
                Timestamp previousEnd = holds.get(i - 1)[1];
                if (previousEnd == null || holds.get(i)[0].before(previousEnd)) {
                    overlaps++;
                    System.err.printf("OVERLAP in group %d: %s..%s and %s..%s%n", e.getKey(), holds.get(i - 1)[0],
                            previousEnd, holds.get(i)[0], holds.get(i)[1]);
                }
            }
        }
        System.out.printf("database check: %d activated grant items on %d groups, %d overlapping holds%n", items,
                byGroup.size(), overlaps);
        return overlaps;
    }

    /** {@code n} grantees: created with useradd when root, else existing users with uid >= 1000. */
    private static List<String> users(int n, List<String> created) throws Exception {
        if ("root".equals(System.getProperty("user.name"))) {
            for (int i = 0; i < n; i++) {
                String name = "vbbench" + i;
                exec(List.of("userdel", name)); // a leftover of an interrupted run
                if (exec(List.of("useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", "--key", "UID_MIN=1000",
                        name)) != 0) {
                    throw new IllegalStateException("useradd " + name + " failed");
                }
                created.add(name);
            }
            return List.copyOf(created);
        }
        List<String> existing = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
            String[] f = line.split(":");
            if (f.length > 2 && Integer.parseInt(f[2]) >= 1000 && Integer.parseInt(f[2]) < 65534) {
                existing.add(f[0]);
            }
        }
        if (existing.isEmpty()) {
            throw new IllegalStateException("no user with uid >= 1000; run as root to create test users");
        }
        return existing.subList(0, Math.min(n, existing.size()));
    }

    private static int exec(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor();
    }
}
