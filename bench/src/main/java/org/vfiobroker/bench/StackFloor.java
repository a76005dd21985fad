package org.vfiobroker.bench;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A floor server ({@link StackFloorApp}, {@link BareTomcatFloor}) as a subprocess, started like the service: its
 * JVM options from {@code deploy/default.env} or {@code -Dbench.jvm}, its {@code MALLOC_ARENA_MAX}, the extra
 * arguments of {@code -Dbench.service.args}. Closing it stops exactly the process it started.
 */
final class StackFloor implements AutoCloseable {

    final Process process;
    final String authorization;
    final int port;
    private final Path log;

    private StackFloor(Process process, String authorization, int port, Path log) {
        this.process = process;
        this.authorization = authorization;
        this.port = port;
        this.log = log;
    }

    /** {@link StackFloorApp}: the fixed stack with no application work. */
    static StackFloor spring(byte[] page, String path, Path work) throws Exception {
        return start(page, path, work, StackFloorApp.class, "Spring Boot, Spring MVC, Spring Security on Tomcat, one "
                + "controller answering the page's bytes");
    }

    /** {@link BareTomcatFloor}: the server alone, one servlet. */
    static StackFloor bareTomcat(byte[] page, String path, Path work) throws Exception {
        return start(page, path, work, BareTomcatFloor.class, "embedded Tomcat, one servlet answering the page's bytes, "
                + "no Spring");
    }

    private static StackFloor start(byte[] page, String path, Path work, Class<?> app, String what)
            throws Exception {
        Path pageFile = work.resolve("stack-floor-page.json");
        Files.write(pageFile, page);
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        String token = HexFormat.of().formatHex(random);
        int port = ServiceUnderTest.freePort();
        Path log = work.resolve(app.getSimpleName() + ".log");
        List<String> command = new ArrayList<>();
        command.add("java");
        command.addAll(ServiceUnderTest.jvmOptions());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), app.getName(),
                pageFile.toString(), token, "--server.port=" + port,
                "--server.address=" + ServiceUnderTest.LOOPBACK.getHostAddress()));
        command.addAll(ServiceUnderTest.serviceArgs());
        StackFloor floor = new StackFloor(ServiceUnderTest.launcher(command, log).start(), "Bearer " + token, port, log);
        try {
            floor.waitUntilServing(page, path);
        } catch (Exception e) {
            floor.close();
            throw e;
        }
        System.out.printf("%s pid %d (%s; the service's JVM options and Tomcat settings)%n", app.getSimpleName(),
                floor.process.pid(), what);
        return floor;
    }

    /** Until it answers the page, byte for byte, to the token (and 401 without it). */
    private void waitUntilServing(byte[] page, String path) throws Exception {
        URI uri = URI.create(ServiceUnderTest.baseUrl(port) + path);
        var client = java.net.http.HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(log.getFileName() + ": the floor exited:\n" + Files.readString(log));
            }
            try {
                HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(uri).header("Authorization", authorization)
                        .build(), HttpResponse.BodyHandlers.ofByteArray());
                if (r.statusCode() != 200 || !Arrays.equals(r.body(), page)) {
                    throw new IllegalStateException("the stack floor answered " + r.statusCode() + " with "
                            + r.body().length + " bytes, not the page");
                }
                int anonymous = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode();
                if (anonymous != 401 && anonymous != 403) {
                    throw new IllegalStateException("the stack floor answered " + anonymous + " without a token");
                }
                return;
            } catch (java.io.IOException notYet) {
                Thread.sleep(250);
            }
        }
        throw new IllegalStateException(log.getFileName() + ": the floor did not answer within 120 s; its log:\n"
                + Files.readString(log));
    }

    @Override
    public void close() throws InterruptedException {
        ServiceUnderTest.stop(process);
    }
}
