package io.latchkey.proxy;

import java.time.Duration;
import java.time.InstantSource;

import io.latchkey.audit.AuditEvent;
import io.latchkey.audit.AuditTrail;
import io.latchkey.credential.oauth.TokenRequestObserver;

/** Passes token events on (to the metrics) and writes each to the audit trail. */
final class AuditingTokenObserver implements TokenRequestObserver {

    private final TokenRequestObserver next;
    private final AuditTrail audit;
    private final InstantSource clock;

    AuditingTokenObserver(TokenRequestObserver next, AuditTrail audit, InstantSource clock) {
        this.next = next;
        this.audit = audit;
        this.clock = clock;
    }

    @Override
    public void tokenRequest(String credential, String outcome, Duration latency) {
        next.tokenRequest(credential, outcome, latency);
        audit.record(AuditEvent.credential(clock.instant(), credential,
                outcome.equals("success") ? "token_refreshed" : "token_refresh_failed",
                "outcome " + outcome + ", " + latency.toMillis() + " ms"));
    }

    @Override
    public void refreshTokenRotated(String credential, boolean stored) {
        next.refreshTokenRotated(credential, stored);
        audit.record(AuditEvent.credential(clock.instant(), credential, "refresh_token_rotated",
                stored ? "written back to its store" : "kept in memory only"));
    }
}
