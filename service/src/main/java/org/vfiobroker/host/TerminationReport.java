package org.vfiobroker.host;

import java.util.List;

/** Outcomes: terminated, killed, gone, survived, skipped-uid-below-minimum. */
public record TerminationReport(int group, List<Outcome> holders, boolean allGone) {

    public TerminationReport {
        holders = List.copyOf(holders);
    }

    public record Outcome(long pid, int uid, String comm, String outcome) {
    }
}
