package dev.herald.bench.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.function.Consumer;

/** How every client socket of the harness is set up: NIO, no Nagle delay, a bounded connect. */
final class ClientBootstrap {

    private ClientBootstrap() {
    }

    /** A bootstrap on {@code group} whose new channels get their pipeline from {@code pipeline}. */
    static Bootstrap on(EventLoopGroup group, Consumer<SocketChannel> pipeline) {
        return new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        pipeline.accept(ch);
                    }
                });
    }
}
