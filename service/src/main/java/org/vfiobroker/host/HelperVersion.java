package org.vfiobroker.host;

/** {@code build} is "production", "test" or "simulated". */
public record HelperVersion(String version, String build) {
}
