package io.latchkey.proxy;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.latchkey.inject.InjectionTarget;
import io.netty.util.AsciiString;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.impl.HttpUtils;
import io.vertx.core.http.impl.headers.HeadersMultiMap;

/**
 * The request as it will leave for the upstream: the caller's headers less hop-by-hop headers, {@code Host}, control
 * headers and everything the route injects or strips; then the route's injections.
 */
final class OutboundRequest implements InjectionTarget {

    private static final String CONTROL_HEADER_PREFIX = "x-latchkey-";

    final MultiMap headers;
    private final StringBuilder query;

    private OutboundRequest(MultiMap headers, StringBuilder query) {
        this.headers = headers;
        this.query = query;
    }

    /**
     * @param rawQuery the caller's query, or null
     */
    static OutboundRequest from(CallerRequest request, CompiledRoute route, String rawQuery) {
        // Not Vert.x's validating map: the caller's headers were checked as they were read (by either server), so
        // only what Latchkey adds is checked here (setHeader).
        MultiMap out = HeadersMultiMap.headers();
        HopByHop hopByHop = request.hopByHop();
        for (Map.Entry<CharSequence, CharSequence> header : request.headers()) {
            CharSequence name = header.getKey();
            if (hopByHop.isHopByHop(name)
                    || AsciiString.contentEqualsIgnoreCase(name, "host")
                    || AsciiString.contentEqualsIgnoreCase(name, "expect")
                    || route.strips(name)
                    || (route.stripProxyHeaders && HopByHop.startsWithIgnoreCase(name, "proxy-"))
                    || HopByHop.startsWithIgnoreCase(name, CONTROL_HEADER_PREFIX)) {
                continue;
            }
            out.add(name, header.getValue());
        }
        out.set(HttpHeaders.HOST, route.upstreamAuthority);
        StringBuilder query = null;
        if (route.injection.injectsQuery()) {
            query = new StringBuilder(rawQuery == null ? 32 : rawQuery.length() + 32);
            if (rawQuery != null) {
                keepParametersExcept(rawQuery, route.injection.queryNames(), query);
            }
        } else if (rawQuery != null) {
            query = new StringBuilder(rawQuery);
        }
        return new OutboundRequest(out, query);
    }

    @Override
    public void setHeader(String name, String value) {
        // A credential's value must not end the header early (secret sources refuse line breaks already).
        HttpUtils.validateHeader(name, value);
        headers.set(name, value);
    }

    @Override
    public void addQueryParameter(String name, String value) {
        if (query.length() > 0) {
            query.append('&');
        }
        percentEncode(name, query);
        query.append('=');
        percentEncode(value, query);
    }

    /** The request target for the upstream: its base path, the route-relative path, the query. */
    String uri(String basePath, String relativeRawPath) {
        String path = basePath.isEmpty() ? relativeRawPath : basePath + relativeRawPath;
        return query == null ? path : path + "?" + query;
    }

    /** Copies the caller's parameters whose decoded names, in any case, are not among {@code removed}. */
    private static void keepParametersExcept(String rawQuery, Set<String> removed, StringBuilder out) {
        int start = 0;
        while (start <= rawQuery.length()) {
            int amp = rawQuery.indexOf('&', start);
            int end = amp < 0 ? rawQuery.length() : amp;
            if (end > start) {
                int equals = rawQuery.indexOf('=', start);
                int nameEnd = equals < 0 || equals > end ? end : equals;
                String name = decodeQueryComponent(rawQuery.substring(start, nameEnd)).toLowerCase(Locale.ROOT);
                if (!removed.contains(name)) {
                    if (out.length() > 0) {
                        out.append('&');
                    }
                    out.append(rawQuery, start, end);
                }
            }
            if (amp < 0) {
                break;
            }
            start = amp + 1;
        }
    }

    /** Decodes {@code %XX} and {@code +}; a malformed escape is kept as written, which can only fail to match. */
    static String decodeQueryComponent(String raw) {
        if (raw.indexOf('%') < 0 && raw.indexOf('+') < 0) {
            return raw;
        }
        byte[] bytes = new byte[raw.length()];
        int size = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '+') {
                bytes[size++] = ' ';
            } else if (c == '%' && i + 2 < raw.length() && Character.digit(raw.charAt(i + 1), 16) >= 0
                    && Character.digit(raw.charAt(i + 2), 16) >= 0) {
                bytes[size++] = (byte) (Character.digit(raw.charAt(i + 1), 16) * 16
                        + Character.digit(raw.charAt(i + 2), 16));
                i += 2;
            } else {
                bytes[size++] = (byte) c;
            }
        }
        return new String(bytes, 0, size, StandardCharsets.UTF_8);
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** RFC 3986 percent-encoding of everything but unreserved characters. */
    static void percentEncode(String value, StringBuilder out) {
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
    }
}
