package io.latchkey.secret;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 digests: to tell file versions apart, to key caches by content, to compare secrets in constant time. */
public final class Sha256 {

    private Sha256() {
    }

    public static byte[] digest(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }

    /** Lower-case hex of the digest. */
    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(digest(bytes));
    }

    /**
     * Whether two texts are equal, in time that depends on neither their content nor the expected one's length:
     * their digests are compared with {@link MessageDigest#isEqual}.
     */
    public static boolean constantTimeEquals(String presented, String expected) {
        return MessageDigest.isEqual(digest(presented.getBytes(StandardCharsets.UTF_8)),
                digest(expected.getBytes(StandardCharsets.UTF_8)));
    }
}
