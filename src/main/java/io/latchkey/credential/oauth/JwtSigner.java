package io.latchkey.credential.oauth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Optional;

import io.latchkey.secret.Secret;
import io.vertx.core.json.JsonObject;

/**
 * Signs the JWTs of RFC 7523: {@code jwt_bearer} assertions and {@code private_key_jwt} client authentication. Keys
 * are PEM PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}), RSA (RS256) or EC P-256 (ES256) — what Google service
 * accounts and most providers issue.
 */
final class JwtSigner {

    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

    private JwtSigner() {
    }

    /**
     * @throws TokenEndpointException {@code bad_key} when the key cannot be read or used
     */
    static String sign(Secret pemKey, Optional<String> keyId, JsonObject claims) {
        try {
            PrivateKey key = parse(pemKey);
            boolean ec = key instanceof ECPrivateKey;
            JsonObject header = new JsonObject().put("alg", ec ? "ES256" : "RS256").put("typ", "JWT");
            keyId.ifPresent(kid -> header.put("kid", kid));
            String signingInput = URL.encodeToString(header.encode().getBytes(StandardCharsets.UTF_8)) + "."
                    + URL.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
            Signature signature = Signature.getInstance(ec ? "SHA256withECDSAinP1363Format" : "SHA256withRSA");
            signature.initSign(key);
            signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + URL.encodeToString(signature.sign());
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new TokenEndpointException("bad_key",
                    "the private key cannot sign (" + e.getClass().getSimpleName() + "); expected PEM PKCS#8 RSA or EC P-256");
        }
    }

    private static PrivateKey parse(Secret pemKey) throws GeneralSecurityException {
        // Keys from JSON (a service-account file's private_key field copied to a secret) carry literal "\n".
        String pem = pemKey.reveal().replace("\\n", "\n");
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("not PEM PKCS#8");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(spec);
        } catch (GeneralSecurityException notRsa) {
            return KeyFactory.getInstance("EC").generatePrivate(spec);
        }
    }
}
