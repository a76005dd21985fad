package org.vfiobroker.bench;

import java.io.IOException;
import java.net.InetAddress;
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
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vfiobroker.fixture.SysfsFixture;

/**
 * The real service jar as a subprocess with the simulated host on a fixture tree, started with the JVM options
 * of {@code deploy/default.env} (the systemd unit's), so that the benchmark measures what is deployed. Closing
 * it stops exactly the process it started.
 */
final class ServiceUnderTest implements AutoCloseable {

    static final String PASSWORD = "bench-admin-password";

    final Process process;
    final String base;
    final String basic;
    final List<String> jvmOptions;
    final Path dataDir;
    final Path log;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private ServiceUnderTest(Process process, String base, List<String> jvmOptions, Path dataDir, Path log) {
        this.process = process;
        this.base = base;
        this.basic = "Basic " + Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        this.jvmOptions = jvmOptions;
        this.dataDir = dataDir;
        this.log = log;
    }

    static ServiceUnderTest start(Path jar, SysfsFixture host, Path work, String... extraArgs) throws Exception {
        int port = freePort();
        Path log = work.resolve("service.log");
        List<String> jvm = jvmOptions();
        List<String> command = new ArrayList<>();
        command.add("java");
        command.addAll(jvm);
        String extra = System.getProperty("bench.jvm.extra", "");
        if (extra.isBlank()) {
            extra = System.getenv().getOrDefault("BENCH_JVM_EXTRA", "");
        }
        if (!extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+"))); // e.g. -XX:StartFlightRecording=filename=/tmp/x.jfr
        }
        command.addAll(List.of("-jar", jar.toString(),
                "--server.port=" + port,
                "--vfio-broker.host=simulated",
                "--vfio-broker.data-dir=" + work.resolve("data"),
                "--vfio-broker.sysfs-root=" + host.sysfs(),
                "--vfio-broker.procfs-root=" + host.procfs(),
                "--vfio-broker.devfs-root=" + host.devfs(),
                "--vfio-broker.security.initial-admin-password=" + PASSWORD));
        command.addAll(List.of(extraArgs));
        command.addAll(serviceArgs());
        ProcessBuilder builder = launcher(command, log);
        Process p = builder.start();
        ServiceUnderTest s = new ServiceUnderTest(p, baseUrl(port), jvm, work.resolve("data"), log);
        try {
            s.waitUntilUp();
        } catch (Exception e) {
            s.close();
            throw e;
        }
        System.out.printf("service pid %d, JVM options %s (%s), MALLOC_ARENA_MAX=%s%n", p.pid(), jvm,
                System.getProperty("bench.jvm", "").isBlank() ? "from deploy/default.env" : "from -Dbench.jvm",
                builder.environment().getOrDefault("MALLOC_ARENA_MAX", "unset"));
        return s;
    }

    /** The loopback address every server under test listens on and every client connects to. */
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    /** {@code http://<loopback>:<port>}. */
    static String baseUrl(int port) {
        String host = LOOPBACK.getHostAddress();
        return "http://" + (LOOPBACK instanceof java.net.Inet6Address ? "[" + host + "]" : host) + ":" + port;
    }

    /** The extra Spring arguments of {@code -Dbench.service.args}, e.g. {@code --server.tomcat.threads.max=32}. */
    static List<String> serviceArgs() {
        String args = System.getProperty("bench.service.args", "");
        return args.isBlank() ? List.of() : List.of(args.trim().split("\\s+"));
    }

    /**
     * A process builder for a server under test: output to {@code log}, and deploy/default.env's
     * {@code MALLOC_ARENA_MAX} unless the environment sets it (as the systemd unit's EnvironmentFile does).
     */
    static ProcessBuilder launcher(List<String> command, Path log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        String arenas = defaultEnv("MALLOC_ARENA_MAX");
        if (arenas != null && !System.getenv().containsKey("MALLOC_ARENA_MAX")) {
            builder.environment().put("MALLOC_ARENA_MAX", arenas);
        }
        return builder;
    }

