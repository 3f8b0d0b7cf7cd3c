package io.latchkey.policy;

import java.time.Instant;
import java.util.Optional;

/**
 * What readiness and operators see of the policy: which version serves, and whether the last change was refused.
 *
 * @param sha256 of the serving document, to tell versions apart
 * @param lastRejection why the most recent change was refused, while it stays refused
 */
public record PolicyStatus(
        String source,
        String name,
        String sha256,
        int routes,
        int credentials,
        Instant loadedAt,
        long reloadsApplied,
        long reloadsRejected,
        Optional<String> lastRejection,
        Optional<Instant> lastRejectedAt) {
}
