package dev.herald.it;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;

/** Mints tokens for the integration tests, valid and every kind of invalid. */
public final class Jwts {

    /** The HS256 secret the test deployments are configured with. */
    public static final String SECRET = "integration-test-secret-0123456789-abcdefghij";

    private Jwts() {
    }

    public static Builder user(String subject) {
        return new Builder(subject);
    }

    public static final class Builder {
        private final JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder();

        private Builder(String subject) {
            claims.subject(subject).expirationTime(Date.from(Instant.now().plus(Duration.ofHours(1))));
        }

        public Builder channels(String... grants) {
            claims.claim("channels", List.of(grants));
            return this;
        }

        public Builder publish(String... grants) {
            claims.claim("publish", List.of(grants));
            return this;
        }

        public Builder roles(String... roles) {
            claims.claim("roles", List.of(roles));
            return this;
        }

        public Builder tenant(String tenant) {
            claims.claim("tenant", tenant);
            return this;
        }

        public Builder expiresIn(Duration d) {
            claims.expirationTime(Date.from(Instant.now().plus(d)));
            return this;
        }

        public String sign() {
            return hs256(SECRET);
        }

        public String hs256(String secret) {
            try {
                SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
                jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
                return jwt.serialize();
            } catch (JOSEException e) {
                throw new IllegalStateException(e);
            }
        }

        public String rs256() {
            try {
                RSAKey key = new RSAKeyGenerator(2048).generate();
                SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims.build());
                jwt.sign(new RSASSASigner(key));
                return jwt.serialize();
            } catch (JOSEException e) {
                throw new IllegalStateException(e);
            }
        }

        /** An unsigned token, {@code alg: none}. */
        public String unsigned() {
            return new PlainJWT(claims.build()).serialize();
        }

        /** {@code alg: none} in the header but a valid HS256 signature appended, to try to confuse a verifier. */
        public String noneWithSignature() {
            String signed = sign();
            String header = Base64.getUrlEncoder().withoutPadding()
                    .encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
            return header + signed.substring(signed.indexOf('.'));
        }
    }
}
