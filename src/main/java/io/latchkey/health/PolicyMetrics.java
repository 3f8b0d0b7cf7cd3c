package io.latchkey.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.latchkey.policy.PolicyState;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;

/** Policy reload counters, by outcome: {@code latchkey_policy_reloads_total{outcome="applied|rejected"}}. */
@ApplicationScoped
public class PolicyMetrics {

    void register(@Observes StartupEvent event, MeterRegistry registry, PolicyState state) {
        FunctionCounter.builder("latchkey.policy.reloads", state, PolicyState::reloadsApplied)
                .tag("outcome", "applied").description("Policy file changes applied").register(registry);
        FunctionCounter.builder("latchkey.policy.reloads", state, PolicyState::reloadsRejected)
                .tag("outcome", "rejected").description("Policy file changes refused").register(registry);
    }
}
