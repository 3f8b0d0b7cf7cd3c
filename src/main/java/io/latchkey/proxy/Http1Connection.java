package io.latchkey.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpClosedException;

/**
 * One pooled HTTP/1.1 connection to an upstream: the last handler of its pipeline, reading the answers with its
 * {@link ResponseReader} and passing them to the call it carries now. Confined to its event loop.
 */
final class Http1Connection extends ChannelInboundHandlerAdapter implements ResponseReader.Listener {

    final Channel channel;
    private final Http1OriginPool pool;
    private final ResponseReader reader = new ResponseReader(this);
    /** What the requests' heads are written into, and what the answers are read into. */
    final KeptBuffer heads;
    private final KeptReadBuffer reads;
    /** The call on this connection now; null while it is idle in the pool. */
    private Http1Call call;
    /** Counted among the pool's open connections; cleared once, when the connection leaves the pool for good. */
    boolean counted = true;
    /** When the connection went back to the pool (the pool's nano clock). */
    long idleSinceNanos;
    /** The call is over and the connection goes back to the pool when the current read completes. */
    private boolean releaseAfterRead;
    /** Whether the connection carried a call before the current one: an upstream may have closed it while idle. */
    private boolean carriedBefore;

    Http1Connection(Channel channel, Http1OriginPool pool) {
        this.channel = channel;
        this.pool = pool;
        this.heads = new KeptBuffer(channel.alloc());
        this.reads = KeptReadBuffer.install(channel);
    }

    void carry(Http1Call call) {
        this.call = call;
        reader.expectAnswer(call.asksHead());
        boolean reused = carriedBefore;
        carriedBefore = true;
        call.assigned(this, reused);
    }

    /** A call that no longer wants the connection it was given: back to the pool unused. */
    void returnUnused() {
        call = null;
        pool.release(this);
    }

    /**
     * The call ended cleanly and the upstream keeps the connection open: back to the pool for the next one, once the
     * current read is over. Anything else decoded from that read was sent before any next request, so it answers
     * nothing: it closes the connection instead of reaching the next call as its answer.
     */
    void release() {
        call = null;
        releaseAfterRead = true;
    }

    /** The connection cannot be reused: closed, and no longer counted. */
    void discard() {
        call = null;
        releaseAfterRead = false;
        pool.forget(this);
        channel.close();
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object message) {
        if (call == null || !(message instanceof ByteBuf bytes)) {
            // Bytes no request asked for: the connection's framing cannot be trusted any more.
            ReferenceCountUtil.release(message);
            discard();
            return;
        }
        reader.read(bytes);
    }

    @Override
    public void head(ResponseHead head) {
        Http1Call current = call;
        if (current != null) {
            current.head(head);
        }
    }

    @Override
    public void body(ByteBuf chunk, boolean last) {
        Http1Call current = call;
        if (current != null) {
            current.body(chunk, last);
        }
    }

    @Override
    public void malformed(DecoderException cause) {
        Http1Call current = call;
        call = null;
        if (current != null) {
            current.malformed(cause);
        }
        discard();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext context) {
        if (releaseAfterRead) {
            releaseAfterRead = false;
            channel.config().setAutoRead(true);
            pool.release(this);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        heads.release();
        reads.release();
        if (call != null) {
            // An answer whose body runs until the connection's end is complete now.
            reader.closed();
        }
        releaseAfterRead = false;
        pool.forget(this);
        Http1Call current = call;
        call = null;
        if (current != null) {
            current.connectionFailed(new HttpClosedException("connection closed"));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        Http1Call current = call;
        call = null;
        if (current != null) {
            current.connectionFailed(cause);
        }
        discard();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext context) {
        Http1Call current = call;
        if (current != null) {
            current.writabilityChanged(channel.isWritable());
        }
    }
}
