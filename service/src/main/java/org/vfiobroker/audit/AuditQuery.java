package org.vfiobroker.audit;

import java.time.Instant;

/**
 * Filters of an audit query; {@code null} members do not filter.
 *
 * @param action exact action, or a prefix when it ends with a dot ({@code account.})
 * @param from   at or after
 * @param to     before
 */
public record AuditQuery(String actor, String action, String target, AuditEvent.Outcome outcome, Instant from,
                         Instant to) {
}
