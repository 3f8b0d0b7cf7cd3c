package io.latchkey.credential.oauth;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import io.latchkey.testing.ScriptedTokenEndpoint;
import io.vertx.core.Vertx;

/** A fresh scripted token endpoint and credential fixture for each test, on one Vert.x per class. */
abstract class ScriptedEndpointTestBase {

    static Vertx vertx;
    ScriptedTokenEndpoint endpoint;
    OAuthFixture fixture;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() {
        vertx.close();
    }

    @BeforeEach
    void startEndpoint() {
        endpoint = new ScriptedTokenEndpoint(vertx);
        fixture = new OAuthFixture(vertx);
    }

    @AfterEach
    void stopEndpoint() {
        fixture.close();
        endpoint.close();
    }
}
