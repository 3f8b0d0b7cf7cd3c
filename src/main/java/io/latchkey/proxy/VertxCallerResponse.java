package io.latchkey.proxy;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.buffer.impl.BufferImpl;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;

/** A {@link CallerResponse} written by Vert.x's HTTP server. */
final class VertxCallerResponse implements CallerResponse {

    private final HttpServerResponse response;
    private final HttpConnection connection;

    VertxCallerResponse(HttpServerResponse response, HttpConnection connection) {
        this.response = response;
        this.connection = connection;
    }

    @Override
    public CallerResponse setStatusCode(int status) {
        response.setStatusCode(status);
        return this;
    }

    @Override
    public int getStatusCode() {
        return response.getStatusCode();
    }

    @Override
    public CallerResponse setStatusMessage(String message) {
        response.setStatusMessage(message);
        return this;
    }

    @Override
    public CallerResponse addHeader(CharSequence name, CharSequence value) {
        response.headers().add(name, value);
        return this;
    }

    @Override
    public CallerResponse putHeader(CharSequence name, CharSequence value) {
        response.putHeader(name, value);
        return this;
    }

    @Override
    public CallerResponse removeHeader(CharSequence name) {
        response.headers().remove(name);
        return this;
    }

    @Override
    public String getHeader(CharSequence name) {
        return response.headers().get(name);
    }

    @Override
    public void writeHeadChunked() {
        response.setChunked(true).writeHead();
    }

    @Override
    public void write(Buffer chunk) {
        writeHeld(chunk, false);
    }

    @Override
    public void end(Buffer chunk) {
        writeHeld(chunk, true);
    }

    /** Vert.x writes the chunk's bytes when it can; they are held until then, and given back after. */
    private void writeHeld(Buffer chunk, boolean last) {
        ByteBuf bytes = ((BufferImpl) chunk).byteBuf().retain();
        try {
            if (last) {
                response.end(chunk, written -> bytes.release());
            } else {
                response.write(chunk, written -> bytes.release());
            }
        } catch (RuntimeException notWritten) {
            bytes.release();
            throw notWritten;
        }
    }

    @Override
    public void end() {
        response.end();
    }

    @Override
    public void endThenClose(Buffer body) {
        response.end(body).onComplete(done -> connection.close());
    }

    @Override
    public boolean writeQueueFull() {
        return response.writeQueueFull();
    }

    @Override
    public CallerResponse drainHandler(Handler<Void> handler) {
        response.drainHandler(handler);
        return this;
    }

    @Override
    public CallerResponse endHandler(Handler<Void> handler) {
        response.endHandler(handler);
        return this;
    }

    @Override
    public CallerResponse closeHandler(Handler<Void> handler) {
        response.closeHandler(handler);
        return this;
    }

    @Override
    public boolean headWritten() {
        return response.headWritten();
    }

    @Override
    public boolean ended() {
        return response.ended();
    }

    @Override
    public boolean closed() {
        return response.closed();
    }

    @Override
    public long bytesWritten() {
        return response.bytesWritten();
    }
}
