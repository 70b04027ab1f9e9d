package dev.herald.interfaces.websocket;

import dev.herald.application.ErrorCode;
import dev.herald.application.HeraldException;
import dev.herald.application.session.ClientFrame;
import dev.herald.domain.ChannelName;
import dev.herald.domain.Sequence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class FrameDecoderTest {

    private static final ChannelName DIAGNOSIS_42 = ChannelName.parse("diagnosis:42");

    /** Single quotes stand for double quotes, to keep the frames readable. */
    private static String json(String text) {
        return text.replace('\'', '"');
    }

    private static ClientFrame decode(String frame) {
        return FrameDecoder.decode(json(frame));
    }

    private static FrameDecoder.Rejected rejected(String frame, ErrorCode expected) {
        FrameDecoder.Rejected e = assertThrows(FrameDecoder.Rejected.class, () -> FrameDecoder.decode(json(frame)));
        assertEquals(expected, e.code(), () -> "for " + frame + ": " + e.getMessage());
        return e;
    }

    // ---- each frame type ----

    @Test
    void decodesAuth() {
        ClientFrame.Auth auth = assertInstanceOf(ClientFrame.Auth.class, decode("{'type':'auth','token':'abc.def.ghi'}"));

        assertEquals("abc.def.ghi", auth.token());
    }

    @Test
    void decodesSubscribeWithoutSince() {
        ClientFrame.Subscribe sub = assertInstanceOf(ClientFrame.Subscribe.class,
                decode("{'type':'subscribe','channel':'diagnosis:42','ref':'s1'}"));

        assertEquals(DIAGNOSIS_42, sub.channel());
        assertEquals(Optional.empty(), sub.since());
        assertEquals("s1", sub.ref());
    }

    @Test
    void decodesSubscribeWithSince() {
        ClientFrame.Subscribe sub = assertInstanceOf(ClientFrame.Subscribe.class,
                decode("{'type':'subscribe','channel':'diagnosis:42','since':17}"));

        assertEquals(Optional.of(Sequence.of(17)), sub.since());
        assertNull(sub.ref());
    }

    @Test
    void decodesSubscribeWithSinceZeroAndNull() {
        ClientFrame.Subscribe zero = assertInstanceOf(ClientFrame.Subscribe.class,
                decode("{'type':'subscribe','channel':'diagnosis:42','since':0}"));
        ClientFrame.Subscribe nul = assertInstanceOf(ClientFrame.Subscribe.class,
                decode("{'type':'subscribe','channel':'diagnosis:42','since':null}"));

        assertEquals(Optional.of(Sequence.ZERO), zero.since());
        assertEquals(Optional.empty(), nul.since());
    }

    @Test
    void decodesUnsubscribe() {
        ClientFrame.Unsubscribe unsub = assertInstanceOf(ClientFrame.Unsubscribe.class,
                decode("{'type':'unsubscribe','channel':'diagnosis:42','ref':'u1'}"));

        assertEquals(DIAGNOSIS_42, unsub.channel());
        assertEquals("u1", unsub.ref());
    }

    @Test
    void decodesAck() {
        ClientFrame.Ack ack = assertInstanceOf(ClientFrame.Ack.class,
                decode("{'type':'ack','channel':'diagnosis:42','seq':9}"));

        assertEquals(DIAGNOSIS_42, ack.channel());
        assertEquals(Sequence.of(9), ack.seq());
    }

    @Test
    void decodesPingAndPongAsNonActivity() {
        ClientFrame ping = decode("{'type':'ping'}");
        ClientFrame pong = decode("{'type':'pong'}");

        assertInstanceOf(ClientFrame.Ping.class, ping);
        assertInstanceOf(ClientFrame.Pong.class, pong);
        assertFalse(ping.isActivity());
        assertFalse(pong.isActivity());
        assertTrue(decode("{'type':'auth','token':'t'}").isActivity());
    }

    @Test
    void decodesPublishWithObjectDataAndCorrelationId() {
        ClientFrame.Publish pub = assertInstanceOf(ClientFrame.Publish.class, decode(
                "{'type':'publish','channel':'diagnosis:42','event':'agent_message',"
                        + "'data': { 'text' : 'hi', 'n' : [1, 2] },'correlationId':'c-1','ref':'p1'}"));

        assertEquals(DIAGNOSIS_42, pub.channel());
        assertEquals("agent_message", pub.event());
        assertEquals(json("{'text':'hi','n':[1,2]}"), pub.data(), "data is compacted");
        assertEquals("c-1", pub.correlationId());
        assertEquals("p1", pub.ref());
    }

    @Test
    void decodesPublishWithArrayData() {
        ClientFrame.Publish pub = assertInstanceOf(ClientFrame.Publish.class,
                decode("{'type':'publish','channel':'diagnosis:42','event':'e','data':[1, 'two', null]}"));

        assertEquals(json("[1,'two',null]"), pub.data());
        assertNull(pub.correlationId());
        assertNull(pub.ref());
    }

    @Test
    void decodesPublishWithoutDataAsJsonNull() {
        ClientFrame.Publish absent = assertInstanceOf(ClientFrame.Publish.class,
                decode("{'type':'publish','channel':'diagnosis:42','event':'e'}"));
        ClientFrame.Publish explicit = assertInstanceOf(ClientFrame.Publish.class,
                decode("{'type':'publish','channel':'diagnosis:42','event':'e','data':null}"));

        assertEquals("null", absent.data());
        assertEquals("null", explicit.data());
    }

    @Test
    void decodesPublishWithScalarData() {
        ClientFrame.Publish pub = assertInstanceOf(ClientFrame.Publish.class,
                decode("{'type':'publish','channel':'diagnosis:42','event':'e','data':'text'}"));

        assertEquals(json("'text'"), pub.data());
    }

    @Test
    void decodesCommand() {
        ClientFrame.Command cmd = assertInstanceOf(ClientFrame.Command.class,
                decode("{'type':'command','channel':'diagnosis:42','name':'cancel','data':{'reason':'user'},'ref':'c1'}"));

        assertEquals(DIAGNOSIS_42, cmd.channel());
        assertEquals("cancel", cmd.name());
        assertEquals(json("{'reason':'user'}"), cmd.data());
        assertEquals("c1", cmd.ref());
    }

    @Test
    void decodesCommandWithoutData() {
        ClientFrame.Command cmd = assertInstanceOf(ClientFrame.Command.class,
                decode("{'type':'command','channel':'diagnosis:42','name':'cancel'}"));

        assertEquals("null", cmd.data());
        assertNull(cmd.ref());
    }

    @Test
    void decodesPresence() {
        ClientFrame.Presence presence = assertInstanceOf(ClientFrame.Presence.class,
                decode("{'type':'presence','channel':'diagnosis:42','ref':'p1'}"));

        assertEquals(DIAGNOSIS_42, presence.channel());
        assertEquals("p1", presence.ref());
        assertTrue(presence.isActivity(), "asking for presence is client activity");
    }

    @Test
    void acceptsWhitespaceAroundTheFrame() {
        assertInstanceOf(ClientFrame.Ping.class, decode("  \n{ 'type' : 'ping' }\r\n\t "));
    }

    @Test
    void ignoresUnknownFields() {
        ClientFrame.Ack ack = assertInstanceOf(ClientFrame.Ack.class,
                decode("{'type':'ack','channel':'diagnosis:42','seq':1,'extra':{'x':[1]}}"));

        assertEquals(Sequence.of(1), ack.seq());
    }

    // ---- rejections ----

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "{", "{'type':", "not json", "{'type':'ping'", "{type:'ping'}", "{'type':'ping',}",
            "{'type':'ping'} {'type':'pong'}", "{'type':'ping'}x", "nul", "'unterminated"})
    void refusesTextThatIsNotJsonAsBadJson(String frame) {
        FrameDecoder.Rejected e = rejected(frame, ErrorCode.BAD_JSON);

        assertNull(FrameDecoder.refOf(e));
    }

    @Test
    void refusesTwoFramesGluedTogetherAsBadJson() {
        // given a valid publish followed by a second one in the same text frame
        String pub = "{'type':'publish','channel':'diagnosis:42','event':'e','data':1}";

        // then neither is taken: the text as a whole is not one JSON value
        rejected(pub + pub, ErrorCode.BAD_JSON);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "[{'type':'ping'}]", "'ping'", "42", "null", "true"})
    void refusesJsonThatIsNotAnObjectAsBadFrame(String frame) {
        rejected(frame, ErrorCode.BAD_FRAME);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{'channel':'diagnosis:42'}", "{'type':1}", "{'type':null}", "{'type':['ping']}",
            "{'type':{'name':'ping'}}", "{'type':true}"})
    void refusesAFrameWithoutAStringTypeAsBadFrame(String frame) {
        rejected(frame, ErrorCode.BAD_FRAME);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{'type':'subscribed'}", "{'type':'PING'}", "{'type':''}", "{'type':'welcome'}",
            "{'type':'event'}"})
    void refusesAnUnknownTypeAsUnknownType(String frame) {
        rejected(frame, ErrorCode.UNKNOWN_TYPE);
    }

    @Test
    void unknownTypeMessageClipsLongTypes() {
        String type = "x".repeat(1000);

        FrameDecoder.Rejected e = rejected("{'type':'" + type + "'}", ErrorCode.UNKNOWN_TYPE);

        assertFalse(e.getMessage().contains(type), "a long type is not echoed whole");
        assertTrue(e.getMessage().length() < 100, e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"subscribe", "unsubscribe", "ack", "publish", "command", "presence"})
    void refusesAMissingChannelAsMissingField(String type) {
        FrameDecoder.Rejected e = rejected("{'type':'" + type + "','ref':'r7'}", ErrorCode.MISSING_FIELD);

        assertTrue(e.getMessage().contains("channel"), e.getMessage());
        assertEquals("r7", FrameDecoder.refOf(e));
    }

    @Test
    void refusesANullChannelAsMissingField() {
        rejected("{'type':'subscribe','channel':null}", ErrorCode.MISSING_FIELD);
    }

    @Test
    void refusesANonStringChannelAsInvalidField() {
        rejected("{'type':'subscribe','channel':42}", ErrorCode.INVALID_FIELD);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Diagnosis:42", "diagnosis", "diagnosis:", ":42", "diagnosis:4:2", "diagnosis:a b", ""})
    void refusesAnInvalidChannelAsInvalidChannel(String channel) {
        FrameDecoder.Rejected e = rejected("{'type':'subscribe','channel':'" + channel + "','ref':'r1'}",
                ErrorCode.INVALID_CHANNEL);

        assertEquals("r1", FrameDecoder.refOf(e));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "1.5", "1.0", "'5'", "true", "[1]", "{}", "1e2", "99999999999999999999"})
    void refusesASinceThatIsNotANonNegativeIntegerAsInvalidField(String since) {
        FrameDecoder.Rejected e = rejected("{'type':'subscribe','channel':'diagnosis:42','since':" + since + ",'ref':'s9'}",
                ErrorCode.INVALID_FIELD);

        assertTrue(e.getMessage().contains("since"), e.getMessage());
        assertEquals("s9", FrameDecoder.refOf(e));
    }

    @Test
    void refusesAnAckWithoutSeqAsMissingField() {
        FrameDecoder.Rejected e = rejected("{'type':'ack','channel':'diagnosis:42','ref':'a1'}", ErrorCode.MISSING_FIELD);

        assertTrue(e.getMessage().contains("seq"), e.getMessage());
        assertEquals("a1", FrameDecoder.refOf(e));
    }

    @Test
    void refusesAnAckWithANegativeSeqAsInvalidField() {
        rejected("{'type':'ack','channel':'diagnosis:42','seq':-3}", ErrorCode.INVALID_FIELD);
    }

    @Test
    void refusesAnAuthWithoutTokenAsMissingField() {
        FrameDecoder.Rejected e = rejected("{'type':'auth'}", ErrorCode.MISSING_FIELD);

        assertTrue(e.getMessage().contains("token"), e.getMessage());
        rejected("{'type':'auth','token':123}", ErrorCode.INVALID_FIELD);
    }

    @Test
    void refusesAPublishWithoutEventAsMissingField() {
        FrameDecoder.Rejected e = rejected("{'type':'publish','channel':'diagnosis:42','ref':'p2'}", ErrorCode.MISSING_FIELD);

        assertTrue(e.getMessage().contains("event"), e.getMessage());
        assertEquals("p2", FrameDecoder.refOf(e));
    }

    @Test
    void refusesACommandWithoutNameAsMissingField() {
        FrameDecoder.Rejected e = rejected("{'type':'command','channel':'diagnosis:42'}", ErrorCode.MISSING_FIELD);

        assertTrue(e.getMessage().contains("name"), e.getMessage());
    }

    @Test
    void refusesABadCorrelationIdAsInvalidField() {
        rejected("{'type':'publish','channel':'diagnosis:42','event':'e','correlationId':7}", ErrorCode.INVALID_FIELD);
        rejected("{'type':'publish','channel':'diagnosis:42','event':'e','correlationId':'" + "c".repeat(129) + "'}",
                ErrorCode.INVALID_FIELD);
        ClientFrame.Publish ok = assertInstanceOf(ClientFrame.Publish.class, decode(
                "{'type':'publish','channel':'diagnosis:42','event':'e','correlationId':'" + "c".repeat(128) + "'}"));
        assertEquals(128, ok.correlationId().length());
    }

    @Test
    void refusesABadRefAsInvalidFieldWithoutARef() {
        FrameDecoder.Rejected notString = rejected("{'type':'ping','ref':5}", ErrorCode.INVALID_FIELD);
        FrameDecoder.Rejected tooLong = rejected("{'type':'ping','ref':'" + "r".repeat(129) + "'}", ErrorCode.INVALID_FIELD);

        assertNull(FrameDecoder.refOf(notString));
        assertNull(FrameDecoder.refOf(tooLong));
    }

    @Test
    void carriesTheRefOnErrorsWhenTheFrameHadOne() {
        assertEquals("r1", FrameDecoder.refOf(rejected("{'type':'nope','ref':'r1'}", ErrorCode.UNKNOWN_TYPE)));
        assertEquals("r2", FrameDecoder.refOf(rejected("{'ref':'r2'}", ErrorCode.BAD_FRAME)));
        assertEquals("r3", FrameDecoder.refOf(rejected("{'type':7,'ref':'r3'}", ErrorCode.BAD_FRAME)));
        assertNull(FrameDecoder.refOf(rejected("{'type':'nope'}", ErrorCode.UNKNOWN_TYPE)));
    }

    @Test
    void refOfIsNullForOtherExceptions() {
        assertNull(FrameDecoder.refOf(new HeraldException(ErrorCode.FORBIDDEN, "no")));
    }

    // ---- property: never anything but a decoded frame or a refusal ----

    private static final List<String> VALID = List.of(
            "{'type':'auth','token':'abc.def.ghi'}",
            "{'type':'subscribe','channel':'diagnosis:42','since':17,'ref':'s1'}",
            "{'type':'unsubscribe','channel':'diagnosis:42','ref':'u1'}",
            "{'type':'ack','channel':'diagnosis:42','seq':9}",
            "{'type':'ping'}",
            "{'type':'pong'}",
            "{'type':'publish','channel':'diagnosis:42','event':'agent_message','data':{'a':[1,2.5,'x',null,true]},'correlationId':'c-1','ref':'p1'}",
            "{'type':'command','channel':'diagnosis:42','name':'cancel','data':[{}],'ref':'c1'}",
            "{'type':'presence','channel':'diagnosis:42','ref':'p1'}");

    private static final String ALPHABET = "{}[]:,\"'\\ \t\n0123456789-+.eEtruefalsnl"
            + "abcdefghijklmnopqrstuvwxyzABCXYZ_@é\u0000\u2028😀";

    @Test
    void randomInputEitherDecodesOrIsRefused() {
        // given a fixed seed so a failure reproduces
        Random random = new Random(0x5eedL);
        int decoded = 0;
        int refusedCount = 0;
        for (int i = 0; i < 2_000; i++) {
            String input = randomInput(random, i);

            // when
            try {
                ClientFrame frame = FrameDecoder.decode(input);
                assertTrue(frame != null, "decode never returns null");
                decoded++;
            } catch (HeraldException e) {
                // then: FrameDecoder.Rejected, or HeraldException from the data compaction, with a code
                assertTrue(e.code() != null, "a refusal carries an error code");
                refusedCount++;
            } catch (RuntimeException | Error e) {
                fail("input #" + i + " " + printable(input) + " threw " + e, e);
            }
        }
        assertTrue(decoded > 0, "some inputs are valid frames");
        assertTrue(refusedCount > 0, "some inputs are refused");
    }

    private static String randomInput(Random random, int i) {
        String valid = json(VALID.get(random.nextInt(VALID.size())));
        switch (i % 4) {
            case 0: // a truncated valid frame
                return valid.substring(0, random.nextInt(valid.length() + 1));
            case 1: { // a valid frame with a few characters replaced
                char[] chars = valid.toCharArray();
                int edits = 1 + random.nextInt(3);
                for (int k = 0; k < edits; k++) {
                    chars[random.nextInt(chars.length)] = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
                }
                return new String(chars);
            }
            case 2: { // random text from a JSON-heavy alphabet
                StringBuilder out = new StringBuilder();
                int length = random.nextInt(40);
                for (int k = 0; k < length; k++) {
                    out.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                }
                return out.toString();
            }
            default: { // arbitrary UTF-16 units, lone surrogates included
                StringBuilder out = new StringBuilder();
                int length = random.nextInt(30);
                for (int k = 0; k < length; k++) {
                    out.append((char) random.nextInt(0x10000));
                }
                return out.toString();
            }
        }
    }

    private static String printable(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            out.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return out.append('"').toString();
    }
}
