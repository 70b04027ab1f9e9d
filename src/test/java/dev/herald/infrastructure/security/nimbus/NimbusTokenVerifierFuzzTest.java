package dev.herald.infrastructure.security.nimbus;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.herald.application.config.HeraldConfig;
import dev.herald.application.security.InvalidTokenException;
import dev.herald.application.security.Principal;
import dev.herald.testing.Fuzz;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static dev.herald.testing.Fuzz.forAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Random, mutated and forged tokens: verification yields a principal or an
 * {@link InvalidTokenException} (close 4001 / 401 {@code unauthorized}), never another exception;
 * a mutation never yields someone else's claims; and the reason never repeats the token.
 */
class NimbusTokenVerifierFuzzTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef-herald";
    private static final NimbusTokenVerifier VERIFIER = new NimbusTokenVerifier(new HeraldConfig.Jwt(Optional.of(SECRET),
            Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Duration.ofSeconds(30)), null);
    private static final String VALID = sign(new JWTClaimsSet.Builder().subject("alice")
            .claim("channels", List.of("diagnosis:*")).claim("publish", List.of("diagnosis:42"))
            .expirationTime(Date.from(Instant.now().plus(Duration.ofHours(2)))).build());
    private static final String[] HEADERS = {"{\"alg\":\"HS256\"}", "{\"alg\":\"none\"}", "{\"alg\":\"RS256\"}",
            "{\"alg\":\"HS256\",\"crit\":[\"x\"]}", "{\"alg\":\"ES256\",\"kid\":\"k\"}", "{\"alg\":\"HS512\"}", "{}", "[]", "null"};
    private static final String[] CLAIMS = {"\"sub\":\"alice\"", "\"sub\":\"\"", "\"sub\":42", "\"sub\":null",
            "\"sub\":\"" + "x".repeat(300) + "\"", "\"exp\":9999999999", "\"exp\":1", "\"exp\":\"soon\"", "\"exp\":-1",
            "\"exp\":1e300", "\"nbf\":9999999999", "\"channels\":[\"diagnosis:*\"]", "\"channels\":\"diagnosis:*\"",
            "\"channels\":[42,null,{}]", "\"channels\":[\"bad name\"]", "\"publish\":[\"*\"]", "\"roles\":\"admin\"",
            "\"roles\":[[\"admin\"]]", "\"tenant\":{}", "\"tenant\":\"t\"", "\"iss\":[]", "\"aud\":7"};

    private static String sign(JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Correctly signed with the configured secret, so only the claims can be wrong: random picks of odd claims, or random bytes. */
    private static String signedGarbage(Random r) {
        String payload;
        if (r.nextBoolean()) {
            StringBuilder json = new StringBuilder("{");
            int count = r.nextInt(6);
            for (int i = 0; i < count; i++) {
                json.append(i > 0 ? "," : "").append(Fuzz.oneOf(r, CLAIMS));
            }
            payload = json.append('}').toString();
        } else {
            payload = r.nextBoolean() ? Fuzz.jsonish(r, 20) : Fuzz.anyString(r, 60);
        }
        try {
            JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.HS256), new Payload(payload));
            jws.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
            return jws.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Three dot-separated parts with chosen headers and payloads and a random signature. */
    private static String forged(Random r) {
        String header = Fuzz.oneOf(r, HEADERS);
        String payload = "{" + Fuzz.oneOf(r, CLAIMS) + "," + Fuzz.oneOf(r, CLAIMS) + "}";
        byte[] signature = new byte[r.nextInt(64)];
        r.nextBytes(signature);
        return Base64URL.encode(header) + "." + Base64URL.encode(payload) + "." + Base64URL.encode(signature);
    }

    private static Optional<Principal> verifiedOrRefused(String token) {
        try {
            Principal principal = VERIFIER.verify(token);
            assertNotNull(principal.subject());
            return Optional.of(principal);
        } catch (InvalidTokenException refused) {
            assertNotNull(refused.getMessage());
            if (token != null && token.trim().length() >= 16) {
                assertFalse(refused.getMessage().contains(token.trim()), "the reason repeats the token: " + refused.getMessage());
            }
            return Optional.empty();
        }
    }

    @Test
    void randomTextIsRefusedAsAnInvalidToken() {
        forAll(3000, r -> Fuzz.anyString(r, 300), token -> assertEquals(Optional.empty(), verifiedOrRefused(token)));
    }

    @Test
    void aMutatedTokenIsRefusedOrCarriesTheOriginalClaims() {
        Principal original = verifiedOrRefused(VALID).orElseThrow();
        forAll(3000, r -> Fuzz.mutate(r, VALID), token -> verifiedOrRefused(token).ifPresent(p -> assertEquals(original, p,
                "a mutation that still verifies (e.g. in a base64 padding bit) must not change who the token is for")));
    }

    @Test
    void forgedTokensWithAnyHeaderAndARandomSignatureAreRefused() {
        forAll(3000, NimbusTokenVerifierFuzzTest::forged, token -> assertEquals(Optional.empty(), verifiedOrRefused(token)));
    }

    @Test
    void correctlySignedTokensWithOddClaimsAreVerifiedOrRefusedButNeverCrash() {
        forAll(3000, NimbusTokenVerifierFuzzTest::signedGarbage, NimbusTokenVerifierFuzzTest::verifiedOrRefused);
    }
}
