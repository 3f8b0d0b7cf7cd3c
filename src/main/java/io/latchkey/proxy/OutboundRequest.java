package io.latchkey.proxy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.latchkey.inject.InjectionTarget;
import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;
import io.vertx.core.MultiMap;
import io.vertx.core.http.impl.HttpUtils;
import io.vertx.core.http.impl.headers.HeadersMultiMap;

/**
 * The request as it will leave for the upstream: {@code Host}, the caller's headers less hop-by-hop headers, its own
 * {@code Host}, {@code Expect}, control headers and everything the route injects or strips; then the route's
 * injections. A head read by Latchkey's own server is not copied: its forwarded lines are marked (bit n for line n)
 * and written on as the bytes they arrived as.
 */
final class OutboundRequest implements InjectionTarget {

    private static final String CONTROL_HEADER_PREFIX = "x-latchkey-";
    private static final AsciiString HOST = AsciiString.cached("Host");

    private final AsciiString host;
    private final InjectedHeaderBytes injectedBytes;
    /** The caller's head, when Latchkey's own server read it and it has at most 64 lines; otherwise null. */
    private final MessageHead callerHead;
    /** Of {@link #callerHead}'s lines, those forwarded: bit n for line n. */
    private final long forwardedLines;
    /** The caller's forwarded headers when there is no {@link #callerHead}. */
    private final MultiMap forwardedHeaders;
    /** What the route injects: names at even places, each value after its name; null before the first. */
    private CharSequence[] injected;
    private int injectedCount;
    private final StringBuilder query;

    private OutboundRequest(AsciiString host, InjectedHeaderBytes injectedBytes, MessageHead callerHead,
            long forwardedLines, MultiMap forwardedHeaders, StringBuilder query) {
        this.host = host;
        this.injectedBytes = injectedBytes;
        this.callerHead = callerHead;
        this.forwardedLines = forwardedLines;
        this.forwardedHeaders = forwardedHeaders;
        this.query = query;
    }

    /**
     * @param rawQuery the caller's query, or null
     */
    static OutboundRequest from(CallerRequest request, CompiledRoute route, String rawQuery) {
        StringBuilder query = null;
        if (route.injection.injectsQuery()) {
            query = new StringBuilder(rawQuery == null ? 32 : rawQuery.length() + 32);
            if (rawQuery != null) {
                keepParametersExcept(rawQuery, route.injection.queryNames(), query);
            }
        } else if (rawQuery != null) {
            query = new StringBuilder(rawQuery);
        }
        MessageHead head = request.readHead();
        if (head != null && head.count() <= Long.SIZE) {
            return new OutboundRequest(route.hostHeaderValue, route.injectedBytes, head,
                    forwardedLines(head, request.hopByHop(), route), null, query);
        }
        return new OutboundRequest(route.hostHeaderValue, route.injectedBytes, null, 0,
                forwardedHeaders(request, route), query);
    }

    /** A request with no header but {@code Host}. */
    static OutboundRequest toAuthority(String host) {
        return new OutboundRequest(new AsciiString(host), new InjectedHeaderBytes(0), null, 0, null, null);
    }

    /*
     * The two forms of one rule: which caller headers are forwarded. The hop-by-hop ones are left out first (by the
     * reader's marks, or by name), then those named below.
     */

    private static long forwardedLines(MessageHead head, HopByHop hopByHop, CompiledRoute route) {
        long lines = head.endToEndLines(hopByHop);
        for (long left = lines; left != 0; left &= left - 1) {
            int line = Long.numberOfTrailingZeros(left);
            if (head.nameIs(line, "host")
                    || head.nameIs(line, "expect")
                    || route.strips(head, line)
                    || (route.stripProxyHeaders && head.nameStartsWith(line, "proxy-"))
                    || head.nameStartsWith(line, CONTROL_HEADER_PREFIX)) {
                lines &= ~(1L << line);
            }
        }
        return lines;
    }

