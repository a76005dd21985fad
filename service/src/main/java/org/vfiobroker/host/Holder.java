package org.vfiobroker.host;

/** A process with a group's node open: what it locks (VmLck) and pins for DMA (VmPin), in bytes. */
public record Holder(long pid, int uid, String comm, long vmLckBytes, long vmPinBytes) {
}
