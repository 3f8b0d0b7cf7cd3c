package io.latchkey.policy;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as platform teams write them: {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}; {@code 0} for none. */
final class Durations {

    private static final Pattern FORMAT = Pattern.compile("([0-9]{1,9})(ms|s|m|h)?");

    private Durations() {
    }

    /** The duration at a node, or empty with a problem recorded there. */
    static java.util.Optional<Duration> read(YamlCursor node) {
        return node.text().flatMap(text -> {
            try {
                return java.util.Optional.of(parse(text));
            } catch (IllegalArgumentException e) {
                node.problem(e.getMessage());
                return java.util.Optional.empty();
            }
        });
    }

    static Duration parse(String text) {
        Matcher matcher = FORMAT.matcher(text);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("expected a duration such as 250ms, 5s, 2m or 1h");
        }
        long amount = Long.parseLong(matcher.group(1));
        String unit = matcher.group(2);
        if (unit == null) {
            if (amount != 0) {
                throw new IllegalArgumentException("a duration needs a unit (ms, s, m or h), as in 5s");
            }
            return Duration.ZERO;
        }
        switch (unit) {
            case "ms":
                return Duration.ofMillis(amount);
            case "s":
                return Duration.ofSeconds(amount);
            case "m":
                return Duration.ofMinutes(amount);
            default:
                return Duration.ofHours(amount);
        }
    }
}
