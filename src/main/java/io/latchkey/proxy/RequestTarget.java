package io.latchkey.proxy;

import java.util.Locale;

/**
 * Where a caller asked to go. Base-URL mode ({@code GET /github/user}) carries a path that starts with a route
 * prefix; forward mode carries an authority, from the absolute-form request line ({@code GET http://host/path}) or
 * from {@code Host}. Paths and queries stay raw: they are forwarded byte for byte.
 *
 * @param authority lower-case {@code host[:port]} for forward mode, or null
 * @param absoluteForm whether the request line carried the authority
 */
record RequestTarget(String authority, boolean absoluteForm, String rawPath, String rawQuery) {

    static RequestTarget parse(String uri, String hostHeader) {
        if (uri.isEmpty()) {
            throw badRequest("the request target is empty");
        }
        if (uri.charAt(0) == '/') {
            int query = uri.indexOf('?');
            String path = query < 0 ? uri : uri.substring(0, query);
            String rawQuery = query < 0 ? null : uri.substring(query + 1);
            return new RequestTarget(hostHeader == null ? null : hostHeader.toLowerCase(Locale.ROOT), false, path,
                    rawQuery);
        }
        int schemeEnd = uri.indexOf("://");
        if (schemeEnd > 0) {
            String scheme = uri.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw badRequest("only http and https targets can be proxied");
            }
            int authorityStart = schemeEnd + 3;
            int authorityEnd = authorityStart;
            while (authorityEnd < uri.length() && "/?#".indexOf(uri.charAt(authorityEnd)) < 0) {
                authorityEnd++;
            }
            String authority = uri.substring(authorityStart, authorityEnd).toLowerCase(Locale.ROOT);
            if (authority.isEmpty() || authority.indexOf('@') >= 0) {
                throw badRequest("the absolute-form target has no host, or carries user information");
            }
            String rest = uri.substring(authorityEnd);
            int fragment = rest.indexOf('#');
            if (fragment >= 0) {
                rest = rest.substring(0, fragment);
            }
            int query = rest.indexOf('?');
            String path = query < 0 ? rest : rest.substring(0, query);
            String rawQuery = query < 0 ? null : rest.substring(query + 1);
            return new RequestTarget(authority, true, path.isEmpty() ? "/" : path, rawQuery);
        }
        throw badRequest("the request target must be a path or an absolute http URL");
    }

    /** The host without a port, for matching {@code hosts}. */
    String host() {
        if (authority == null) {
            return null;
        }
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            return close < 0 ? authority : authority.substring(0, close + 1);
        }
        int colon = authority.lastIndexOf(':');
        return colon < 0 ? authority : authority.substring(0, colon);
    }

    private static ProxyFailure badRequest(String message) {
        return new ProxyFailure(ErrorCode.BAD_REQUEST, message, null);
    }
}
