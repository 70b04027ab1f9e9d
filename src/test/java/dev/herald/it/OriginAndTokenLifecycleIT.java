package dev.herald.it;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.herald.testing.Frames.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Origin checks and the token lifecycle on a real server: cross-origin WebSocket handshakes and
 * SSE requests refused with 403 before anything else, wherever the token is; same-origin, no-Origin
 * and allow-listed requests served; tokens from named issuers whose JWKS a real HTTP server in this
 * JVM serves on loopback (rotation, a flood of unknown key ids, a wrong algorithm); and a live
 * WebSocket closed with 4010 when its token expires unless refreshed.
 */
@ExtendWith(ArquillianExtension.class)
class OriginAndTokenLifecycleIT {

    private static final String ISSUER = "https://idp.herald.test";
    private static final String ROTATING_ISSUER = "https://rotating.herald.test";
    private static final String ALLOWED = "https://app.herald.test";

    private static HttpServer jwksServer;
    private static RSAKey idpKey;
    private static RSAKey rotatingOld;
    private static RSAKey rotatingNew;
    private static final AtomicReference<String> rotatingJwks = new AtomicReference<>();
    private static final AtomicInteger rotatingFetches = new AtomicInteger();

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        idpKey = new RSAKeyGenerator(2048).keyID("idp-1").generate();
        rotatingOld = new RSAKeyGenerator(2048).keyID("rot-1").generate();
        rotatingNew = new RSAKeyGenerator(2048).keyID("rot-2").generate();
        rotatingJwks.set(jwks(rotatingOld));
        String idpJwks = jwks(idpKey);
        jwksServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        jwksServer.createContext("/idp/jwks", exchange -> respond(exchange, idpJwks));
        jwksServer.createContext("/rotating/jwks", exchange -> {
            rotatingFetches.incrementAndGet();
            respond(exchange, rotatingJwks.get());
        });
        jwksServer.setExecutor(Executors.newFixedThreadPool(2));
        jwksServer.start();
        String jwksBase = "http://127.0.0.1:" + jwksServer.getAddress().getPort();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("herald.jwt.secret", ""); // named issuers instead of the test secret
        settings.put("herald.jwt.issuers", "idp,rotating");
        settings.put("herald.jwt.issuers.idp.issuer", ISSUER);
        settings.put("herald.jwt.issuers.idp.jwks-url", jwksBase + "/idp/jwks");
        settings.put("herald.jwt.issuers.rotating.issuer", ROTATING_ISSUER);
        settings.put("herald.jwt.issuers.rotating.jwks-url", jwksBase + "/rotating/jwks");
        settings.put("herald.jwt.issuers.rotating.algorithms", "RS256");
        // An hour: within this test every unknown-kid refresh after the first is held back.
        settings.put("herald.jwt.jwks-refresh-interval", "1h");
        settings.put("herald.jwt.clock-skew", "1s");
        settings.put("herald.allowed-origins", ALLOWED);
        settings.put("herald.audit.flush-interval", "100ms");
        return Deployments.herald(settings);
    }

    @AfterAll
    static void stopJwks() {
        if (jwksServer != null) {
            jwksServer.stop(0);
        }
    }

    private static void respond(com.sun.net.httpserver.HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String jwks(JWK... keys) {
        return new JWKSet(List.of(keys)).toString(false);
    }

    @ArquillianResource
    URL base;

    // --- tokens ----------------------------------------------------------------------------------

    private static JWTClaimsSet.Builder claims(String issuer, String subject, Duration ttl) {
        return new JWTClaimsSet.Builder().issuer(issuer).subject(subject)
                .expirationTime(Date.from(Instant.now().plus(ttl)))
                .claim("channels", List.of("orig:*")).claim("publish", List.of("orig:*"));
    }

    private static String rs256(RSAKey key, String kid, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(), claims);
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String token(String subject) {
        return rs256(idpKey, "idp-1", claims(ISSUER, subject, Duration.ofHours(1)).build());
    }

    private static String admin() {
        return rs256(idpKey, "idp-1", claims(ISSUER, "root", Duration.ofHours(1)).claim("roles", List.of("admin")).build());
    }

    // --- helpers -----------------------------------------------------------------------------------

    private String ownOrigin() {
        return "http://" + base.getHost() + ":" + base.getPort();
    }

    private URI ws(String pathAndQuery) {
        return new Api(base).ws(pathAndQuery);
    }

    private URI events(String channel) {
        return URI.create(base.toString().replaceAll("/?$", "/") + "api/channels/" + channel + "/events");
    }

    private record Answer(int status, String body) {
    }

    /**
     * A WebSocket opening handshake written by hand, as a browser would send it from a page of
     * {@code origin}: the JDK's client cannot show a refused handshake's status and body.
     */
    private Answer handshake(String pathAndQuery, Map<String, String> headers) throws IOException {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout((int) WsClient.WAIT.toMillis());
            StringBuilder request = new StringBuilder()
                    .append("GET ").append(pathAndQuery).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(base.getHost()).append(':').append(base.getPort()).append("\r\n")
                    .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                    .append("Sec-WebSocket-Key: ").append(java.util.Base64.getEncoder().encodeToString(UUID.randomUUID().toString().substring(0, 16).getBytes(StandardCharsets.US_ASCII))).append("\r\n")
                    .append("Sec-WebSocket-Version: 13\r\n");
            headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
            request.append("\r\n");
            socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            int status = Integer.parseInt(head.split(" ", 3)[1]);
            int length = 0;
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            String body = status == 101 ? "" : new String(in.readNBytes(length), StandardCharsets.UTF_8);
            return new Answer(status, body);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the response head: " + head);
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    private static void assertOriginRefused(int status, String body) {
        assertEquals(403, status, body);
        JsonObject problem = parse(body);
        assertEquals("origin_not_allowed", problem.getString("code"));
        assertTrue(problem.getString("detail").contains("herald.allowed-origins"), body);
    }

    // --- origins: WebSocket ----------------------------------------------------------------------

    @Test
    void crossOriginWebSocketHandshakeIsRefusedWith403WhereverTheTokenIs() throws Exception {
        String token = token("wendy");
        String evil = "https://evil.herald.test";
        for (String path : List.of("/ws", "/ws/orig/1", "/ws/audit")) {
            Answer query = handshake(path + "?token=" + token, Map.of("Origin", evil));
            assertOriginRefused(query.status(), query.body());
            Answer header = handshake(path, Map.of("Origin", evil, "Authorization", "Bearer " + token));
            assertOriginRefused(header.status(), header.body());
            Answer cookie = handshake(path, Map.of("Origin", evil, "Cookie", "herald_token=" + token));
            assertOriginRefused(cookie.status(), cookie.body());
        }
    }

    @Test
    void sameOriginNoOriginAndAllowListedHandshakesAreUpgraded() throws Exception {
        String token = token("sam");
        assertEquals(101, handshake("/ws?token=" + token, Map.of("Origin", ownOrigin())).status());
        assertEquals(101, handshake("/ws?token=" + token, Map.of()).status());
        assertEquals(101, handshake("/ws?token=" + token, Map.of("Origin", ALLOWED)).status());
        for (Map<String, String> headers : List.of(Map.of("Origin", ownOrigin()), Map.<String, String>of(), Map.of("Origin", ALLOWED))) {
            try (WsClient client = WsClient.connect(ws("/ws/orig/same?token=" + token), headers)) {
                assertEquals("sam", client.awaitType("welcome").getString("user"), headers.toString());
            }
        }
    }

    @Test
    void forwardedHeadersDoNotMakeAnotherOriginTheGatewaysOwnUnlessTrusted() throws Exception {
        Answer answer = handshake("/ws?token=" + token("fred"), Map.of("Origin", "https://events.herald.test",
                "X-Forwarded-Host", "events.herald.test", "X-Forwarded-Proto", "https"));
        assertOriginRefused(answer.status(), answer.body());
    }

    // --- origins: SSE ----------------------------------------------------------------------------

    @Test
    void crossOriginSseRequestIsRefusedWith403WhereverTheTokenIs() throws Exception {
        String token = token("sue");
        String evil = "https://evil.herald.test";
        List<SseClient> refused = List.of(
                SseClient.open(URI.create(events("orig:sse") + "?token=" + token), Map.of("Origin", evil)),
                SseClient.open(events("orig:sse"), Map.of("Origin", evil, "Authorization", "Bearer " + token)),
                SseClient.open(events("orig:sse"), Map.of("Origin", evil, "Cookie", "herald_token=" + token)));
        for (SseClient stream : refused) {
            try (stream) {
                JsonObject problem = stream.problem();
                assertOriginRefused(stream.status(), problem.toString());
                assertTrue(stream.header("Content-Type").startsWith("application/problem+json"));
            }
        }
    }

    @Test
    void sameOriginNoOriginAndAllowListedSseRequestsStream() throws Exception {
        String token = token("sid");
        for (Map<String, String> headers : List.of(Map.of("Origin", ownOrigin()), Map.<String, String>of(), Map.of("Origin", ALLOWED))) {
            Map<String, String> withCookie = new LinkedHashMap<>(headers);
            withCookie.put("Cookie", "herald_token=" + token);
            try (SseClient stream = SseClient.open(events("orig:sse-ok"), withCookie)) {
                assertEquals(200, stream.status(), headers.toString());
                stream.awaitEvent("subscribed");
            }
        }
    }

    @Test
    void originRefusalsAreAuditedAsAuthFailuresWithTheOrigin() throws Exception {
        String origin = "https://audit-" + UUID.randomUUID().toString().substring(0, 8) + ".herald.test";
        handshake("/ws", Map.of("Origin", origin));
        try (SseClient stream = SseClient.open(events("orig:audited"), Map.of("Origin", origin))) {
            assertEquals(403, stream.status());
        }
        Api api = new Api(base);
        String admin = admin();
        long deadline = System.nanoTime() + WsClient.WAIT.toNanos();
        List<JsonObject> mine = List.of();
        while (mine.size() < 2) {
            assertTrue(System.nanoTime() < deadline, "no audit records for " + origin + ": " + mine);
            HttpResponse<String> response = api.get(admin, "api/audit?type=auth_failure&limit=100");
            assertEquals(200, response.statusCode(), response.body());
            mine = parse(response.body()).getJsonArray("items").getValuesAs(JsonObject.class).stream()
                    .filter(i -> origin.equals(i.getJsonObject("detail").getString("origin", null))).toList();
            if (mine.size() < 2) {
                Thread.sleep(50); // poll interval, bounded by the deadline
            }
        }
        assertEquals(List.of("sse", "websocket"), mine.stream().map(i -> i.getString("transport")).sorted().toList());
        for (JsonObject record : mine) {
            assertEquals("denied", record.getString("outcome"));
            assertEquals("origin not allowed", record.getJsonObject("detail").getString("reason"));
        }
    }

    // --- JWKS --------------------------------------------------------------------------------------

    @Test
    void rotatedKeyIsAcceptedAfterOneRefreshAndAFloodOfUnknownKeyIdsFetchesNoMore() throws Exception {
        // given: the old key is in use
        String old = rs256(rotatingOld, "rot-1", claims(ROTATING_ISSUER, "rita", Duration.ofHours(1)).build());
        try (WsClient client = WsClient.connect(ws("/ws?token=" + old))) {
            client.awaitType("welcome");
        }
        assertEquals(1, rotatingFetches.get());

        // when: the issuer rotates and signs with the new key
        rotatingJwks.set(jwks(rotatingOld, rotatingNew));
        String rotated = rs256(rotatingNew, "rot-2", claims(ROTATING_ISSUER, "rita", Duration.ofHours(1)).build());

        // then: accepted after exactly one more fetch
        try (WsClient client = WsClient.connect(ws("/ws?token=" + rotated))) {
            assertEquals("rita", client.awaitType("welcome").getString("user"));
        }
        assertEquals(2, rotatingFetches.get());

        // when: a flood of tokens naming key ids nobody published, over HTTP and WebSocket
        RSAKey stranger = new RSAKeyGenerator(2048).generate();
        Api api = new Api(base);
        for (int i = 0; i < 40; i++) {
            String forged = rs256(stranger, UUID.randomUUID().toString(), claims(ROTATING_ISSUER, "mallory", Duration.ofHours(1)).build());
            assertEquals(401, api.get(forged, "api/channels/orig:flood/events").statusCode());
        }
        for (int i = 0; i < 3; i++) {
            String forged = rs256(stranger, UUID.randomUUID().toString(), claims(ROTATING_ISSUER, "mallory", Duration.ofHours(1)).build());
            try (RawWebSocket refused = RawWebSocket.handshake(ws("/ws?token=" + forged))) {
                assertEquals(401, refused.status());
            }
        }

        // then: all refused, and the JWKS endpoint saw none of it
        assertEquals(2, rotatingFetches.get());
    }

    @Test
    void hs256TokenKeyedWithTheIssuersPublicKeyIsRefusedWith401() throws Exception {
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("idp-1").build(),
                claims(ISSUER, "mallory", Duration.ofHours(1)).build());
        forged.sign(new MACSigner(idpKey.toRSAPublicKey().getEncoded()));
        try (RawWebSocket refused = RawWebSocket.handshake(ws("/ws?token=" + forged.serialize()))) {
            assertEquals(401, refused.status());
        }
        assertEquals(401, new Api(base).get(forged.serialize(), "api/channels/orig:alg/events").statusCode());
    }

    @Test
    void tokenFromAnIssuerNotConfiguredIsRefusedWith401() throws Exception {
        String foreign = rs256(idpKey, "idp-1", claims("https://elsewhere.herald.test", "mallory", Duration.ofHours(1)).build());
        try (RawWebSocket refused = RawWebSocket.handshake(ws("/ws?token=" + foreign))) {
            assertEquals(401, refused.status());
        }
    }

    // --- exp on live connections -----------------------------------------------------------------

    @Test
    void liveWebSocketIsClosedWith4010AtExpiryUnlessItsTokenWasRefreshed() throws Exception {
        // given: two connections whose tokens expire in a few seconds; one refreshes in time
        String shortLived = rs256(idpKey, "idp-1", claims(ISSUER, "eve", Duration.ofSeconds(3)).build());
        try (WsClient stale = WsClient.connect(ws("/ws?token=" + shortLived));
             WsClient fresh = WsClient.connect(ws("/ws?token=" + shortLived))) {
            stale.awaitType("welcome");
            fresh.awaitType("welcome");
            fresh.send("{\"type\":\"auth\",\"token\":\"" + token("eve") + "\"}");
            fresh.awaitType("refreshed");

            // when: the short token's exp (and the 1 s skew) passes
            int code = stale.awaitClose();

            // then: the stale one is told to come back with a new token; the refreshed one stays
            assertEquals(4010, code);
            assertTrue(stale.closeReason().contains("fresh token"), stale.closeReason());
            fresh.send("{\"type\":\"subscribe\",\"channel\":\"orig:after-exp\",\"ref\":\"s1\"}");
            assertEquals("s1", fresh.awaitType("subscribed").getString("ref"));
            assertFalse(fresh.isClosed());
        }
    }
}
