package dev.herald.infrastructure.broker.redis;

import dev.herald.application.ErrorCode;
import dev.herald.application.HeraldException;
import dev.herald.domain.ChannelName;
import dev.herald.domain.EventType;
import dev.herald.domain.IdempotencyKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The ingest stream's entry rules: those of an HTTP publish, plus the idempotency key. */
class IngestEntryTest {

    private static Map<String, String> valid() {
        Map<String, String> fields = new HashMap<>();
        fields.put("idempotencyKey", "order-42-shipped");
        fields.put("channel", "orders:42");
        fields.put("type", "order.shipped");
        fields.put("data", "{ \"carrier\" : \"DHL\", \"parcels\" : [1, 2] }");
        fields.put("correlationId", "req-7");
        return fields;
    }

    private static ErrorCode refused(Map<String, String> fields) {
        return assertThrows(HeraldException.class, () -> IngestEntry.parse(fields)).code();
    }

    @Test
    void aCompleteEntryBecomesAChannelADraftAndAKey() {
        // when
        IngestEntry entry = IngestEntry.parse(valid());

        // then
        assertEquals(new IdempotencyKey("order-42-shipped"), entry.key());
        assertEquals(ChannelName.of("orders", "42"), entry.channel());
        assertEquals(new EventType("order.shipped"), entry.draft().type());
        assertEquals("{\"carrier\":\"DHL\",\"parcels\":[1,2]}", entry.draft().data(), "data is stored as compact JSON");
        assertEquals("req-7", entry.draft().correlationId());
    }

    @Test
    void dataAndCorrelationIdAreOptional() {
        // given
        Map<String, String> fields = valid();
        fields.remove("data");
        fields.remove("correlationId");

        // when
        IngestEntry entry = IngestEntry.parse(fields);

        // then
        assertEquals("null", entry.draft().data(), "absent data is JSON null");
        assertNull(entry.draft().correlationId());
    }

    @Test
    void anyJsonValueIsData() {
        for (String data : new String[] {"\"text\"", "42", "true", "null", "[]", "{\"a\":{\"b\":[null]}}"}) {
            Map<String, String> fields = valid();
            fields.put("data", data);

            assertEquals(data, IngestEntry.parse(fields).draft().data());
        }
    }

    @Test
    void unknownFieldsAreIgnored() {
        // given
        Map<String, String> fields = valid();
        fields.put("producer", "billing");

        // then
        assertEquals(IngestEntry.parse(valid()), IngestEntry.parse(fields));
    }

    @ParameterizedTest(name = "without {0}: {1}")
    @CsvSource({
            "idempotencyKey, missing_field",
            "channel, missing_field",
            "type, missing_field"})
    void aRequiredFieldMissingIsMissingField(String field, String code) {
        // given
        Map<String, String> fields = valid();
        fields.remove(field);

        // then
        assertEquals(code, refused(fields).code());
    }

    @ParameterizedTest(name = "{0} = ''{1}'': {2}")
    @CsvSource(delimiter = '|', value = {
            "idempotencyKey | ''                | invalid_field",
            "channel        | Orders:42         | invalid_channel",
            "channel        | orders            | invalid_channel",
            "channel        | orders:42/1       | invalid_channel",
            "type           | ping              | reserved_event_type",
            "type           | 9lives            | invalid_event_type",
            "type           | ''                | invalid_event_type",
            "correlationId  | ''                | invalid_field",
            "data           | '{\"a\":'         | bad_json",
            "data           | '{} {}'           | bad_json",
            "data           | ''                | bad_json",
            "data           | not json          | bad_json"})
    void anInvalidFieldIsRefusedWithTheCodeOfAnHttpPublish(String field, String value, String code) {
        // given
        Map<String, String> fields = valid();
        fields.put(field, value);

        // then
        assertEquals(code, refused(fields).code());
    }

    @Test
    void longFieldsAreRefused() {
        Map<String, String> longKey = valid();
        longKey.put("idempotencyKey", "k".repeat(129));
        Map<String, String> longCorrelation = valid();
        longCorrelation.put("correlationId", "c".repeat(129));

        assertEquals(ErrorCode.INVALID_FIELD, refused(longKey));
        assertEquals(ErrorCode.INVALID_FIELD, refused(longCorrelation));
        Map<String, String> longest = valid();
        longest.put("idempotencyKey", "k".repeat(128));
        assertEquals(128, IngestEntry.parse(longest).key().value().length());
    }

    @Test
    void aKeyWithAControlCharacterIsRefused() {
        for (String key : new String[] {"a\nb", "a\u0000b", "tab\t"}) {
            Map<String, String> fields = valid();
            fields.put("idempotencyKey", key);

            assertEquals(ErrorCode.INVALID_FIELD, refused(fields), key);
        }
    }

    @Test
    void theKeyIsCheckedFirstSoThatARejectionCanNameIt() {
        // given: everything is wrong
        Map<String, String> fields = Map.of("channel", "BAD", "type", "ping", "data", "{");

        // then
        assertEquals(ErrorCode.MISSING_FIELD, refused(fields));
        HeraldException e = assertThrows(HeraldException.class, () -> IngestEntry.parse(fields));
        assertEquals("missing field 'idempotencyKey'", e.getMessage());
    }

    @Test
    void theMessageNeverQuotesTheData() {
        // given
        Map<String, String> fields = valid();
        fields.put("data", "{\"password\":\"s3cr3t\"");

        // when
        HeraldException e = assertThrows(HeraldException.class, () -> IngestEntry.parse(fields));

        // then
        assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
    }
}