    private static MultiMap forwardedHeaders(CallerRequest request, CompiledRoute route) {
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
        return out;
    }

    /**
     * Sets a header after the caller's; the route strips the caller's headers of the names it injects, and policy
     * refuses to inject {@code Host}, so only an earlier injection of the same name is replaced.
     */
    @Override
    public void setHeader(String name, String value) {
        // A credential's value must not end the header early (secret sources refuse line breaks already).
        HttpUtils.validateHeader(name, value);
        if (injected == null) {
            injected = new CharSequence[4];
        }
        AsciiString bytes = injectedBytes.of(value);
        for (int i = 0; i < injectedCount * 2; i += 2) {
            if (AsciiString.contentEqualsIgnoreCase(injected[i], name)) {
                injected[i + 1] = bytes;
                return;
            }
        }
        if (injectedCount * 2 == injected.length) {
            injected = Arrays.copyOf(injected, injected.length * 2);
        }
        injected[injectedCount * 2] = injectedBytes.of(name);
        injected[injectedCount * 2 + 1] = bytes;
        injectedCount++;
    }

    /** The bytes {@link #writeHeaders} writes. */
    int headersLength() {
        int length = HOST.length() + host.length() + 4;
        if (callerHead != null) {
            length += callerHead.fieldsLength(forwardedLines);
        } else if (forwardedHeaders != null) {
            for (Iterator<Map.Entry<CharSequence, CharSequence>> fields = fields(forwardedHeaders); fields.hasNext();) {
                Map.Entry<CharSequence, CharSequence> field = fields.next();
                length += field.getKey().length() + field.getValue().length() + 4;
            }
        }
        for (int i = 0; i < injectedCount * 2; i += 2) {
            length += injected[i].length() + injected[i + 1].length() + 4;
        }
        return length;
    }

    /**
     * Writes the header lines as HTTP/1.1: {@code Host} first, as RFC 9110 (7.2) asks of a client, then the caller's
     * (copied as they arrived), then the injected ones.
     */
    void writeHeaders(ByteBuf out) {
        Http1RequestBytes.writeHeader(out, HOST, host);
        if (callerHead != null) {
            if (forwardedLines != 0) {
                callerHead.writeFields(forwardedLines, out);
            }
        } else if (forwardedHeaders != null) {
            for (Iterator<Map.Entry<CharSequence, CharSequence>> fields = fields(forwardedHeaders); fields.hasNext();) {
                Map.Entry<CharSequence, CharSequence> field = fields.next();
                Http1RequestBytes.writeHeader(out, field.getKey(), field.getValue());
            }
        }
        for (int i = 0; i < injectedCount * 2; i += 2) {
            Http1RequestBytes.writeHeader(out, injected[i], injected[i + 1]);
        }
    }

    /**
     * The headers as Vert.x's client takes them, without {@code Host}: Vert.x derives it from the request's host and
     * port.
     */
    MultiMap headersWithoutHost() {
        MultiMap out = HeadersMultiMap.headers();
        if (callerHead != null) {
            for (long left = forwardedLines; left != 0; left &= left - 1) {
                int line = Long.numberOfTrailingZeros(left);
                out.add(callerHead.name(line), callerHead.valueView(line));
            }
        } else if (forwardedHeaders != null) {
            out.addAll(forwardedHeaders);
        }
        for (int i = 0; i < injectedCount * 2; i += 2) {
            out.add(injected[i], injected[i + 1]);
        }
        return out;
    }

    /** Vert.x's header map is Netty's, which hands its entries out as kept; any other map's as strings. */
    @SuppressWarnings("unchecked")
    private static Iterator<Map.Entry<CharSequence, CharSequence>> fields(MultiMap headers) {
        if (headers instanceof io.netty.handler.codec.http.HttpHeaders netty) {
            return netty.iteratorCharSequence();
        }
        return (Iterator<Map.Entry<CharSequence, CharSequence>>) (Iterator<?>) headers.iterator();
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
