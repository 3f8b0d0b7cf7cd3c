package io.latchkey.credential.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.SignedJWT;

import io.latchkey.policy.TemplateField;
import io.latchkey.secret.Resolution;
import io.latchkey.testing.LogCapture;
import io.vertx.core.Vertx;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import okhttp3.mockwebserver.RecordedRequest;

/** Each grant and client authentication against a real OAuth 2.0 server (mock-oauth2-server on loopback). */
@ExtendWith(LogCapture.class)
class GrantsTest {

    static final String SECRET = "grants-client-secret-8e1d";
    /** Signed assertions the tests saw on the wire; none may appear in a log. */
    static final java.util.List<String> assertions = new java.util.concurrent.CopyOnWriteArrayList<>();
    static Vertx vertx;
    static MockOAuth2Server server;
    static KeyPair clientKey;
    OAuthFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        server = new MockOAuth2Server();
        server.start();
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        clientKey = generator.generateKeyPair();
    }

    @AfterAll
    static void stop() {
        server.shutdown();
        vertx.close();
        LogCapture.assertNoneContain(SECRET, pem().replace("\n", "").substring(40, 80));
        assertThat(assertions).isNotEmpty();
        LogCapture.assertNoneContain(assertions.stream().map(a -> a.substring(a.lastIndexOf('.') + 1))
                .toArray(String[]::new));
    }

    @BeforeEach
    void open() {
        fixture = new OAuthFixture(vertx);
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    static String pem() {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(clientKey.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    String tokenUrl() {
        return server.tokenEndpointUrl("latchkey").toString();
    }

    static SignedJWT tokenOf(OAuth2Credential credential) throws Exception {
        var ready = credential.whenReady();
        if (ready != null) {
            ready.toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        Resolution resolution = credential.resolve(TemplateField.VALUE);
        assertThat(resolution).as(credential.status().toString()).isInstanceOf(Resolution.Available.class);
        return SignedJWT.parse(((Resolution.Available) resolution).value().reveal());
    }

    /** The most recent request the server received; earlier ones (other tests') are drained. */
    static RecordedRequest lastRequest() {
        RecordedRequest last = null;
        while (true) {
            try {
                last = server.takeRequest(200, TimeUnit.MILLISECONDS);
            } catch (RuntimeException drained) {
                return last;
            }
        }
    }

    static Map<String, String> form(RecordedRequest request) {
        Map<String, String> values = new java.util.HashMap<>();
        for (String pair : request.getBody().readString(StandardCharsets.UTF_8).split("&")) {
            String[] parts = pair.split("=", 2);
            values.put(java.net.URLDecoder.decode(parts[0], StandardCharsets.UTF_8),
                    java.net.URLDecoder.decode(parts[1], StandardCharsets.UTF_8));
        }
        return values;
    }

    @Test
    void clientCredentialsWithClientSecretBasic() throws Exception {
        OAuth2Credential credential = fixture.open("""
                grant: client_credentials
                tokenUrl: %s
                clientId: literal:latchkey-client
                clientSecret: env:SECRET
                scopes: [read, write]
                audience: api://partner
                resource: https://partner.example/
                parameters: {tenant: acme}
                """.formatted(tokenUrl()), Map.of("SECRET", SECRET));
        SignedJWT token = tokenOf(credential);
        assertThat(token.getJWTClaimsSet().getSubject()).isEqualTo("latchkey-client");
        RecordedRequest request = lastRequest();
        assertThat(request.getHeader("Authorization")).isEqualTo("Basic "
                + Base64.getEncoder().encodeToString(("latchkey-client:" + SECRET).getBytes(StandardCharsets.UTF_8)));
        assertThat(form(request)).containsEntry("grant_type", "client_credentials").containsEntry("scope", "read write")
                .containsEntry("audience", "api://partner").containsEntry("resource", "https://partner.example/")
                .containsEntry("tenant", "acme").doesNotContainKey("client_secret");
        assertThat(credential.status().expiresAt()).isPresent();
    }

    @Test
    void clientCredentialsWithClientSecretPostAndCustomScopeSeparator() throws Exception {
        OAuth2Credential credential = fixture.open("""
                grant: client_credentials
                tokenUrl: %s
                clientAuth: client_secret_post
                clientId: literal:latchkey-client
                clientSecret: env:SECRET
                scopes: [chat:write, channels:read]
                scopeSeparator: ","
                """.formatted(tokenUrl()), Map.of("SECRET", SECRET));
        tokenOf(credential);
        RecordedRequest request = lastRequest();
        assertThat(request.getHeader("Authorization")).isNull();
        assertThat(form(request)).containsEntry("client_id", "latchkey-client").containsEntry("client_secret", SECRET)
                .containsEntry("scope", "chat:write,channels:read");
    }

    @Test
    void privateKeyJwtClientAuthentication() throws Exception {
        OAuth2Credential credential = fixture.open("""
                grant: client_credentials
                tokenUrl: %s
                clientAuth: private_key_jwt
                clientId: literal:latchkey-client
                privateKey: env:KEY
                keyId: key-1
                """.formatted(tokenUrl()), Map.of("KEY", pem()));
        tokenOf(credential);
        Map<String, String> form = form(lastRequest());
        assertThat(form).containsEntry("client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
        assertions.add(form.get("client_assertion"));
        SignedJWT assertion = SignedJWT.parse(form.get("client_assertion"));
        assertThat(assertion.verify(new RSASSAVerifier((RSAPublicKey) clientKey.getPublic()))).isTrue();
        assertThat(assertion.getHeader().getKeyID()).isEqualTo("key-1");
        assertThat(assertion.getJWTClaimsSet().getIssuer()).isEqualTo("latchkey-client");
        assertThat(assertion.getJWTClaimsSet().getSubject()).isEqualTo("latchkey-client");
        assertThat(assertion.getJWTClaimsSet().getAudience()).containsExactly(tokenUrl());
    }

    @Test
    void privateKeyJwtWithAnEcKeySignsEs256() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        KeyPair ec = generator.generateKeyPair();
        String ecPem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(ec.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        OAuth2Credential credential = fixture.open("""
                grant: client_credentials
                tokenUrl: %s
                clientAuth: private_key_jwt
                clientId: literal:latchkey-client
                privateKey: env:KEY
                """.formatted(tokenUrl()), Map.of("KEY", ecPem));
        tokenOf(credential);
        String jwt = form(lastRequest()).get("client_assertion");
        assertions.add(jwt);
        SignedJWT assertion = SignedJWT.parse(jwt);
        assertThat(assertion.getHeader().getAlgorithm().getName()).isEqualTo("ES256");
        assertThat(assertion.verify(new com.nimbusds.jose.crypto.ECDSAVerifier(
                (java.security.interfaces.ECPublicKey) ec.getPublic()))).isTrue();
    }

    @Test
    void refreshTokenGrant() throws Exception {
        OAuth2Credential credential = fixture.open("""
                grant: refresh_token
                tokenUrl: %s
                clientId: literal:latchkey-client
                clientSecret: env:SECRET
                refreshToken: literal:stored-refresh-token
                """.formatted(tokenUrl()), Map.of("SECRET", SECRET));
        tokenOf(credential);
        assertThat(form(lastRequest())).containsEntry("grant_type", "refresh_token")
                .containsEntry("refresh_token", "stored-refresh-token");
    }

    @Test
    void jwtBearerGrantInTheGoogleServiceAccountShape() throws Exception {
        OAuth2Credential credential = fixture.open("""
                grant: jwt_bearer
                tokenUrl: %s
                clientAuth: none
                privateKey: env:KEY
                assertion:
                  issuer: latchkey@project.iam.gserviceaccount.com
                  subject: user@example.com
                scopes: [https://www.googleapis.com/auth/gmail.readonly]
                """.formatted(tokenUrl()), Map.of("KEY", pem()));
        SignedJWT token = tokenOf(credential);
        assertThat(token.getJWTClaimsSet().getSubject()).isEqualTo("user@example.com");
        Map<String, String> form = form(lastRequest());
        assertThat(form).containsEntry("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer");
        assertions.add(form.get("assertion"));
        SignedJWT assertion = SignedJWT.parse(form.get("assertion"));
        assertThat(assertion.verify(new RSASSAVerifier((RSAPublicKey) clientKey.getPublic()))).isTrue();
        assertThat(assertion.getJWTClaimsSet().getIssuer()).isEqualTo("latchkey@project.iam.gserviceaccount.com");
        assertThat(assertion.getJWTClaimsSet().getAudience()).containsExactly(tokenUrl());
        assertThat(assertion.getJWTClaimsSet().getStringClaim("scope"))
                .isEqualTo("https://www.googleapis.com/auth/gmail.readonly");
    }

    @Test
    void tokenExchangeGrant() throws Exception {
        String subjectToken = server.issueToken("latchkey", "original-subject").serialize();
        OAuth2Credential credential = fixture.open("""
                grant: token_exchange
                tokenUrl: %s
                clientId: literal:latchkey-client
                clientSecret: env:SECRET
                subjectToken: env:SUBJECT
                audience: downstream-api
                """.formatted(tokenUrl()), Map.of("SECRET", SECRET, "SUBJECT", subjectToken));
        SignedJWT token = tokenOf(credential);
        assertThat(token.getJWTClaimsSet().getAudience()).contains("downstream-api");
        assertThat(form(lastRequest())).containsEntry("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange")
                .containsEntry("subject_token", subjectToken)
                .containsEntry("subject_token_type", "urn:ietf:params:oauth:token-type:access_token");
    }
}
