package dev.herald.infrastructure.admin.redis;

import dev.herald.application.JsonData;
import dev.herald.application.admin.Disconnect;
import dev.herald.application.admin.DisconnectRelay;
import dev.herald.application.audit.AuditOutcome;
import dev.herald.application.audit.AuditRecord;
import dev.herald.application.audit.AuditRelay;
import dev.herald.application.audit.AuditType;
import dev.herald.application.delivery.JsonText;
import dev.herald.application.session.InstanceId;
import dev.herald.infrastructure.broker.redis.RedisBroker;
import dev.herald.infrastructure.redis.ControlChannel;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Audit records and administrators' disconnect orders between instances, on the Redis broker's
 * control channel {@link RedisBroker#CONTROL_CHANNEL herald:control}, next to the connection
 * directory's evictions:
 * <ul>
 *   <li>{@code {"type":"audit","origin":"<instance>","records":[<record>...]}}: one message per
 *       batch of records (the API's record JSON); the instance that sent it ignores it.</li>
 *   <li>{@code {"type":"disconnect","origin":"<instance>","by":"connection"|"user","target":"...","admin":"..."}}:
 *       every other instance closes the matching connections with 4011.</li>
 * </ul>
 * Pub/sub is at most once: a message published while an instance is cut off never reaches it.
 */
public final class RedisControlRelay implements AuditRelay, DisconnectRelay {

    private static final Logger LOG = Logger.getLogger(RedisControlRelay.class.getName());

    private final ControlChannel control;
    private final InstanceId instance;
    private final Executor executor;
    private volatile Consumer<List<AuditRecord>> records = r -> { };
    private volatile Consumer<Disconnect> disconnects = d -> { };

    /** @param executor runs what a message asks for off the broker's loop thread */
    public RedisControlRelay(ControlChannel control, InstanceId instance, Executor executor) {
        this.control = control;
        this.instance = instance;
        this.executor = executor;
    }

    @Override
    public void onRecords(Consumer<List<AuditRecord>> listener) {
        this.records = listener;
    }

    @Override
    public void onDisconnect(Consumer<Disconnect> listener) {
        this.disconnects = listener;
    }

    @Override
    public boolean reachesOtherInstances() {
        return true;
    }

    @Override
    public void share(List<AuditRecord> batch) {
        if (batch.isEmpty()) {
            return;
        }
        StringBuilder message = new StringBuilder(batch.size() * 300).append("{\"type\":\"audit\",\"origin\":");
        JsonText.quote(message, instance.value()).append(",\"records\":[");
        for (int i = 0; i < batch.size(); i++) {
            message.append(i == 0 ? "" : ",").append(batch.get(i).toJson());
        }
        control.sendControl(message.append("]}").toString());
    }

    @Override
    public void send(Disconnect order) {
        StringBuilder message = new StringBuilder(160).append("{\"type\":\"disconnect\",\"origin\":");
        JsonText.quote(message, instance.value()).append(",\"by\":\"").append(order.byUser() ? "user" : "connection")
                .append("\",\"target\":");
        JsonText.quote(message, order.target()).append(",\"admin\":");
        JsonText.quote(message, order.admin()).append('}');
        control.sendControl(message.toString());
    }

    /** A message on the control channel, on the broker's loop thread; types other than its own are left alone. */
    public void onControl(String message) {
        // Cheap test first: most control messages are someone else's.
        if (!message.contains("\"audit\"") && !message.contains("\"disconnect\"")) {
            return;
        }
        Optional<JsonObject> parsed = JsonData.object(message);
        if (parsed.isEmpty()) {
            return; // the connection directory reports malformed control messages
        }
        JsonObject json = parsed.get();
        String type = json.getString("type", "");
        if (!type.equals("audit") && !type.equals("disconnect") || instance.value().equals(json.getString("origin", null))) {
            return;
        }
        try {
            executor.execute(() -> handle(type, json));
        } catch (RejectedExecutionException e) {
            handle(type, json);
        }
    }

    private void handle(String type, JsonObject json) {
        try {
            if (type.equals("audit")) {
                records.accept(records(json.getJsonArray("records")));
            } else {
                String target = json.getString("target");
                String admin = json.getString("admin", "");
                disconnects.accept("user".equals(json.getString("by", "")) ? Disconnect.user(target, admin)
                        : Disconnect.connection(target, admin));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "skipped a malformed " + type + " control message", e);
        }
    }

    static List<AuditRecord> records(JsonArray array) {
        List<AuditRecord> out = new ArrayList<>(array.size());
        for (JsonValue value : array) {
            JsonObject r = value.asJsonObject();
            out.add(new AuditRecord(r.getString("id"), Instant.parse(r.getString("time")),
                    AuditType.parse(r.getString("type")).orElseThrow(), AuditOutcome.parse(r.getString("outcome")).orElseThrow(),
                    text(r, "user"), r.getString("instance"), text(r, "connection"), text(r, "transport"), text(r, "channel"),
                    JsonData.compact(r.get("detail"))));
        }
        return out;
    }

    private static String text(JsonObject r, String field) {
        JsonValue value = r.get(field);
        return value instanceof jakarta.json.JsonString s ? s.getString() : null;
    }

    @Override
    public String toString() {
        return "audit and admin orders on " + RedisBroker.CONTROL_CHANNEL + " through " + control;
    }
}
