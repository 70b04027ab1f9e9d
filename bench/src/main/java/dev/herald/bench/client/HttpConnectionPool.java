package dev.herald.bench.client;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive HTTP/1.1 connections for publishing, one request at a time on each, at most
 * {@code size} at once. Netty rather than the JDK's HttpClient: on the harness's one core the
 * JDK client tops out near 4,000 requests a second, below what the publish targets need.
 */
final class HttpConnectionPool implements AutoCloseable {

    /** An HTTP answer: status and body. */
    record Response(int status, String body) {
    }

    private static final AttributeKey<CompletableFuture<Response>> PENDING = AttributeKey.valueOf("pending");

    private final NioEventLoopGroup group = new NioEventLoopGroup(1);
    private final InetSocketAddress server;
    private final Semaphore permits;
    private final int size;
    private final ConcurrentLinkedQueue<Channel> idle = new ConcurrentLinkedQueue<>();

    HttpConnectionPool(InetSocketAddress server, int size) {
        this.server = server;
        this.size = size;
        this.permits = new Semaphore(size);
    }

    /** Sends {@code POST path} with a JSON body once a connection is free; the future completes with the answer. */
    CompletableFuture<Response> post(String path, String bearerToken, String json) throws InterruptedException {
        permits.acquire();
        CompletableFuture<Response> answer = new CompletableFuture<>();
        Channel channel;
        try {
            channel = take();
        } catch (IOException e) {
            permits.release();
            answer.completeExceptionally(e);
            return answer;
        }
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path,
                Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
        request.headers().set(HttpHeaderNames.HOST, server.getHostString() + ":" + server.getPort())
                .set(HttpHeaderNames.AUTHORIZATION, "Bearer " + bearerToken)
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .set(HttpHeaderNames.CONTENT_LENGTH, request.content().readableBytes());
        channel.attr(PENDING).set(answer);
        channel.writeAndFlush(request).addListener(written -> {
            if (!written.isSuccess()) {
                finish(channel, null, written.cause());
            }
        });
        return answer;
    }

    /** Waits until every permit is back (no request in flight), at most {@code seconds}. */
    boolean awaitIdle(long seconds) throws InterruptedException {
        if (permits.tryAcquire(size, seconds, TimeUnit.SECONDS)) {
            permits.release(size);
            return true;
        }
        return false;
    }

    private Channel take() throws IOException, InterruptedException {
        Channel channel;
        while ((channel = idle.poll()) != null) {
            if (channel.isActive()) {
                return channel;
            }
        }
        Channel fresh = ClientBootstrap.on(group, ch -> ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(4 << 20), new AnswerHandler()))
                .connect(server).await().channel();
        if (!fresh.isActive()) {
            throw new IOException("cannot connect to " + server);
        }
        return fresh;
    }

    private void finish(Channel channel, Response response, Throwable failure) {
        CompletableFuture<Response> pending = channel.attr(PENDING).getAndSet(null);
        if (pending == null) {
            return;
        }
        if (response != null && channel.isActive()) {
            idle.offer(channel);
        } else {
            channel.close();
        }
        permits.release();
        if (response != null) {
            pending.complete(response);
        } else {
            pending.completeExceptionally(failure);
        }
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    /** Completes the connection's pending request with the answer; a closed connection fails it. */
    private final class AnswerHandler extends SimpleChannelInboundHandler<FullHttpResponse> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            finish(ctx.channel(), new Response(response.status().code(), response.content().toString(StandardCharsets.UTF_8)), null);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            finish(ctx.channel(), null, new IOException("connection closed before the answer"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            finish(ctx.channel(), null, cause);
        }
    }
}
