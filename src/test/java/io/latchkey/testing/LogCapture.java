package io.latchkey.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Captures every log record written while a test class runs (all levels, all categories, with stack traces), so
 * tests can look for things that must never be logged, such as secret values.
 */
public final class LogCapture implements BeforeAllCallback, AfterAllCallback {

    private static final List<String> LINES = new CopyOnWriteArrayList<>();
    private static final Handler HANDLER = new Handler() {
        @Override
        public void publish(LogRecord record) {
            StringBuilder line = new StringBuilder().append(record.getLevel()).append(' ')
                    .append(record.getLoggerName()).append(' ').append(format(record));
            if (record.getThrown() != null) {
                StringWriter trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                line.append('\n').append(trace);
            }
            LINES.add(line.toString());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @Override
    public void beforeAll(ExtensionContext context) {
        Logger root = Logger.getLogger("");
        // Our own debug output too; other libraries at their default levels (the JDK HTTP client used by tests
        // would otherwise log the test's own request headers).
        Logger.getLogger("io.latchkey").setLevel(java.util.logging.Level.FINE);
        root.removeHandler(HANDLER);
        root.addHandler(HANDLER);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Logger.getLogger("").removeHandler(HANDLER);
    }

    /** Every line captured so far in this JVM. */
    public static List<String> lines() {
        return List.copyOf(LINES);
    }

    /** Fails if any captured line contains any of the values. */
    public static void assertNoneContain(String... values) {
        for (String line : LINES) {
            for (String value : values) {
                if (line.contains(value)) {
                    throw new AssertionError("A log line contains a secret value: " + line.replace(value, "<SECRET>"));
                }
            }
        }
    }

    private static String format(LogRecord record) {
        String message = record.getMessage();
        Object[] parameters = record.getParameters();
        if (message == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(message);
        if (parameters != null) {
            for (Object parameter : parameters) {
                out.append(" | ").append(parameter);
            }
        }
        return out.toString();
    }
}
