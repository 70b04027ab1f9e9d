package dev.herald.bench.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class HmacJwtTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef-bench";

    @Test
    void signsATokenAJwtLibraryVerifiesWithTheClaimsHeraldReads() throws Exception {
        Instant expiry = Instant.parse("2030-01-01T00:00:00Z");
        String token = new HmacJwt(SECRET).sign("bench-7", List.of("bench:*"), List.of("bench:a"), expiry);

        SignedJWT jwt = SignedJWT.parse(token);
        assertEquals(JWSAlgorithm.HS256, jwt.getHeader().getAlgorithm());
        assertTrue(jwt.verify(new MACVerifier(SECRET)));
        assertEquals("bench-7", jwt.getJWTClaimsSet().getSubject());
        assertEquals(expiry.getEpochSecond(), jwt.getJWTClaimsSet().getExpirationTime().toInstant().getEpochSecond());
        assertEquals(List.of("bench:*"), jwt.getJWTClaimsSet().getStringListClaim("channels"));
        assertEquals(List.of("bench:a"), jwt.getJWTClaimsSet().getStringListClaim("publish"));
    }

    @Test
    void refusesASecretHeraldWouldRefuse() {
        assertThrows(IllegalArgumentException.class, () -> new HmacJwt("too short"));
    }
}
