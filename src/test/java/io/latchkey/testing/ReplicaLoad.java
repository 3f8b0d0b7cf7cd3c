package io.latchkey.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Load on several replicas across token lifetimes: for each lifetime, time moves on by one lifetime (every token
 * expires, refreshes run), then every replica gets {@code perReplica} concurrent requests, each of which must
 * answer 200.
 */
public final class ReplicaLoad {

    private ReplicaLoad() {
    }

    /** @return how many requests were answered 200 */
    public static int run(List<ProxyHarness> replicas, ManualClock clock, Duration lifetime, int lifetimes,
            int perReplica, String path) throws Exception {
        int served = 0;
        for (int round = 0; round < lifetimes; round++) {
            if (round > 0) {
                clock.advance(lifetime);
            }
            List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
            for (ProxyHarness replica : replicas) {
                for (int n = 0; n < perReplica; n++) {
                    responses.add(replica.client().sendAsync(
                            HttpRequest.newBuilder(replica.uri(path)).timeout(Duration.ofSeconds(60)).build(),
                            HttpResponse.BodyHandlers.ofString()));
                }
            }
            CompletableFuture.allOf(responses.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            for (CompletableFuture<HttpResponse<String>> response : responses) {
                assertThat(response.get().statusCode()).as(response.get().body()).isEqualTo(200);
                served++;
            }
        }
        return served;
    }
}
