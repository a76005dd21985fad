package org.vfiobroker.policy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * NSS through {@code getent} (passwd, initgroups, group), run directly (no shell) with a checked name, so
 * LDAP or sssd users resolve like local ones. Answers are cached for {@code ttl}.
 */
public class GetentUnixUsers implements UnixUsers {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final String getent;
    private final Duration ttl;
    private final Clock clock;
    private final Map<String, Cached<UnixUser>> users = new ConcurrentHashMap<>();
    private final Map<String, Cached<Long>> groups = new ConcurrentHashMap<>();

    private record Cached<T>(Instant at, Optional<T> value) {
    }

    public GetentUnixUsers(String getent, Duration ttl, Clock clock) {
        this.getent = getent;
        this.ttl = ttl;
        this.clock = clock;
    }

    @Override
    public Optional<UnixUser> user(String name) {
        UnixNames.check("unixUser", name);
        return cached(users, name, () -> lookUpUser(name));
    }

    @Override
    public Optional<Long> group(String name) {
        UnixNames.check("unixGroup", name);
        return cached(groups, name, () -> {
            List<String> out = run("group", name);
            if (out.isEmpty()) {
                return Optional.empty();
            }
            String[] f = out.get(0).split(":", -1);
            return f.length >= 3 ? Optional.of(Long.parseLong(f[2])) : Optional.empty();
        });
    }

    private Optional<UnixUser> lookUpUser(String name) {
        List<String> passwd = run("passwd", name);
        if (passwd.isEmpty()) {
            return Optional.empty();
        }
        String[] f = passwd.get(0).split(":", -1);
        if (f.length < 4 || !f[0].equals(name)) {
            return Optional.empty();
        }
        long uid = Long.parseLong(f[2]);
        long gid = Long.parseLong(f[3]);
        Set<Long> ids = new HashSet<>();
        ids.add(gid);
        for (String line : run("initgroups", name)) {
            String[] words = line.trim().split("\\s+");
            for (int i = 1; i < words.length; i++) {
                ids.add(Long.parseLong(words[i]));
            }
        }
        return Optional.of(new UnixUser(name, uid, gid, ids));
    }

    private <T> Optional<T> cached(Map<String, Cached<T>> cache, String key, java.util.function.Supplier<Optional<T>> load) {
        Instant now = clock.instant();
        Cached<T> c = cache.get(key);
        if (c != null && c.at().plus(ttl).isAfter(now)) {
            return c.value();
        }
        Optional<T> value = load.get();
        cache.put(key, new Cached<>(now, value));
        return value;
    }

    /** {@code getent <database> <name>}; exit 2 means "not found" and gives no lines. */
    private List<String> run(String database, String name) {
        ProcessBuilder pb = new ProcessBuilder(getent, database, name).redirectErrorStream(false);
        pb.environment().clear();
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readNBytes(64 * 1024);
            }
            if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("getent " + database + " " + name + " did not answer within " + TIMEOUT);
            }
            int exit = p.exitValue();
            if (exit == 2) {
                return List.of();
            }
            if (exit != 0) {
                throw new IllegalStateException("getent " + database + " " + name + " exited with " + exit);
            }
            return new String(out, StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + getent + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running getent", e);
        }
    }
}
