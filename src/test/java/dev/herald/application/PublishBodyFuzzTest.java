package dev.herald.application;

import dev.herald.application.security.Principal;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Event;
import dev.herald.domain.EventDraft;
import dev.herald.infrastructure.broker.memory.InMemoryBroker;
import dev.herald.testing.ApplicationHarness;
import dev.herald.testing.Fuzz;
import dev.herald.testing.MutableClock;
import dev.herald.testing.TestTokens;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static dev.herald.testing.Fuzz.forAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random and mutated bodies of {@code POST /api/channels/{channel}/events}, through the same steps
 * as the resource (JsonData, PublishService.draft, PublishService.publish): each is stored exactly
 * once or refused with a documented 4xx code, and the channel's history holds exactly what was accepted.
 */
class PublishBodyFuzzTest {

    /** The publish API's body errors in protocol.md's error table; a refusal is never a 5xx. */
    private static final Set<ErrorCode> BODY_ERRORS = Set.of(ErrorCode.BAD_JSON, ErrorCode.BAD_FRAME, ErrorCode.MISSING_FIELD,
            ErrorCode.INVALID_FIELD, ErrorCode.INVALID_EVENT_TYPE, ErrorCode.RESERVED_EVENT_TYPE, ErrorCode.PAYLOAD_TOO_LARGE);
    private static final String[] VALID = {
            "{\"type\":\"timeline_update\",\"data\":{\"step\":3,\"label\":\"r\\u00e9sum\\u00e9\"}}",
            "{\"type\":\"token\",\"data\":\"Hel\",\"correlationId\":\"iteration-7\"}",
            "{\"type\":\"threat.detected\",\"data\":[1,2.5,-3e2,true,null,{\"nested\":{\"deep\":[]}}]}",
            "{\"type\":\"output\"}",
    };
    private static final ChannelName CHANNEL = ChannelName.parse("diagnosis:42");

    private final ApplicationHarness herald = new ApplicationHarness(new InMemoryBroker(),
            new MutableClock(Instant.parse("2025-06-01T09:00:00Z")), Map.of());
    private final Principal publisher = TestTokens.user("alice", List.of("diagnosis:*"), List.of("diagnosis:*"),
            Instant.parse("2030-01-01T00:00:00Z"));

    @AfterEach
    void stop() {
        herald.close();
    }

    /** What ChannelEventsResource does with a body, up to and including the store. */
    private Event publish(String body) {
        JsonValue parsed = JsonData.parse(new StringReader(body), "the body");
        if (!(parsed instanceof JsonObject request)) {
            throw new HeraldException(ErrorCode.BAD_JSON, "the body must be a JSON object");
        }
        JsonValue type = request.get("type");
        if (type == JsonValue.NULL) {
            type = null;
        }
        if (type != null && !(type instanceof JsonString)) {
            throw new HeraldException(ErrorCode.INVALID_FIELD, "'type' must be a string");
        }
        JsonValue correlation = request.get("correlationId");
        if (correlation != null && correlation != JsonValue.NULL && !(correlation instanceof JsonString)) {
            throw new HeraldException(ErrorCode.INVALID_FIELD, "'correlationId' must be a string");
        }
        EventDraft draft = PublishService.draft(type == null ? null : ((JsonString) type).getString(),
                JsonData.compact(request.get("data")), correlation instanceof JsonString s ? s.getString() : null);
        return herald.publishing.publish(publisher, CHANNEL, draft, PublishService.Origin.HTTP);
    }

    /** Everything accepted so far, over all tries of a property: the store must hold exactly this. */
    private final List<Event> accepted = new ArrayList<>();

    private void storedOnceOrRefused(List<String> bodies) {
        for (String body : bodies) {
            try {
                accepted.add(publish(body));
            } catch (HeraldException refused) {
                assertTrue(BODY_ERRORS.contains(refused.code()), "undocumented refusal " + refused.code() + " for " + body);
                assertTrue(refused.code().httpStatus() < 500, refused.code().toString());
            }
        }
        // The store holds exactly the accepted events, numbered one after another.
        List<Event> stored = herald.store.read(CHANNEL, dev.herald.domain.Sequence.of(0), 100_000);
        assertEquals(accepted, stored);
        for (int i = 0; i < stored.size(); i++) {
            assertEquals(i + 1, stored.get(i).seq().value());
        }
    }

    private static List<String> batch(Random r, java.util.function.Function<Random, String> body) {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            bodies.add(body.apply(r));
        }
        return bodies;
    }

    @Test
    void mutatedBodiesAreStoredOnceOrRefusedWithADocumentedCode() {
        forAll(300, r -> batch(r, x -> Fuzz.mutate(x, Fuzz.oneOf(x, VALID))), this::storedOnceOrRefused);
        assertTrue(accepted.size() > 0, "some mutations are still valid bodies");
    }

    @Test
    void randomAndTokenSoupBodiesAreStoredOnceOrRefusedWithADocumentedCode() {
        forAll(300, r -> batch(r, x -> x.nextBoolean() ? Fuzz.anyString(x, 120) : "{\"type\":" + Fuzz.jsonish(x, 12) + "}"),
                this::storedOnceOrRefused);
    }

    @Test
    void anyEventTypeAndCorrelationIdGiveADraftOrADocumentedRefusal() {
        forAll(5000, r -> new String[]{r.nextInt(10) == 0 ? null : Fuzz.anyString(r, 80),
                r.nextBoolean() ? null : Fuzz.anyString(r, 140)}, pair -> {
            try {
                EventDraft draft = PublishService.draft(pair[0], "null", pair[1]);
                assertEquals(pair[0], draft.type().value());
            } catch (HeraldException refused) {
                assertTrue(Set.of(ErrorCode.MISSING_FIELD, ErrorCode.RESERVED_EVENT_TYPE, ErrorCode.INVALID_EVENT_TYPE,
                        ErrorCode.INVALID_FIELD).contains(refused.code()), refused.code().toString());
            }
        });
    }
}
