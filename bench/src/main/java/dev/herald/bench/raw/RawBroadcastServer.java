package dev.herald.bench.raw;

import dev.herald.bench.client.JsonScan;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The raw baseline: the least a WebSocket broadcaster can do on this machine. One Netty event
 * loop; {@code /ws/{namespace}/{id}} subscribes a connection to {@code namespace:id} (no token
 * check, no history); {@code POST /api/channels/{channel}/events} numbers the event, encodes its
 * frame once and writes that same buffer to every subscriber, then answers 201 like Herald.
 * Herald's figures are read as ratios against this one, measured in the same run.
 *
 * <p>Run as {@code java -cp <harness class path> dev.herald.bench.raw.RawBroadcastServer PORT}.
 */
public final class RawBroadcastServer {

    /** Subscribers and head per channel; touched only by the one event loop thread. */
    private final Map<String, List<Channel>> subscribers = new HashMap<>();
    private final Map<String, Long> heads = new HashMap<>();

    public static void main(String[] args) throws InterruptedException {
        int port = Integer.parseInt(args[0]);
        new RawBroadcastServer().serve(port);
    }

    private void serve(int port) throws InterruptedException {
        EventLoopGroup loop = new NioEventLoopGroup(1);
        try {
            Channel server = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536), new HttpHandler());
                        }
                    }).bind("127.0.0.1", port).sync().channel();
            System.out.println("raw broadcaster listening on 127.0.0.1:" + port);
            server.closeFuture().sync();
        } finally {
            loop.shutdownGracefully();
        }
    }

    private void subscribe(String channel, Channel connection) {
        subscribers.computeIfAbsent(channel, c -> new ArrayList<>()).add(connection);
        connection.closeFuture().addListener(f -> {
            List<Channel> list = subscribers.get(channel);
            if (list != null) {
                list.remove(connection);
            }
        });
        String subscribed = "{\"type\":\"subscribed\",\"channel\":\"" + channel + "\",\"seq\":" + heads.getOrDefault(channel, 0L)
                + ",\"recovered\":false,\"replayed\":0}";
        connection.writeAndFlush(new TextWebSocketFrame(subscribed));
    }

    /** Numbers and broadcasts one event; returns the publish answer. */
    private String broadcast(String channel, String type, String data) {
        long seq = heads.merge(channel, 1L, Long::sum);
        String ts = Instant.now().toString();
        String frame = "{\"type\":\"" + type + "\",\"channel\":\"" + channel + "\",\"seq\":" + seq + ",\"ts\":\"" + ts
                + "\",\"data\":" + data + "}";
        ByteBuf encoded = Unpooled.copiedBuffer(frame, StandardCharsets.UTF_8);
        TextWebSocketFrame shared = new TextWebSocketFrame(encoded);
        try {
            for (Channel subscriber : subscribers.getOrDefault(channel, List.of())) {
                // One encoding for all: each write gets a duplicate view of the same bytes.
                subscriber.writeAndFlush(shared.retainedDuplicate(), subscriber.voidPromise());
            }
        } finally {
            shared.release();
        }
        return "{\"channel\":\"" + channel + "\",\"seq\":" + seq + ",\"ts\":\"" + ts + "\"}";
    }

    private final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String path = new QueryStringDecoder(request.uri()).path();
            if (path.startsWith("/ws/") && request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
                upgrade(ctx, request, path);
            } else if (path.equals("/health/ready")) {
                respond(ctx, request, HttpResponseStatus.OK, "{\"status\":\"UP\"}");
            } else if (request.method() == HttpMethod.POST && path.startsWith("/api/channels/") && path.endsWith("/events")) {
                String channel = path.substring("/api/channels/".length(), path.length() - "/events".length());
                String body = request.content().toString(StandardCharsets.UTF_8);
                String type = JsonScan.string(body, "type");
                String data = JsonScan.lastMemberValue(body, "data");
                respond(ctx, request, HttpResponseStatus.CREATED, broadcast(channel, type == null ? "event" : type, data == null ? "null" : data));
            } else {
                respond(ctx, request, HttpResponseStatus.NOT_FOUND, "{\"code\":\"not_found\"}");
            }
        }

        private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, String path) {
            String[] parts = path.substring("/ws/".length()).split("/");
            if (parts.length != 2) {
                respond(ctx, request, HttpResponseStatus.BAD_REQUEST, "{\"code\":\"bad_request\"}");
                return;
            }
            String channel = parts[0] + ":" + parts[1];
            WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(
                    "ws://127.0.0.1" + path, null, false, 65536).newHandshaker(request);
            if (handshaker == null) {
                WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
                return;
            }
            Channel connection = ctx.channel();
            handshaker.handshake(connection, request).addListener((ChannelFutureListener) done -> {
                if (done.isSuccess()) {
                    connection.pipeline().replace(HttpHandler.this, "frames", new FrameHandler(handshaker));
                    subscribe(channel, connection);
                }
            });
        }

        private void respond(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status, String json) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
            HttpUtil.setContentLength(response, response.content().readableBytes());
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            HttpUtil.setKeepAlive(response, keepAlive);
            if (keepAlive) {
                ctx.writeAndFlush(response);
            } else {
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }

    /** After the upgrade: answers pings and closes; text from clients is ignored (the baseline only broadcasts). */
    private static final class FrameHandler extends SimpleChannelInboundHandler<WebSocketFrame> {

        private final WebSocketServerHandshaker handshaker;

        FrameHandler(WebSocketServerHandshaker handshaker) {
            this.handshaker = handshaker;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof CloseWebSocketFrame close) {
                handshaker.close(ctx.channel(), close.retain());
            } else if (frame instanceof PingWebSocketFrame ping) {
                ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
