package dev.herald.infrastructure.broker.redis;

import dev.herald.application.ErrorCode;
import dev.herald.application.HeraldException;
import dev.herald.application.JsonData;
import dev.herald.application.PublishService;
import dev.herald.domain.ChannelName;
import dev.herald.domain.EventDraft;
import dev.herald.domain.IdempotencyKey;

import java.util.Map;

/**
 * One entry of the ingest stream, checked by the rules of every other way to publish
 * (docs/protocol.md section 9.4): the fields {@code idempotencyKey}, {@code channel}, {@code type},
 * optional {@code data} (JSON text; absent is JSON {@code null}) and optional {@code correlationId}.
 * Other fields are ignored. The size limit is checked when publishing, as for in-server publishers.
 */
record IngestEntry(IdempotencyKey key, ChannelName channel, EventDraft draft) {

    static final String IDEMPOTENCY_KEY = "idempotencyKey";
    static final String CHANNEL = "channel";
    static final String TYPE = "type";
    static final String DATA = "data";
    static final String CORRELATION_ID = "correlationId";

    /**
     * Checks the fields in the order key, channel, data, type, correlationId.
     *
     * @throws HeraldException with the code an HTTP publish would get for the first problem found;
     *                         its message never quotes the data
     */
    static IngestEntry parse(Map<String, String> fields) {
        String keyText = fields.get(IDEMPOTENCY_KEY);
        if (keyText == null) {
            throw new HeraldException(ErrorCode.MISSING_FIELD, "missing field '" + IDEMPOTENCY_KEY + "'");
        }
        IdempotencyKey key = IdempotencyKey.tryParse(keyText).orElseThrow(() -> new HeraldException(ErrorCode.INVALID_FIELD,
                "'" + IDEMPOTENCY_KEY + "' must be 1 to " + IdempotencyKey.MAX_LENGTH + " characters, without control characters"));
        String channelText = fields.get(CHANNEL);
        if (channelText == null) {
            throw new HeraldException(ErrorCode.MISSING_FIELD, "missing field '" + CHANNEL + "'");
        }
        ChannelName channel = ChannelName.tryParse(channelText).orElseThrow(
                () -> new HeraldException(ErrorCode.INVALID_CHANNEL, "invalid channel name"));
        String data = JsonData.compact(fields.get(DATA));
        EventDraft draft = PublishService.draft(fields.get(TYPE), data, fields.get(CORRELATION_ID));
        return new IngestEntry(key, channel, draft);
    }
}
