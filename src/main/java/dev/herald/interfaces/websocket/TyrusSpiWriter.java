package dev.herald.interfaces.websocket;

import org.glassfish.tyrus.spi.CompletionHandler;
import org.glassfish.tyrus.spi.Writer;

import java.nio.ByteBuffer;
import java.util.concurrent.CancellationException;

/**
 * A {@link FrameWriter} over Tyrus's SPI {@link Writer}. The only class that names Tyrus's types:
 * {@link TyrusWriters} loads it inside a guard, so a container whose Tyrus SPI the application
 * cannot see fails here, once, and falls back to the standard API.
 */
final class TyrusSpiWriter implements FrameWriter {

    private final Writer writer;
    private final Completion completion;

    private TyrusSpiWriter(Writer writer, Done done) {
        this.writer = writer;
        this.completion = new Completion(done);
    }

    /** A frame writer over {@code writer}, or null when it is not Tyrus's SPI writer as this class loader sees it. */
    static FrameWriter open(Object writer, Done done) {
        return writer instanceof Writer tyrus ? new TyrusSpiWriter(tyrus, done) : null;
    }

    @Override
    public void write(ByteBuffer frames) {
        writer.write(frames, completion);
    }

    /** One per connection, reused by every write: a connection has one write in flight at a time. */
    private static final class Completion extends CompletionHandler<ByteBuffer> {
        private final Done done;

        Completion(Done done) {
            this.done = done;
        }

        @Override
        public void completed(ByteBuffer result) {
            done.written();
        }

        @Override
        public void failed(Throwable throwable) {
            done.failed(throwable);
        }

        @Override
        public void cancelled() {
            done.failed(new CancellationException("write cancelled by the container"));
        }
    }
}
