package io.latchkey.policy;

/**
 * A path pattern: {@code *} stands for one segment or part of one ({@code /files/*.json}), {@code **} for any number
 * of segments, including none ({@code /repos/**} matches {@code /repos} and {@code /repos/a/b}). Matching walks the
 * path once per pattern segment, with no regular expression and no allocation.
 */
public final class PathGlob {

    private final String pattern;
    private final String[] segments;

    private PathGlob(String pattern, String[] segments) {
        this.pattern = pattern;
        this.segments = segments;
    }

    /**
     * @throws IllegalArgumentException with a message for the policy problem report
     */
    public static PathGlob parse(String pattern) {
        if (!pattern.startsWith("/")) {
            throw new IllegalArgumentException("a path pattern starts with '/'");
        }
        String[] segments = pattern.equals("/") ? new String[] { "" } : pattern.substring(1).split("/", -1);
        for (String segment : segments) {
            if (segment.contains("**") && !segment.equals("**")) {
                throw new IllegalArgumentException("'**' must be a whole segment, as in /repos/**");
            }
            if (segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("a path pattern cannot contain '.' or '..' segments");
            }
        }
        return new PathGlob(pattern, segments);
    }

    public String pattern() {
        return pattern;
    }

    /** Whether a normalised path ({@code /a/b}, no dot-segments) matches. */
    public boolean matches(String path) {
        if (path.isEmpty() || path.charAt(0) != '/') {
            return false;
        }
        return matchFrom(0, path, 1);
    }

    /** Matches pattern segments from {@code index} against the path from {@code start} (just after a '/'). */
    private boolean matchFrom(int index, String path, int start) {
        if (index == segments.length) {
            return start > path.length();
        }
        String segment = segments[index];
        if (segment.equals("**")) {
            if (index + 1 == segments.length) {
                return true;
            }
            // Try the rest of the pattern at every later segment boundary, including this one.
            int from = start;
            while (from <= path.length()) {
                if (matchFrom(index + 1, path, from)) {
                    return true;
                }
                int slash = path.indexOf('/', from);
                if (slash < 0) {
                    break;
                }
                from = slash + 1;
            }
            return matchFrom(index + 1, path, path.length() + 1);
        }
        if (start > path.length()) {
            return false;
        }
        int end = path.indexOf('/', start);
        if (end < 0) {
            end = path.length();
        }
        if (!segmentMatches(segment, path, start, end)) {
            return false;
        }
        return matchFrom(index + 1, path, end + 1);
    }

    /** Wildcard match of one segment; {@code *} matches any run of characters within it. */
    private static boolean segmentMatches(String segment, String path, int start, int end) {
        int p = 0;
        int s = start;
        int starP = -1;
        int starS = -1;
        while (s < end) {
            if (p < segment.length() && segment.charAt(p) == '*') {
                starP = p++;
                starS = s;
            } else if (p < segment.length() && segment.charAt(p) == path.charAt(s)) {
                p++;
                s++;
            } else if (starP >= 0) {
                p = starP + 1;
                s = ++starS;
            } else {
                return false;
            }
        }
        while (p < segment.length() && segment.charAt(p) == '*') {
            p++;
        }
        return p == segment.length();
    }

    @Override
    public String toString() {
        return pattern;
    }
}
