package org.vfiobroker.host;

/** {@code previousSoft}/{@code previousHard} are -1 for unlimited. */
public record ProcessMemlockResult(long pid, int uid, String comm, long bytes, long previousSoft, long previousHard) {
}
