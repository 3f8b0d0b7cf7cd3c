package io.latchkey.health;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import io.latchkey.credential.oauth.TokenRequestObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Token requests by credential and outcome: {@code latchkey_token_requests_total} and the latency histogram
 * {@code latchkey_token_request_seconds}. Labels are the credential's name and a fixed outcome set, never a value.
 */
@ApplicationScoped
public class TokenMetrics implements TokenRequestObserver {

    private final MeterRegistry registry;

    public TokenMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void tokenRequest(String credential, String outcome, Duration latency) {
        Counter.builder("latchkey.token.requests").description("Requests to token endpoints")
                .tag("credential", credential).tag("outcome", outcome).register(registry).increment();
        Timer.builder("latchkey.token.request").description("Latency of token endpoint requests")
                .tag("credential", credential).tag("outcome", outcome).publishPercentileHistogram()
                .register(registry).record(latency);
    }
}
