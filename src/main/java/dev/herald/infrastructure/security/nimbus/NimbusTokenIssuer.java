package dev.herald.infrastructure.security.nimbus;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.herald.application.security.TokenIssuer;

import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/** Development mode's token issuer: HS256 with the secret Herald generated at start-up. */
public class NimbusTokenIssuer implements TokenIssuer {

    private final MACSigner signer;
    private final Clock clock;

    public NimbusTokenIssuer(byte[] secret, Clock clock) {
        try {
            this.signer = new MACSigner(secret);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("development secret is too short", e);
        }
        this.clock = clock;
    }

    @Override
    public String issue(String subject, Optional<String> tenant, List<String> roles, List<String> channels,
                        List<String> publish, Duration ttl) {
        Date now = Date.from(clock.instant());
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(subject)
                .issueTime(now)
                .expirationTime(Date.from(clock.instant().plus(ttl)))
                .claim("roles", roles)
                .claim("channels", channels)
                .claim("publish", publish);
        tenant.ifPresent(t -> claims.claim("tenant", t));
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("signing failed", e);
        }
        return jwt.serialize();
    }
}
