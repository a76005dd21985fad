package org.vfiobroker.host;

public record NumVfsResult(String address, int totalVfs, int previousNumVfs, int numVfs) {
}
