package dev.herald.application.delivery;

import dev.herald.application.ErrorCode;
import dev.herald.application.presence.PresentUser;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import dev.herald.domain.Sequence;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Encodes the frames Herald sends (protocol v1, docs/protocol.md). Event frames are the same text
 * for every subscriber and every transport, so callers encode an event once and share the string.
 */
public final class ServerFrames {

    public static final String PING = "{\"type\":\"ping\"}";
    public static final String PONG = "{\"type\":\"pong\"}";

    private ServerFrames() {
    }

    /** {@code {"type":"<event type>","channel":...,"seq":...,"ts":...,"data":...,"correlationId":...}} */
    public static String event(Event e) {
        StringBuilder out = new StringBuilder(96 + e.data().length());
        out.append("{\"type\":");
        JsonText.quote(out, e.type().value());
        out.append(",\"channel\":\"").append(e.channel().value()).append('"');
        out.append(",\"seq\":").append(e.seq().value());
        out.append(",\"ts\":\"").append(timestamp(e.ts())).append('"');
        out.append(",\"data\":").append(e.data());
        if (e.correlationId() != null) {
            out.append(",\"correlationId\":");
            JsonText.quote(out, e.correlationId());
        }
        return out.append('}').toString();
    }

    public static String timestamp(Instant ts) {
        return DateTimeFormatter.ISO_INSTANT.format(ts);
    }

    public static String welcome(String connectionId, String user, Duration interval, Duration timeout) {
        StringBuilder out = new StringBuilder(128).append("{\"type\":\"welcome\",\"connectionId\":");
        JsonText.quote(out, connectionId).append(",\"user\":");
        JsonText.quote(out, user);
        out.append(",\"heartbeat\":{\"interval\":").append(seconds(interval))
                .append(",\"timeout\":").append(seconds(timeout)).append("}}");
        return out.toString();
    }

    public static String subscribed(ChannelName channel, Sequence head, boolean recovered, long replayed, String ref) {
        StringBuilder out = new StringBuilder(128).append("{\"type\":\"subscribed\",\"channel\":\"")
                .append(channel.value()).append("\",\"seq\":").append(head.value())
                .append(",\"recovered\":").append(recovered)
                .append(",\"replayed\":").append(replayed);
        return ref(out, ref);
    }

    public static String unsubscribed(ChannelName channel, String ref) {
        StringBuilder out = new StringBuilder(64).append("{\"type\":\"unsubscribed\",\"channel\":\"")
                .append(channel.value()).append('"');
        return ref(out, ref);
    }

    public static String published(ChannelName channel, Sequence seq, Instant ts, String ref) {
        StringBuilder out = new StringBuilder(96).append("{\"type\":\"published\",\"channel\":\"")
                .append(channel.value()).append("\",\"seq\":").append(seq.value())
                .append(",\"ts\":\"").append(timestamp(ts)).append('"');
        return ref(out, ref);
    }

    public static String accepted(ChannelName channel, String name, String ref) {
        StringBuilder out = new StringBuilder(96).append("{\"type\":\"accepted\",\"channel\":\"")
                .append(channel.value()).append("\",\"name\":");
        JsonText.quote(out, name);
        return ref(out, ref);
    }

    public static String refreshed(String user, Instant expiresAt) {
        StringBuilder out = new StringBuilder(96).append("{\"type\":\"refreshed\",\"user\":");
        JsonText.quote(out, user);
        return out.append(",\"exp\":").append(expiresAt.getEpochSecond()).append('}').toString();
    }

    /** {@code {"type":"presence","channel":...,"users":[{"user":...,"connections":...}],"ref":...}} */
    public static String presence(ChannelName channel, List<PresentUser> users, String ref) {
        StringBuilder out = new StringBuilder(64 + 32 * users.size()).append("{\"type\":\"presence\",\"channel\":\"")
                .append(channel.value()).append("\",\"users\":");
        users(out, users);
        return ref(out, ref);
    }

    /** The body of {@code GET /api/channels/{channel}/presence}: {@code {"channel":...,"users":[...]}} */
    public static String presenceBody(ChannelName channel, List<PresentUser> users) {
        StringBuilder out = new StringBuilder(48 + 32 * users.size()).append("{\"channel\":\"")
                .append(channel.value()).append("\",\"users\":");
        return users(out, users).append('}').toString();
    }

    private static StringBuilder users(StringBuilder out, List<PresentUser> users) {
        out.append('[');
        for (int i = 0; i < users.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append("{\"user\":");
            JsonText.quote(out, users.get(i).user());
            out.append(",\"connections\":").append(users.get(i).connections()).append('}');
        }
        return out.append(']');
    }

    public static String error(ErrorCode code, String message, String ref) {
        StringBuilder out = new StringBuilder(128).append("{\"type\":\"error\",\"code\":\"")
                .append(code.code()).append("\",\"message\":");
        JsonText.quote(out, message);
        return ref(out, ref);
    }

    private static String ref(StringBuilder out, String ref) {
        if (ref != null) {
            out.append(",\"ref\":");
            JsonText.quote(out, ref);
        }
        return out.append('}').toString();
    }

    /** Whole seconds as an integer, otherwise a decimal ({@code 0.5}). */
    static String seconds(Duration d) {
        long millis = d.toMillis();
        return millis % 1000 == 0 ? Long.toString(millis / 1000) : Double.toString(millis / 1000.0);
    }
}
