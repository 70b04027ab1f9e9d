package dev.herald.bench.client;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Many WebSocket connections on a few Netty event loops: connects {@link Subscriber}s through
 * single-channel URLs with a bearer token, answers Herald's heartbeat pings (Netty answers
 * WebSocket pings by itself), checks every event's sequence and records publish-to-deliver latency
 * from the publish time the harness put into the event's data.
 */
public final class LoadClient implements AutoCloseable {

    private final NioEventLoopGroup group;
    private final InetSocketAddress server;
    private final SourceAddresses sources;
    private final LatencyRecorder latency = new LatencyRecorder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private volatile boolean recordLatency = true;
    private volatile Subscriber.Listener listener = (s, e, t) -> { };

    /** A client of the server at 127.0.0.1:{@code port} with {@code threads} event loops. */
    public LoadClient(int port, int threads, SourceAddresses sources) {
        this.group = new NioEventLoopGroup(threads);
        this.server = new InetSocketAddress("127.0.0.1", port);
        this.sources = sources;
    }

    /** What happened to a batch of connection attempts. */
    public record ConnectResult(int attempted, int subscribed, int failed, double seconds, List<String> sampleProblems) {
    }

    /**
     * Connects (or reconnects) every subscriber and waits for its {@code subscribed} frame, with at
     * most {@code inFlight} handshakes open at once; gives up on whatever is not subscribed by the deadline.
     */
    public ConnectResult connect(List<Subscriber> subscribers, int inFlight, Duration deadline) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + deadline.toNanos();
        Semaphore window = new Semaphore(inFlight);
        for (Subscriber subscriber : subscribers) {
            if (!window.tryAcquire(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                break;
            }
            open(subscriber);
            subscriber.subscribed.whenComplete((s, failure) -> window.release());
        }
        return awaitSubscribed(subscribers, start, end);
    }

    /**
     * Reconnects every subscriber spread evenly over {@code spread} (a reconnect storm), each
     * resuming from its last sequence, and waits for their {@code subscribed} frames.
     */
    public ConnectResult reconnectSpread(List<Subscriber> subscribers, Duration spread, Duration deadline) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + deadline.toNanos();
        double gap = subscribers.isEmpty() ? 0 : (double) spread.toNanos() / subscribers.size();
        for (int i = 0; i < subscribers.size() && System.nanoTime() < end; i++) {
            long due = start + (long) (i * gap);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            open(subscribers.get(i));
        }
        return awaitSubscribed(subscribers, start, end);
    }

    private ConnectResult awaitSubscribed(List<Subscriber> subscribers, long start, long end) throws InterruptedException {
        int ok = 0;
        int failed = 0;
        List<String> problems = new ArrayList<>();
        for (Subscriber subscriber : subscribers) {
            try {
                subscriber.subscribed.get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
                ok++;
            } catch (ExecutionException | TimeoutException e) {
                failed++;
                if (problems.size() < 5) {
                    problems.add(subscriber.lastProblem() != null ? subscriber.lastProblem() : "no subscribed frame before the deadline");
                }
            }
        }
        return new ConnectResult(subscribers.size(), ok, failed, (System.nanoTime() - start) / 1e9, problems);
    }

    private void open(Subscriber subscriber) {
        subscriber.onConnecting(System.nanoTime());
        // What this connection reports goes to this attempt only: a closed connection's last
        // events can arrive after the subscriber already reconnected.
        CompletableFuture<Subscriber> attempt = subscriber.subscribed;
        URI uri = URI.create("ws://127.0.0.1:" + server.getPort() + subscriber.path());
        HttpHeaders headers = new DefaultHttpHeaders();
        if (subscriber.token() != null) {
            headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + subscriber.token());
        }
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri).customHeaders(headers)
                .handleCloseFrames(false).dropPongFrames(true).generateOriginHeader(false)
                .handshakeTimeoutMillis(60_000).maxFramePayloadLength(1 << 20).build();
        ChannelFuture connecting = ClientBootstrap.on(group, ch -> ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(16384),
                        new WebSocketClientProtocolHandler(config), new FrameHandler(subscriber, attempt)))
                .connect(server, sources.next());
        subscriber.connection = connecting.channel();
        connecting.addListener(done -> {
            if (!done.isSuccess()) {
                subscriber.onProblem(attempt, "connect: " + done.cause());
            }
        });
    }

    void onEvent(Subscriber subscriber, EventFrame frame, long nanos) {
        if (!subscriber.accept(frame)) {
            duplicates.increment();
            return;
        }
        delivered.increment();
        if (recordLatency && frame.publishNanos() != EventFrame.NONE) {
            latency.recordNanos(nanos - frame.publishNanos());
        }
        listener.onEvent(subscriber, frame, nanos);
    }

    /** Closes every subscriber's connection with 1000 and waits (bounded) until they are closed. */
    public void disconnect(List<Subscriber> subscribers, Duration deadline) throws InterruptedException {
        for (Subscriber subscriber : subscribers) {
            Channel c = subscriber.connection;
            if (c != null && c.isActive()) {
                c.writeAndFlush(new CloseWebSocketFrame(1000, "benchmark disconnect"));
            }
        }
        long end = System.nanoTime() + deadline.toNanos();
        for (Subscriber subscriber : subscribers) {
            Channel c = subscriber.connection;
            if (c != null && !c.closeFuture().await(Math.max(1, (end - System.nanoTime()) / 1_000_000))) {
                c.close();
            }
        }
        quiesce();
    }

    /**
     * Waits until every event loop has run what it had queued: afterwards the subscribers'
     * fields written on those loops are visible to the caller.
     */
    public void quiesce() throws InterruptedException {
        for (EventExecutor loop : group) {
            try {
                loop.submit(() -> { }).get(30, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("event loop did not answer", e);
            }
        }
    }

    /** Events received that were not duplicates, over every connection. */
    public long delivered() {
        return delivered.sum();
    }

    public long duplicates() {
        return duplicates.sum();
    }

    public LatencyRecorder latency() {
        return latency;
    }

    /** Whether to record latencies (off while replaying old events). */
    public void recordLatency(boolean on) {
        recordLatency = on;
    }

    /** Extra per-event tracking for a scenario. */
    public void listener(Subscriber.Listener listener) {
        this.listener = listener;
    }

    public SourceAddresses sources() {
        return sources;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(30, TimeUnit.SECONDS);
    }

    /** Hands text frames to the subscriber and records close codes and failures. */
    private final class FrameHandler extends SimpleChannelInboundHandler<WebSocketFrame> {

        private final Subscriber subscriber;
        private final CompletableFuture<Subscriber> attempt;

        FrameHandler(Subscriber subscriber, CompletableFuture<Subscriber> attempt) {
            this.subscriber = subscriber;
            this.attempt = attempt;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame text) {
                subscriber.onText(text.text(), System.nanoTime(), LoadClient.this);
            } else if (frame instanceof CloseWebSocketFrame close) {
                subscriber.onClose(attempt, close.statusCode());
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            subscriber.onProblem(attempt, "closed before subscribed (close code " + subscriber.closeCode() + ")");
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            subscriber.onProblem(attempt, cause.toString());
            ctx.close();
        }
    }
}
