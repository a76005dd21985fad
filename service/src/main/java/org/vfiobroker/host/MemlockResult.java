package org.vfiobroker.host;

/** A user's pam_limits drop-in: written ({@code bytes}) or removed ({@code removed} tells if it existed). */
public record MemlockResult(String user, int uid, long bytes, boolean removed) {
}
