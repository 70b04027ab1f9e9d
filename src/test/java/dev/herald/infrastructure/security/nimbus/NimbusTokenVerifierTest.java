package dev.herald.infrastructure.security.nimbus;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.herald.application.config.HeraldConfig;
import dev.herald.application.security.ChannelGrant;
import dev.herald.application.security.InvalidTokenException;
import dev.herald.application.security.Principal;
import dev.herald.domain.ChannelName;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NimbusTokenVerifierTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef-herald";
    private static final String OTHER_SECRET = "fedcba9876543210fedcba9876543210-other!";
    private static final Duration SKEW = Duration.ofSeconds(30);

    private static RSAKey rsa;
    private static ECKey ec;

    @BeforeAll
    static void generateKeys() throws JOSEException {
        rsa = new RSAKeyGenerator(2048).generate();
        ec = new ECKeyGenerator(Curve.P_256).generate();
    }

    // ---- configuration helpers ----

    private static HeraldConfig.Jwt hmacConfig(String secret, Optional<String> issuer, Optional<String> audience) {
        return new HeraldConfig.Jwt(Optional.of(secret), Optional.empty(), Optional.empty(), issuer, audience, SKEW);
    }

    private static NimbusTokenVerifier hmacVerifier() {
        return new NimbusTokenVerifier(hmacConfig(SECRET, Optional.empty(), Optional.empty()), null);
    }

    private static NimbusTokenVerifier pemVerifier(String pem) {
        return new NimbusTokenVerifier(new HeraldConfig.Jwt(Optional.empty(), Optional.of(pem), Optional.empty(),
                Optional.empty(), Optional.empty(), SKEW), null);
    }

    private static String pem(Key publicKey) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(publicKey.getEncoded())
                + "\n-----END PUBLIC KEY-----";
    }

    // ---- token helpers ----

    private static JWTClaimsSet.Builder claims() {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .subject("alice")
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(10, ChronoUnit.MINUTES)));
    }

    private static String sign(JWSSigner signer, JWSAlgorithm alg, JWTClaimsSet claims) throws JOSEException {
        SignedJWT jwt = new SignedJWT(new JWSHeader(alg), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    private static String hs256(String secret, JWTClaimsSet claims) throws JOSEException {
        return sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)), JWSAlgorithm.HS256, claims);
    }

    private static String hs256(JWTClaimsSet claims) throws JOSEException {
        return hs256(SECRET, claims);
    }

    /** Asserts the token is refused and that the reason does not repeat the token or any part of it. */
    private static InvalidTokenException refused(NimbusTokenVerifier verifier, String token) {
        InvalidTokenException e = assertThrows(InvalidTokenException.class, () -> verifier.verify(token));
        String message = e.getMessage();
        assertTrue(message != null && !message.isBlank(), "a refusal gives a reason");
        if (token != null && !token.isBlank()) {
            assertFalse(message.contains(token.trim()), message);
            for (String part : token.trim().split("\\.")) {
                if (part.length() >= 8) {
                    assertFalse(message.contains(part), () -> "message echoes a token part: " + message);
                }
            }
        }
        return e;
    }

    // ---- HS256 ----

    @Test
    void validHs256TokenGivesThePrincipal() throws Exception {
        // given
        Instant exp = Instant.now().plus(10, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
        String token = hs256(claims()
                .expirationTime(Date.from(exp))
                .claim("tenant", "acme")
                .claim("roles", List.of("admin", "ops"))
                .claim("channels", List.of("diagnosis:*", "user:bob"))
                .claim("publish", List.of("diagnosis:42"))
                .build());

        // when
        Principal p = hmacVerifier().verify(token);

        // then
        assertEquals("alice", p.subject());
        assertEquals(Optional.of("acme"), p.tenant());
        assertEquals(Set.of("admin", "ops"), p.roles());
        assertTrue(p.isAdmin());
        assertEquals(List.of(new ChannelGrant("diagnosis:*"), new ChannelGrant("user:bob")), p.subscribe());
        assertEquals(List.of(new ChannelGrant("diagnosis:42")), p.publish());
        assertEquals(exp, p.expiresAt());
    }

    @Test
    void singleStringClaimsCountAsOneElementLists() throws Exception {
        // given
        String token = hs256(claims()
                .claim("roles", "admin")
                .claim("channels", "diagnosis:1")
                .claim("publish", "diagnosis:*")
                .build());

        // when
        Principal p = hmacVerifier().verify(token);

        // then
        assertEquals(Set.of("admin"), p.roles());
        assertEquals(List.of(new ChannelGrant("diagnosis:1")), p.subscribe());
        assertTrue(p.publish().get(0).matches(ChannelName.parse("diagnosis:9")));
    }

    @Test
    void absentOptionalClaimsGiveAnEmptyPrincipal() throws Exception {
        Principal p = hmacVerifier().verify(hs256(claims().build()));

        assertEquals("alice", p.subject());
        assertTrue(p.tenant().isEmpty());
        assertTrue(p.roles().isEmpty());
        assertTrue(p.subscribe().isEmpty());
        assertTrue(p.publish().isEmpty());
        assertFalse(p.isAdmin());
    }

    @Test
    void surroundingWhitespaceIsIgnored() throws Exception {
        String token = hs256(claims().build());

        assertEquals("alice", hmacVerifier().verify("  " + token + "\n").subject());
    }

    @Test
    void refusesAMissingOrBlankToken() {
        NimbusTokenVerifier verifier = hmacVerifier();

        assertEquals("missing token", refused(verifier, null).getMessage());
        assertEquals("missing token", refused(verifier, "").getMessage());
        assertEquals("missing token", refused(verifier, "   ").getMessage());
    }

    @Test
    void refusesGarbage() {
        NimbusTokenVerifier verifier = hmacVerifier();

        for (String garbage : new String[] {"not-a-jwt", "a.b.c", "eyJhbGciOiJIUzI1NiJ9", "....", "Bearer xyz",
                "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln"}) {
            refused(verifier, garbage);
        }
    }

    @Test
    void refusesATokenSignedWithAnotherSecret() throws Exception {
        // given
        String token = hs256(OTHER_SECRET, claims().build());

        // when
        InvalidTokenException e = refused(hmacVerifier(), token);

        // then
        assertTrue(e.getMessage().startsWith("invalid token"), e.getMessage());
    }

    @Test
    void refusesATamperedPayload() throws Exception {
        // given a valid token whose payload is swapped for one naming another subject
        String[] parts = hs256(claims().build()).split("\\.");
        String forged = Base64URL.encode(claims().subject("mallory").build().toString()).toString();

        // then
        refused(hmacVerifier(), parts[0] + "." + forged + "." + parts[2]);
    }

    @Test
    void refusesATokenExpiredBeyondTheClockSkew() throws Exception {
        // given exp five minutes ago, far beyond the 30 s skew
        String token = hs256(claims()
                .issueTime(Date.from(Instant.now().minus(1, ChronoUnit.HOURS)))
                .expirationTime(Date.from(Instant.now().minus(5, ChronoUnit.MINUTES)))
                .build());

        // when
        InvalidTokenException e = refused(hmacVerifier(), token);

        // then
        assertTrue(e.getMessage().toLowerCase().contains("expired"), e.getMessage());
    }

    @Test
    void acceptsATokenExpiredWithinTheClockSkew() throws Exception {
        String token = hs256(claims().expirationTime(Date.from(Instant.now().minusSeconds(5))).build());

        assertEquals("alice", hmacVerifier().verify(token).subject());
    }

    @Test
    void refusesATokenNotYetValid() throws Exception {
        String token = hs256(claims().notBeforeTime(Date.from(Instant.now().plus(5, ChronoUnit.MINUTES))).build());

        refused(hmacVerifier(), token);
    }

    @Test
    void acceptsATokenWhoseNotBeforeHasPassed() throws Exception {
        String token = hs256(claims().notBeforeTime(Date.from(Instant.now().minusSeconds(60))).build());

        assertEquals("alice", hmacVerifier().verify(token).subject());
    }

    @Test
    void refusesATokenWithoutExpiry() throws Exception {
        String token = hs256(new JWTClaimsSet.Builder().subject("alice").build());

        InvalidTokenException e = refused(hmacVerifier(), token);
        assertTrue(e.getMessage().contains("exp"), e.getMessage());
    }

    @Test
    void refusesATokenWithoutSubject() throws Exception {
        String token = hs256(new JWTClaimsSet.Builder()
                .expirationTime(Date.from(Instant.now().plus(10, ChronoUnit.MINUTES))).build());

        InvalidTokenException e = refused(hmacVerifier(), token);
        assertTrue(e.getMessage().contains("sub"), e.getMessage());
    }

    @Test
    void refusesABlankOrOverlongSubject() throws Exception {
        refused(hmacVerifier(), hs256(claims().subject("  ").build()));
        refused(hmacVerifier(), hs256(claims().subject("a".repeat(256)).build()));
        assertEquals(255, hmacVerifier().verify(hs256(claims().subject("a".repeat(255)).build())).subject().length());
    }

    @Test
    void refusesAnUnsecuredPlainJwt() {
        // given alg "none", as nimbus serializes it: header.payload. with an empty signature
        String token = new PlainJWT(claims().claim("roles", "admin").build()).serialize();

        // then
        refused(hmacVerifier(), token);
    }

    @Test
    void refusesAnAlgNoneHeaderCarryingAnHmacSignature() throws Exception {
        // given a hand-made {"alg":"none"} header over a payload signed with the right secret
        String header = Base64URL.encode("{\"alg\":\"none\"}").toString();
        String payload = Base64URL.encode(claims().claim("roles", "admin").build().toString()).toString();
        MACSigner signer = new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8));
        Base64URL signature = signer.sign(new JWSHeader(JWSAlgorithm.HS256),
                (header + "." + payload).getBytes(StandardCharsets.US_ASCII));

        // then
        refused(hmacVerifier(), header + "." + payload + "." + signature);
        refused(hmacVerifier(), header + "." + payload + ".");
    }

    @Test
    void refusesOtherHmacStrengthsWhenHs256IsConfigured() throws Exception {
        // given HS512 with a key long enough for it, shared with the verifier
        String longSecret = SECRET.repeat(2);
        String token = sign(new MACSigner(longSecret.getBytes(StandardCharsets.UTF_8)), JWSAlgorithm.HS512, claims().build());
        NimbusTokenVerifier verifier = new NimbusTokenVerifier(hmacConfig(longSecret, Optional.empty(), Optional.empty()), null);

        // then
        refused(verifier, token);
    }

    @Test
    void refusesAnRs256TokenWhenASecretIsConfigured() throws Exception {
        String token = sign(new RSASSASigner(rsa), JWSAlgorithm.RS256, claims().build());

        refused(hmacVerifier(), token);
    }

    @Test
    void refusesAnHs256TokenKeyedWithThePublicKeyWhenAPublicKeyIsConfigured() throws Exception {
        // given the classic algorithm-confusion attack: HMAC keyed with the server's public key bytes
        byte[] publicBytes = rsa.toPublicKey().getEncoded();
        String token = sign(new MACSigner(publicBytes), JWSAlgorithm.HS256, claims().claim("roles", "admin").build());
        NimbusTokenVerifier verifier = pemVerifier(pem(rsa.toPublicKey()));

        // then
        refused(verifier, token);
    }

    // ---- public keys ----

    @Test
    void acceptsRs256WithTheMatchingPemPublicKey() throws Exception {
        // given
        String token = sign(new RSASSASigner(rsa), JWSAlgorithm.RS256, claims().claim("tenant", "acme").build());

        // when
        Principal p = pemVerifier(pem(rsa.toPublicKey())).verify(token);

        // then
        assertEquals("alice", p.subject());
        assertEquals(Optional.of("acme"), p.tenant());
    }

    @Test
    void acceptsEs256WithTheMatchingPemPublicKey() throws Exception {
        // given
        String token = sign(new ECDSASigner(ec), JWSAlgorithm.ES256, claims().build());

        // when
        Principal p = pemVerifier(pem(ec.toPublicKey())).verify(token);

        // then
        assertEquals("alice", p.subject());
    }

    @Test
    void acceptsAPemWithEscapedNewlinesAsGivenInAnEnvironmentVariable() throws Exception {
        // given the PEM on one line with literal backslash-n, as HERALD_JWT_PUBLIC_KEY often holds it
        String oneLine = "-----BEGIN PUBLIC KEY-----\\n"
                + Base64.getEncoder().encodeToString(rsa.toPublicKey().getEncoded()) + "\\n-----END PUBLIC KEY-----";
        String token = sign(new RSASSASigner(rsa), JWSAlgorithm.RS256, claims().build());

        // then
        assertEquals("alice", pemVerifier(oneLine).verify(token).subject());
    }

    @Test
    void refusesATokenSignedWithAnotherRsaKey() throws Exception {
        RSAKey other = new RSAKeyGenerator(2048).generate();
        String token = sign(new RSASSASigner(other), JWSAlgorithm.RS256, claims().build());

        refused(pemVerifier(pem(rsa.toPublicKey())), token);
    }

    @Test
    void refusesAnEs256TokenWhenAnRsaKeyIsConfigured() throws Exception {
        String token = sign(new ECDSASigner(ec), JWSAlgorithm.ES256, claims().build());

        refused(pemVerifier(pem(rsa.toPublicKey())), token);
    }

    @Test
    void refusesAnRsaPss256TokenWhenRs256IsConfigured() throws Exception {
        String token = sign(new RSASSASigner(rsa), JWSAlgorithm.PS256, claims().build());

        refused(pemVerifier(pem(rsa.toPublicKey())), token);
    }

    @Test
    void refusesAnEcKeyOnAnotherCurve() throws Exception {
        ECKey p384 = new ECKeyGenerator(Curve.P_384).generate();
        String pem = pem(p384.toPublicKey());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pemVerifier(pem));
        assertTrue(e.getMessage().contains("herald.jwt.public-key"), e.getMessage());
    }

    @Test
    void refusesAPublicKeyThatIsNotPem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pemVerifier("not a key"));
        assertTrue(e.getMessage().contains("herald.jwt.public-key"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> pemVerifier("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"));
        assertThrows(IllegalArgumentException.class,
                () -> pemVerifier("-----BEGIN PUBLIC KEY-----\n!!not base64!!\n-----END PUBLIC KEY-----"));
    }

    // ---- issuer and audience ----

    @Test
    void enforcesIssuerAndAudienceWhenConfigured() throws Exception {
        // given
        NimbusTokenVerifier verifier = new NimbusTokenVerifier(
                hmacConfig(SECRET, Optional.of("https://idp.example"), Optional.of("herald")), null);

        // then
        assertEquals("alice", verifier.verify(hs256(claims().issuer("https://idp.example").audience("herald").build())).subject());
        assertEquals("alice", verifier.verify(hs256(claims().issuer("https://idp.example")
                .audience(List.of("other", "herald")).build())).subject());
        refused(verifier, hs256(claims().issuer("https://evil.example").audience("herald").build()));
        refused(verifier, hs256(claims().audience("herald").build()));
        refused(verifier, hs256(claims().issuer("https://idp.example").audience("other").build()));
        refused(verifier, hs256(claims().issuer("https://idp.example").build()));
    }

    @Test
    void ignoresIssuerAndAudienceWhenNotConfigured() throws Exception {
        String token = hs256(claims().issuer("https://anyone").audience("anything").build());

        assertEquals("alice", hmacVerifier().verify(token).subject());
    }

    // ---- configuration ----

    @Test
    void refusesASecretShorterThan32Bytes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new NimbusTokenVerifier(
                hmacConfig("x".repeat(31), Optional.empty(), Optional.empty()), null));

        assertTrue(e.getMessage().contains("32"), e.getMessage());
        assertFalse(e.getMessage().contains("x".repeat(31)), "the secret is not echoed");
    }

    @Test
    void acceptsASecretOfExactly32Bytes() throws Exception {
        String secret = "k".repeat(32);
        NimbusTokenVerifier verifier = new NimbusTokenVerifier(hmacConfig(secret, Optional.empty(), Optional.empty()), null);

        assertEquals("alice", verifier.verify(hs256(secret, claims().build())).subject());
    }

    @Test
    void refusesBothASecretAndAPublicKey() {
        HeraldConfig.Jwt both = new HeraldConfig.Jwt(Optional.of(SECRET), Optional.of("pem"), Optional.empty(),
                Optional.empty(), Optional.empty(), SKEW);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new NimbusTokenVerifier(both, null));
        assertTrue(e.getMessage().contains("exactly one"), e.getMessage());
    }

    @Test
    void refusesDevelopmentModeWithoutASecret() {
        HeraldConfig.Jwt none = new HeraldConfig.Jwt(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), SKEW);

        assertThrows(IllegalArgumentException.class, () -> new NimbusTokenVerifier(none, null));
        assertThrows(IllegalArgumentException.class, () -> new NimbusTokenVerifier(none, new byte[16]));
    }

    // ---- claims ----

    @Test
    void refusesATokenWithAnInvalidGrant() throws Exception {
        InvalidTokenException e = refused(hmacVerifier(), hs256(claims().claim("channels", List.of("diagnosis:1", "a*b")).build()));
        assertTrue(e.getMessage().contains("channels"), e.getMessage());

        refused(hmacVerifier(), hs256(claims().claim("publish", "a*b").build()));
    }

    @Test
    void refusesClaimsOfTheWrongType() throws Exception {
        refused(hmacVerifier(), hs256(claims().claim("roles", 42).build()));
        refused(hmacVerifier(), hs256(claims().claim("channels", List.of(1, 2)).build()));
        refused(hmacVerifier(), hs256(claims().claim("tenant", List.of("a")).build()));
    }

    @Test
    void blankTenantCountsAsNone() throws Exception {
        assertTrue(hmacVerifier().verify(hs256(claims().claim("tenant", " ").build())).tenant().isEmpty());
    }

    // ---- development issuer ----

    @Test
    void developmentIssuerTokensVerifyWithTheSameSecret() throws Exception {
        // given
        byte[] devSecret = "development-secret-of-32-bytes-or-more!".getBytes(StandardCharsets.UTF_8);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        NimbusTokenIssuer issuer = new NimbusTokenIssuer(devSecret, Clock.fixed(now, ZoneOffset.UTC));
        HeraldConfig.Jwt dev = new HeraldConfig.Jwt(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), SKEW);
        NimbusTokenVerifier verifier = new NimbusTokenVerifier(dev, devSecret);

        // when
        String token = issuer.issue("alice", Optional.of("acme"), List.of("ops"), List.of("diagnosis:*"),
                List.of("diagnosis:42"), Duration.ofMinutes(15));
        Principal p = verifier.verify(token);

        // then
        assertEquals("alice", p.subject());
        assertEquals(Optional.of("acme"), p.tenant());
        assertEquals(Set.of("ops"), p.roles());
        assertEquals(List.of(new ChannelGrant("diagnosis:*")), p.subscribe());
        assertEquals(List.of(new ChannelGrant("diagnosis:42")), p.publish());
        assertEquals(now.plus(Duration.ofMinutes(15)), p.expiresAt());
    }

    @Test
    void developmentIssuerTokensFailWithAnotherSecret() throws Exception {
        byte[] devSecret = "development-secret-of-32-bytes-or-more!".getBytes(StandardCharsets.UTF_8);
        String token = new NimbusTokenIssuer(devSecret, Clock.systemUTC())
                .issue("alice", Optional.empty(), List.of(), List.of(), List.of(), Duration.ofMinutes(5));

        refused(hmacVerifier(), token);
    }

    @Test
    void developmentIssuerRefusesAShortSecret() {
        assertThrows(IllegalArgumentException.class, () -> new NimbusTokenIssuer(new byte[8], Clock.systemUTC()));
    }
}
