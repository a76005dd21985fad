package org.vfiobroker.grant;

import java.util.concurrent.locks.ReentrantLock;

/** Striped locks: one grant's host steps (activation, release, reconcile) and one user's drop-in never overlap. */
final class GrantLocks {

    private final ReentrantLock[] stripes = new ReentrantLock[128];

    GrantLocks() {
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    ReentrantLock of(long key) {
        return stripes[(int) Math.floorMod(key * 0x9E3779B97F4A7C15L >>> 32, (long) stripes.length)];
    }
}
