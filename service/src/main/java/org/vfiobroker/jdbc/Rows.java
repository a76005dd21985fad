package org.vfiobroker.jdbc;

import org.springframework.dao.OptimisticLockingFailureException;

/** What the stores ask of a write's row count. */
public final class Rows {

    private Rows() {
    }

    /**
     * A change (UPDATE or DELETE by id) of a row read earlier in the transaction must change that row: one gone
     * meanwhile was deleted by another transaction, and the change fails instead of reporting (and auditing) a
     * write that did not happen.
     */
    public static void changedOne(int rows, String table, long id) {
        if (rows != 1) {
            throw new OptimisticLockingFailureException(table + " row " + id + " was deleted by another transaction");
        }
    }
}
