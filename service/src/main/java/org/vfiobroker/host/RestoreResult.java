package org.vfiobroker.host;

/** {@code action}: probed, bound-to-named-driver or cleared-override. Drivers are null when none. */
public record RestoreResult(String address, String previousDriver, String action, String driver) {
}
