package org.vfiobroker.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * The command channel to the QEMU guest: a bash script written to {@code <results>/inbox/<n>.sh} on the
 * writable 9p share (atomically, by rename); {@code guest/rest.sh} runs it as root of the GUEST in a
 * shell that has {@code guest/lib.sh}'s functions and guards, and answers with {@code <n>.out} and
 * {@code <n>.rc}. Only for what the API cannot do: start the unprivileged probe, read /proc, sysfs,
 * /dev/vfio, lspci, restart the service.
 */
final class Guest {

    record Result(int rc, String out) {
        String line() {
            String t = out.strip();
            int i = t.lastIndexOf('\n');
            return i < 0 ? t : t.substring(i + 1);
        }
    }

    private final Path inbox;
    private final long qemuPid;
    private int seq;

    Guest(Path results, long qemuPid) {
        this.inbox = results.resolve("inbox");
        this.qemuPid = qemuPid;
    }

    boolean qemuAlive() {
        return qemuPid <= 0 || Files.exists(Path.of("/proc/" + qemuPid));
    }

    Result run(String script) throws IOException, InterruptedException {
        return run(script, Duration.ofSeconds(120));
    }

    Result run(String script, Duration timeout) throws IOException, InterruptedException {
        int n = ++seq;
        String name = String.format("%04d", n);
        Path tmp = inbox.resolve(name + ".tmp");
        Files.writeString(tmp, script + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, inbox.resolve(name + ".sh"), StandardCopyOption.ATOMIC_MOVE);
        Path rc = inbox.resolve(name + ".rc");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(rc)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("guest command " + name + " did not finish within " + timeout);
            }
            if (!qemuAlive()) {
                throw new IllegalStateException("the guest is gone (QEMU exited) during command " + name);
            }
            Thread.sleep(100);
        }
        String out = Files.readString(inbox.resolve(name + ".out"), StandardCharsets.UTF_8);
        return new Result(Integer.parseInt(Files.readString(rc).strip()), out);
    }

    /** Runs a script that must succeed; returns its output. */
    String ok(String script) throws IOException, InterruptedException {
        Result r = run(script);
        if (r.rc() != 0) {
            throw new AssertionError("guest command failed (exit " + r.rc() + "): " + r.line());
        }
        return r.out().strip();
    }
}
