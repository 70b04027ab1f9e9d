package dev.herald.application;

/**
 * Where client commands go besides the application's own CDI observers: to workers outside this
 * server, in any language.
 *
 * <p>Guarantee: best effort, at most once, never in the way of the client. {@link #append} returns
 * within a short bound and never throws; a command it cannot hand over (the sink is unreachable) is
 * dropped and reported in the log, and the client is still answered {@code accepted}. A worker that
 * must not miss a command needs the client to repeat it, or an application observer that records it.
 */
public interface CommandSink {

    /** The sink of a server without Redis: commands reach the application's observers only. */
    CommandSink NONE = command -> {
    };

    void append(ClientCommand command);
}
