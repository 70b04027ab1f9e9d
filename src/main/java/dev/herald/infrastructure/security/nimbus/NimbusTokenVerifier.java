package dev.herald.infrastructure.security.nimbus;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.herald.application.config.HeraldConfig;
import dev.herald.application.security.ChannelGrant;
import dev.herald.application.security.InvalidTokenException;
import dev.herald.application.security.Principal;
import dev.herald.application.security.TokenVerifier;

import java.net.MalformedURLException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * {@link TokenVerifier} on nimbus-jose-jwt. The algorithm set is fixed when Herald starts, from the
 * kind of key configured: HS256 for {@code herald.jwt.secret}, RS256 or ES256 for a PEM public key,
 * RS256 and ES256 for a JWKS URL. A token naming any other algorithm, {@code none} included, is
 * refused, which also rules out HS/RS confusion. {@code exp} and {@code sub} are required;
 * {@code nbf} is checked when present; {@code iss} and {@code aud} when configured.
 */
public class NimbusTokenVerifier implements TokenVerifier {

    private static final Logger LOG = Logger.getLogger(NimbusTokenVerifier.class.getName());
    /** HS256 keys shorter than this are guessable; RFC 7518 section 3.2 asks for at least 256 bits. */
    static final int MIN_SECRET_BYTES = 32;

    private final DefaultJWTProcessor<SecurityContext> processor;

    public NimbusTokenVerifier(HeraldConfig.Jwt config, byte[] developmentSecret) {
        this.processor = new DefaultJWTProcessor<>();
        KeyChoice keys = keys(config, developmentSecret);
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(keys.algorithms(), keys.source()));
        Set<String> required = Set.of("exp", "sub");
        JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
        config.issuer().ifPresent(exact::issuer);
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                config.audience().orElse(null), exact.build(), required);
        claims.setMaxClockSkew((int) config.clockSkew().toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
        LOG.info(() -> "JWT verification: " + keys.description() + ", algorithms " + keys.algorithms()
                + config.issuer().map(i -> ", issuer " + i).orElse("")
                + config.audience().map(a -> ", audience " + a).orElse(""));
    }

    @Override
    public Principal verify(String token) throws InvalidTokenException {
        if (token == null || token.isBlank()) {
            throw new InvalidTokenException("missing token");
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(token.trim(), null);
        } catch (ParseException e) {
            throw new InvalidTokenException("malformed token");
        } catch (BadJOSEException e) {
            // nimbus' messages name the failed check (expired, bad signature, algorithm) and never echo the token.
            throw new InvalidTokenException("invalid token: " + e.getMessage());
        } catch (JOSEException e) {
            throw new InvalidTokenException("token could not be verified");
        }
        return principal(claims);
    }

    static Principal principal(JWTClaimsSet claims) throws InvalidTokenException {
        String subject = claims.getSubject();
        if (subject == null || subject.isBlank() || subject.length() > 255) {
            throw new InvalidTokenException("invalid token: sub must be 1 to 255 characters");
        }
        try {
            Optional<String> tenant = Optional.ofNullable(claims.getStringClaim("tenant")).filter(t -> !t.isBlank());
            Set<String> roles = new HashSet<>(strings(claims, "roles"));
            return new Principal(subject, tenant, roles, grants(claims, "channels"), grants(claims, "publish"),
                    claims.getExpirationTime().toInstant());
        } catch (ParseException | IllegalArgumentException e) {
            throw new InvalidTokenException("invalid token: " + e.getMessage());
        }
    }

    private static List<String> strings(JWTClaimsSet claims, String name) throws ParseException {
        Object value = claims.getClaim(name);
        if (value == null) {
            return List.of();
        }
        if (value instanceof String single) {
            return List.of(single);
        }
        List<String> list = claims.getStringListClaim(name);
        return list == null ? List.of() : list;
    }

    private static List<ChannelGrant> grants(JWTClaimsSet claims, String name) throws ParseException {
        List<ChannelGrant> grants = new ArrayList<>();
        for (String pattern : strings(claims, name)) {
            try {
                grants.add(new ChannelGrant(pattern));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("claim '" + name + "' holds an invalid grant");
            }
        }
        return grants;
    }

    private record KeyChoice(Set<JWSAlgorithm> algorithms, JWKSource<SecurityContext> source, String description) {
    }

    private static KeyChoice keys(HeraldConfig.Jwt config, byte[] developmentSecret) {
        int configured = (config.secret().isPresent() ? 1 : 0) + (config.publicKey().isPresent() ? 1 : 0)
                + (config.jwksUrl().isPresent() ? 1 : 0);
        if (configured > 1) {
            throw new IllegalArgumentException(
                    "configure exactly one of herald.jwt.secret, herald.jwt.public-key and herald.jwt.jwks-url");
        }
        if (config.secret().isPresent()) {
            return hmac(config.secret().get().getBytes(StandardCharsets.UTF_8), "shared secret (herald.jwt.secret)");
        }
        if (config.publicKey().isPresent()) {
            return publicKey(config.publicKey().get());
        }
        if (config.jwksUrl().isPresent()) {
            try {
                JWKSource<SecurityContext> source = JWKSourceBuilder
                        .create(URI.create(config.jwksUrl().get()).toURL())
                        .retrying(true)
                        .build();
                return new KeyChoice(Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256), source, "JWKS " + config.jwksUrl().get());
            } catch (MalformedURLException | IllegalArgumentException e) {
                throw new IllegalArgumentException("herald.jwt.jwks-url is not a valid URL");
            }
        }
        return hmac(developmentSecret, "development-mode secret generated at start-up");
    }

    private static KeyChoice hmac(byte[] secret, String description) {
        if (secret == null || secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("herald.jwt.secret must be at least " + MIN_SECRET_BYTES + " bytes");
        }
        return new KeyChoice(Set.of(JWSAlgorithm.HS256), new ImmutableSecret<>(secret), description);
    }

    private static KeyChoice publicKey(String pem) {
        PublicKey key = parsePem(pem.replace("\\n", "\n"));
        JWK jwk;
        JWSAlgorithm algorithm;
        if (key instanceof RSAPublicKey rsa) {
            jwk = new RSAKey.Builder(rsa).build();
            algorithm = JWSAlgorithm.RS256;
        } else if (key instanceof ECPublicKey ec && Curve.P_256.equals(Curve.forECParameterSpec(ec.getParams()))) {
            jwk = new ECKey.Builder(Curve.P_256, ec).build();
            algorithm = JWSAlgorithm.ES256;
        } else {
            throw new IllegalArgumentException("herald.jwt.public-key must be an RSA key or an EC P-256 key");
        }
        return new KeyChoice(Set.of(algorithm), new ImmutableJWKSet<>(new JWKSet(jwk)), "PEM public key");
    }

    /**
     * Reads a {@code -----BEGIN PUBLIC KEY-----} (X.509 SubjectPublicKeyInfo) block with the JDK alone:
     * nimbus' own PEM parser needs BouncyCastle PKIX, which neither the WAR nor Payara Micro ships.
     */
    private static PublicKey parsePem(String pem) {
        String begin = "-----BEGIN PUBLIC KEY-----";
        String end = "-----END PUBLIC KEY-----";
        int from = pem.indexOf(begin);
        int to = pem.indexOf(end);
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("herald.jwt.public-key is not a PEM-encoded RSA or EC public key");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("herald.jwt.public-key is not a PEM-encoded RSA or EC public key");
        }
        for (String kind : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(kind).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // not this kind of key; try the next
            }
        }
        throw new IllegalArgumentException("herald.jwt.public-key is not a PEM-encoded RSA or EC public key");
    }
}
