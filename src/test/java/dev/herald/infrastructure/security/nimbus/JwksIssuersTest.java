package dev.herald.infrastructure.security.nimbus;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.herald.application.config.HeraldConfig;
import dev.herald.application.security.InvalidTokenException;
import dev.herald.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Named issuers with their JWKS served by a real HTTP server (the JDK's) on loopback: keys cached
 * per issuer and key id, a rotated key found by one refresh, floods of unknown key ids held to one
 * fetch per interval, and each issuer's algorithms fixed.
 */
class JwksIssuersTest {

    private static final Duration INTERVAL = Duration.ofSeconds(30);
    private static RSAKey corpOld;
    private static RSAKey corpNew;
    private static ECKey partnerKey;

    private HttpServer server;
    private final AtomicReference<String> corpJwks = new AtomicReference<>();
    private final AtomicReference<String> partnerJwks = new AtomicReference<>();
    private final AtomicInteger corpRequests = new AtomicInteger();
    private final AtomicInteger corpStatus = new AtomicInteger(200);
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

    @BeforeAll
    static void keys() throws JOSEException {
        corpOld = new RSAKeyGenerator(2048).keyID("corp-1").generate();
        corpNew = new RSAKeyGenerator(2048).keyID("corp-2").generate();
        partnerKey = new ECKeyGenerator(Curve.P_256).keyID("partner-1").generate();
    }

    @BeforeEach
    void serve() throws IOException {
        corpJwks.set(jwks(corpOld));
        partnerJwks.set(jwks(partnerKey));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/corp/jwks", exchange -> {
            corpRequests.incrementAndGet();
            byte[] body = corpJwks.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(corpStatus.get(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/partner/jwks", exchange -> {
            byte[] body = partnerJwks.get().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static String jwks(JWK... keys) {
        return new JWKSet(List.of(keys)).toString(false);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private NimbusTokenVerifier verifier() {
        HeraldConfig.Jwt config = new HeraldConfig.Jwt(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Duration.ofSeconds(30),
                List.of(new HeraldConfig.Issuer("corp", "https://login.corp.example", url("/corp/jwks"), Set.of("RS256")),
                        new HeraldConfig.Issuer("partner", "https://idp.partner.example", url("/partner/jwks"), Set.of("ES256"))),
                new HeraldConfig.Jwks(Duration.ofMinutes(10), INTERVAL));
        return new NimbusTokenVerifier(config, null, clock);
    }

    private static JWTClaimsSet claims(String issuer) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer(issuer).subject("alice")
                .expirationTime(Date.from(now.plus(10, ChronoUnit.MINUTES))).build();
    }

    private static String rs256(RSAKey key, String kid, String issuer) throws JOSEException {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(), claims(issuer));
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    private static String corpToken(RSAKey key) throws JOSEException {
        return rs256(key, key.getKeyID(), "https://login.corp.example");
    }

    @Test
    void keysAreFetchedOnceAndCachedAcrossTokens() throws Exception {
        // given
        NimbusTokenVerifier verifier = verifier();

        // when
        for (int i = 0; i < 20; i++) {
            assertEquals("alice", verifier.verify(corpToken(corpOld)).subject());
        }

        // then
        assertEquals(1, corpRequests.get());
    }

    @Test
    void tokenSignedWithARotatedKeyIsAcceptedAfterOneRefresh() throws Exception {
        // given: the old key is cached
        NimbusTokenVerifier verifier = verifier();
        verifier.verify(corpToken(corpOld));

        // when: the issuer publishes a new key and signs with it
        corpJwks.set(jwks(corpOld, corpNew));
        String subject = verifier.verify(corpToken(corpNew)).subject();

        // then
        assertEquals("alice", subject);
        assertEquals(2, corpRequests.get());
        verifier.verify(corpToken(corpNew));
        verifier.verify(corpToken(corpOld));
        assertEquals(2, corpRequests.get(), "both keys are cached now");
    }

    @Test
    void floodOfUnknownKeyIdsFetchesAtMostOncePerInterval() throws Exception {
        // given
        NimbusTokenVerifier verifier = verifier();
        verifier.verify(corpToken(corpOld));
        RSAKey stranger = new RSAKeyGenerator(2048).generate();
        List<String> flood = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            flood.add(rs256(stranger, UUID.randomUUID().toString(), "https://login.corp.example"));
        }

        // when: 200 tokens with made-up key ids, from 8 threads at once
        ExecutorService threads = Executors.newFixedThreadPool(8);
        List<Callable<Boolean>> tasks = new ArrayList<>();
        for (String token : flood) {
            tasks.add(() -> {
                try {
                    verifier.verify(token);
                    return false;
                } catch (InvalidTokenException e) {
                    return true;
                }
            });
        }
        List<Future<Boolean>> results = threads.invokeAll(tasks);
        threads.shutdown();

        // then: every one refused, one refresh for all of them
        for (Future<Boolean> refused : results) {
            assertTrue(refused.get());
        }
        assertEquals(2, corpRequests.get());
        assertEquals(2, verifier.jwksFetches().get("corp"));

        // and: the next interval allows one more refresh, which finds a key rotated meanwhile
        corpJwks.set(jwks(corpOld, corpNew));
        assertThrows(InvalidTokenException.class, () -> verifier.verify(corpToken(corpNew)),
                "still within the interval: the new key is not fetched yet");
        clock.advance(INTERVAL);
        assertEquals("alice", verifier.verify(corpToken(corpNew)).subject());
        assertEquals(3, corpRequests.get());
    }

    @Test
    void hs256TokenIsRefusedByAnRs256IssuerEvenKeyedWithItsPublicKey() throws Exception {
        // given: the classic confusion: HMAC keyed with the issuer's public key bytes
        NimbusTokenVerifier verifier = verifier();
        byte[] publicBytes = corpOld.toRSAPublicKey().getEncoded();
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("corp-1").build(),
                claims("https://login.corp.example"));
        forged.sign(new MACSigner(publicBytes));

        // when
        InvalidTokenException e = assertThrows(InvalidTokenException.class, () -> verifier.verify(forged.serialize()));

        // then
        assertTrue(e.getMessage().startsWith("invalid token"), e.getMessage());
    }

    @Test
    void es256TokenIsRefusedByTheRs256IssuerAndAcceptedByItsOwn() throws Exception {
        // given
        NimbusTokenVerifier verifier = verifier();
        SignedJWT asCorp = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("partner-1").build(),
                claims("https://login.corp.example"));
        asCorp.sign(new ECDSASigner(partnerKey));
        SignedJWT asPartner = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("partner-1").build(),
                claims("https://idp.partner.example"));
        asPartner.sign(new ECDSASigner(partnerKey));

        // then
        assertThrows(InvalidTokenException.class, () -> verifier.verify(asCorp.serialize()));
        assertEquals("alice", verifier.verify(asPartner.serialize()).subject());
    }

    @Test
    void tokenOfOneIssuerSignedWithAnotherIssuersKeyIsRefused() throws Exception {
        // given: the partner's JWKS also lists an RSA key, which corp tokens must not be verified with
        RSAKey partnerRsa = new RSAKeyGenerator(2048).keyID("corp-1").generate();
        partnerJwks.set(jwks(partnerKey, partnerRsa));
        NimbusTokenVerifier verifier = verifier();

        // then
        assertThrows(InvalidTokenException.class, () -> verifier.verify(corpToken(partnerRsa)));
    }

    @Test
    void tokenFromAnUntrustedIssuerIsRefusedWithoutAnyFetch() throws Exception {
        NimbusTokenVerifier verifier = verifier();
        InvalidTokenException e = assertThrows(InvalidTokenException.class,
                () -> verifier.verify(rs256(corpOld, "corp-1", "https://evil.example")));
        assertEquals("invalid token: iss is not a trusted issuer", e.getMessage());
        assertEquals(0, corpRequests.get());
    }

    @Test
    void symmetricKeyInAJwksIsNeverUsed() throws Exception {
        // given: a JWKS that (wrongly) publishes a shared secret
        OctetSequenceKey secret = new OctetSequenceKeyGenerator(256).keyID("corp-1").generate();
        corpJwks.set(new JWKSet(List.<JWK>of(secret)).toString(false));
        NimbusTokenVerifier verifier = verifier();
        SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("corp-1").build(),
                claims("https://login.corp.example"));
        hmac.sign(new MACSigner(secret));

        // then
        assertThrows(InvalidTokenException.class, () -> verifier.verify(hmac.serialize()));
    }

    @Test
    void unreachableJwksRefusesTokensAndIsRetriedOnlyAfterTheInterval() throws Exception {
        // given
        corpStatus.set(500);
        NimbusTokenVerifier verifier = verifier();

        // when
        for (int i = 0; i < 10; i++) {
            assertThrows(InvalidTokenException.class, () -> verifier.verify(corpToken(corpOld)));
        }

        // then
        assertEquals(1, corpRequests.get());
        corpStatus.set(200);
        clock.advance(INTERVAL);
        assertEquals("alice", verifier.verify(corpToken(corpOld)).subject());
        assertEquals(2, corpRequests.get());
    }

    @Test
    void keysFetchedBeforeStayInUseWhenARefreshFails() throws Exception {
        // given
        NimbusTokenVerifier verifier = verifier();
        verifier.verify(corpToken(corpOld));

        // when: the cache is stale and the endpoint fails
        corpStatus.set(503);
        clock.advance(Duration.ofMinutes(11));

        // then
        assertEquals("alice", verifier.verify(corpToken(corpOld)).subject());
        assertEquals(2, corpRequests.get());
    }

    @Test
    void singleJwksUrlUsesTheSameCacheAndFindsARotatedKey() throws Exception {
        // given: herald.jwt.jwks-url, no named issuers, no iss required
        NimbusTokenVerifier verifier = new NimbusTokenVerifier(new HeraldConfig.Jwt(Optional.empty(), Optional.empty(),
                Optional.of(url("/corp/jwks")), Optional.empty(), Optional.empty(), Duration.ofSeconds(30),
                List.of(), new HeraldConfig.Jwks(Duration.ofMinutes(10), INTERVAL)), null, clock);
        verifier.verify(corpToken(corpOld));

        // when
        corpJwks.set(jwks(corpOld, corpNew));

        // then
        assertEquals("alice", verifier.verify(corpToken(corpNew)).subject());
        assertEquals(2, corpRequests.get());
    }
}