    /** JAVA_OPTS of deploy/default.env; {@code -Dbench.jvm=...} overrides (space-separated). */
    static List<String> jvmOptions() throws IOException {
        String override = System.getProperty("bench.jvm");
        if (override != null && !override.isBlank()) {
            return List.of(override.trim().split("\\s+"));
        }
        Path env = Path.of("deploy/default.env");
        if (Files.isReadable(env)) {
            Matcher m = Pattern.compile("(?m)^JAVA_OPTS=\"([^\"]*)\"").matcher(Files.readString(env));
            if (m.find()) {
                return List.of(m.group(1).trim().split("\\s+"));
            }
        }
        return List.of();
    }

    /** A plain {@code NAME=value} line of deploy/default.env, or null. */
    static String defaultEnv(String name) throws IOException {
        Path env = Path.of("deploy/default.env");
        if (!Files.isReadable(env)) {
            return null;
        }
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "=\"?([^\"\n]*)\"?$").matcher(Files.readString(env));
        return m.find() ? m.group(1).trim() : null;
    }

    private void waitUntilUp() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
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

    /** POSTs JSON as the administrator (basic auth); returns the response, failing unless 2xx. */
    HttpResponse<String> adminPost(String path, String json) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", basic).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException("POST " + path + " " + json + ": " + r.statusCode() + " " + r.body());
        }
        return r;
    }

    /** A bearer token of the administrator, with the given scope ({@code null}: the admin's own). */
    String createToken(String scope) throws Exception {
        String body = "{\"name\":\"bench\",\"expiresInDays\":1" + (scope == null ? "" : ",\"scope\":\"" + scope + "\"") + "}";
        HttpResponse<String> r = adminPost("/api/v1/tokens", body);
        Matcher m = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"").matcher(r.body());
        if (!m.find()) {
            throw new IllegalStateException("token creation failed: " + r.statusCode() + " " + r.body());
        }
        return m.group(1);
    }

    String memory() throws IOException {
        String status = Files.readString(Path.of("/proc/" + process.pid() + "/status"));
        return "VmRSS " + field(status, "VmRSS") + ", VmHWM " + field(status, "VmHWM");
    }

    @Override
    public void close() throws InterruptedException {
        stop(process);
        try { // kept for a look after the run, as the work directory is deleted
            Files.copy(log, Path.of(System.getProperty("java.io.tmpdir"), "vfio-broker-bench-service.log"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            System.err.println("could not keep the service log: " + e);
        }
    }

    /** Stops exactly this process: TERM, and KILL if it has not ended within 30 s. */
    static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    /**
     * User + system CPU time of a process so far, in clock ticks ({@code /proc/<pid>/stat} fields 14 and 15; the
     * command name in parentheses may hold spaces, so fields are counted after its closing parenthesis).
     */
    /** User and system CPU time of a process so far, in clock ticks: {utime, stime}. */
    static long[] userAndSystemTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])}; // fields 14, 15 counting pid and comm
    }

    /** USER_HZ: 100 on every Linux architecture this runs on (the kernel exports it fixed to user space). */
    static double ticksPerSecond() {
        return 100.0;
    }

    static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, LOOPBACK)) {
            return s.getLocalPort();
        }
    }

    static String field(String status, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + ":\\s*(.+)$").matcher(status);
        return m.find() ? m.group(1).trim() : "?";
    }

    static long percentile(List<Long> values, int p) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }

    /**
     * A fresh directory for the simulated host's tree: in {@code -Dbench.hostdir} when given, else in
     * {@code /dev/shm} when it is a writable directory, else in the temporary directory. A real host's
     * {@code /sys} and {@code /dev} are in-memory file systems; on ext4 the simulated host's churn of nodes, links
     * and drop-ins (new inodes on every grant) cost ~20 % of the service's CPU in the kernel's inode allocator.
     * The service's database stays in the work directory (the temporary directory, on disk), as deployed.
     */
    static Path hostDirectory(String prefix) throws IOException {
        String given = System.getProperty("bench.hostdir", "");
        Path base = !given.isBlank() ? Path.of(given)
                : Files.isDirectory(SHM) && Files.isWritable(SHM) ? SHM : Path.of(System.getProperty("java.io.tmpdir"));
        Path dir = Files.createTempDirectory(base, prefix);
        System.out.printf("simulated host tree in %s (%s)%n", dir, Files.getFileStore(dir).type());
        return dir;
    }

    private static final Path SHM = Path.of("/dev/shm");

    static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            paths.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
