package org.vfiobroker.inventory.web;

import java.util.List;

/**
 * Quota usage for the overview, from the feature that hands groups out (the grant feature provides it):
 * per policy, what its holding grants use of it. Without one the overview shows no quota section.
 */
public interface QuotaOverview {

    List<Line> lines();

    /**
     * @param pool            the pool's name
     * @param subjectKind     {@code USER} or {@code GROUP}
     * @param subject         the Unix user or group
     * @param groups          groups held under the policy
     * @param maxGroups       the policy's limit
     * @param memlockBytes    locked memory granted under the policy
     * @param maxMemlockBytes the policy's limit
     */
    record Line(String pool, String subjectKind, String subject, int groups, int maxGroups, long memlockBytes,
                long maxMemlockBytes) {
    }
}
