package io.latchkey.database;

import java.net.ConnectException;
import java.util.Locale;

/** Turns database errors into short operator-facing reasons and tells connection trouble from a refused statement. */
final class DatabaseFailures {

    private static final int MAX_REASON = 200;

    private DatabaseFailures() {
    }

    /** Whether the error means the database could not be reached (rather than that it refused one statement). */
    static boolean isConnectionProblem(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof ConnectException || cause instanceof io.netty.channel.ConnectTimeoutException) {
                return true;
            }
            String message = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
            if (message.contains("connection refused") || message.contains("connection is closed")
                    || message.contains("closed connection") || message.contains("connection not open")
                    || message.contains("connection attempt failed") || message.contains("timed out")) {
                return true;
            }
        }
        return false;
    }

    /** The innermost cause, by class and first message line; database messages carry names, never our values. */
    static String describe(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? "" : root.getMessage().lines().findFirst().orElse("");
        String reason = root.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
        return reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) + "..." : reason;
    }
}
