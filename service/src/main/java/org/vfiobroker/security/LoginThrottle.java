package org.vfiobroker.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Throttles failed logins, in memory (a restart forgets; several instances throttle separately).
 *
 * <p>Failures are counted per account name and per client address within a sliding window. When a key
 * reaches its limit it is locked for {@code firstLock}; each further failure within the window, once the
 * lock has passed, doubles the lock up to {@code maxLock}. While locked, attempts are refused before the
 * password is checked, and they do not count. A successful login clears its account name's failures (not
 * its address's: one good account must not reset a guessing address).
 */
@Component
class LoginThrottle {

    /** A key just locked, for the audit log. */
    record Lock(String key, int failures, Duration duration) {
    }

    private final SecurityProperties.Throttle settings;
    private final Clock clock;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    LoginThrottle(SecurityProperties properties, Clock clock) {
        this.settings = properties.throttle();
        this.clock = clock;
    }

    /** How long the caller must still wait, if the account name or the address is locked now. */
    Optional<Duration> blocked(String username, String address) {
        Instant now = clock.instant();
        Duration wait = Duration.ZERO;
        for (String key : keys(username, address)) {
            Entry e = entries.get(key);
            Instant until = e == null ? null : e.lockedUntil; // one volatile read: no lock on every request
            if (until != null && now.isBefore(until)) {
                Duration left = Duration.between(now, until);
                wait = left.compareTo(wait) > 0 ? left : wait;
            }
        }
        return wait.isZero() ? Optional.empty() : Optional.of(wait);
    }

    /** Records a failed login; returns the keys it locked. */
    List<Lock> failed(String username, String address) {
        Instant now = clock.instant();
        List<Lock> locks = new ArrayList<>(2);
        for (String key : keys(username, address)) {
            int limit = key.startsWith("account:") ? settings.maxFailuresPerUsername() : settings.maxFailuresPerAddress();
            Entry e = entries.computeIfAbsent(key, k -> new Entry());
            synchronized (e) {
                e.prune(now.minus(settings.window()));
                e.failures.addLast(now);
                int over = e.failures.size() - limit;
                if (over >= 0) {
                    Duration lock = settings.firstLock().multipliedBy(1L << Math.min(over, 20));
                    if (lock.compareTo(settings.maxLock()) > 0) {
                        lock = settings.maxLock();
                    }
                    e.lockedUntil = now.plus(lock);
                    locks.add(new Lock(key, e.failures.size(), lock));
                }
            }
        }
        return locks;
    }

    /** A successful login clears the account name's failures. */
    void succeeded(String username) {
        if (username != null) {
            entries.remove(accountKey(username));
        }
    }

    /** Forgets entries whose failures and lock have all passed, so memory stays bounded. */
    @Scheduled(fixedDelay = 60_000)
    void forgetOld() {
        Instant now = clock.instant();
        Instant horizon = now.minus(settings.window());
        entries.entrySet().removeIf(en -> {
            Entry e = en.getValue();
            synchronized (e) {
                e.prune(horizon);
                return e.failures.isEmpty() && (e.lockedUntil == null || !now.isBefore(e.lockedUntil));
            }
        });
    }

    int trackedKeys() {
        return entries.size();
    }

    private static List<String> keys(String username, String address) {
        List<String> keys = new ArrayList<>(2);
        if (username != null && !username.isEmpty()) {
            keys.add(accountKey(username));
        }
        if (address != null && !address.isEmpty()) {
            keys.add("address:" + address);
        }
        return keys;
    }

    private static String accountKey(String username) {
        String name = username.length() > 64 ? username.substring(0, 64) : username;
        return "account:" + name.toLowerCase(Locale.ROOT);
    }

    /** Failures are read and written under the entry's monitor; {@code lockedUntil} is written under it too. */
    private static final class Entry {
        final Deque<Instant> failures = new ArrayDeque<>();
        volatile Instant lockedUntil;

        void prune(Instant horizon) {
            while (!failures.isEmpty() && failures.peekFirst().isBefore(horizon)) {
                failures.removeFirst();
            }
        }
    }
}
