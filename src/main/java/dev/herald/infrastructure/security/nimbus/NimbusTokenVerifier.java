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
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
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
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * {@link TokenVerifier} on nimbus-jose-jwt. The algorithm set is fixed when Herald starts, from the
 * kind of key configured: HS256 for {@code herald.jwt.secret}, RS256 or ES256 for a PEM public key,
 * RS256 and ES256 for a JWKS URL, and each named issuer's own list ({@code herald.jwt.issuers}, asymmetric
 * only). A token naming any other algorithm, {@code none} included, is refused, which also rules out
 * HS/RS confusion. With named issuers the token's {@code iss} picks the issuer, whose keys and
 * algorithms alone can then verify it. JWKS keys are cached per issuer and key id ({@link JwksKeys}).
 * {@code exp} and {@code sub} are required; {@code nbf} is checked when present; {@code iss} and
 * {@code aud} when configured.
 */
public class NimbusTokenVerifier implements TokenVerifier {

    private static final Logger LOG = Logger.getLogger(NimbusTokenVerifier.class.getName());
    /** HS256 keys shorter than this are guessable; RFC 7518 section 3.2 asks for at least 256 bits. */
    static final int MIN_SECRET_BYTES = 32;

    /** The one processor of a single key source; null when named issuers are configured. */
    private final DefaultJWTProcessor<SecurityContext> processor;
    /** One processor per trusted {@code iss}, each bound to that issuer's keys and algorithms. */
    private final Map<String, DefaultJWTProcessor<SecurityContext>> byIssuer = new HashMap<>();
    private final Map<String, JwksKeys> jwks = new HashMap<>();

    public NimbusTokenVerifier(HeraldConfig.Jwt config, byte[] developmentSecret) {
        this(config, developmentSecret, Clock.systemUTC());
    }

    NimbusTokenVerifier(HeraldConfig.Jwt config, byte[] developmentSecret, Clock clock) {
        if (!config.issuers().isEmpty()) {
            this.processor = null;
            for (HeraldConfig.Issuer issuer : config.issuers()) {
                JwksKeys keys = new JwksKeys(url(issuer.jwksUrl(), "herald.jwt.issuers." + issuer.name() + ".jwks-url"),
                        config.jwks(), clock);
                Set<JWSAlgorithm> algorithms = new HashSet<>();
                issuer.algorithms().forEach(a -> algorithms.add(JWSAlgorithm.parse(a)));
                byIssuer.put(issuer.issuer(), processor(config, Optional.of(issuer.issuer()),
                        new KeyChoice(algorithms, keys, "JWKS " + issuer.jwksUrl())));
                jwks.put(issuer.name(), keys);
                LOG.info(() -> "JWT verification for issuer " + issuer.name() + " (" + issuer.issuer() + "): JWKS "
                        + issuer.jwksUrl() + ", algorithms " + algorithms
                        + config.audience().map(a -> ", audience " + a).orElse(""));
            }
            return;
        }
        KeyChoice keys = keys(config, developmentSecret, clock);
        this.processor = processor(config, config.issuer(), keys);
        LOG.info(() -> "JWT verification: " + keys.description() + ", algorithms " + keys.algorithms()
                + config.issuer().map(i -> ", issuer " + i).orElse("")
                + config.audience().map(a -> ", audience " + a).orElse(""));
    }

    private static DefaultJWTProcessor<SecurityContext> processor(HeraldConfig.Jwt config, Optional<String> issuer, KeyChoice keys) {
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(keys.algorithms(), keys.source()));
        Set<String> required = Set.of("exp", "sub");
        JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
        issuer.ifPresent(exact::issuer);
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                config.audience().orElse(null), exact.build(), required);
        claims.setMaxClockSkew((int) config.clockSkew().toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
        return processor;
    }

    @Override
    public Principal verify(String token) throws InvalidTokenException {
        if (token == null || token.isBlank()) {
            throw new InvalidTokenException("missing token");
        }
        JWTClaimsSet claims;
        try {
            claims = processor != null ? processor.process(token.trim(), null) : processByIssuer(token.trim());
        } catch (ParseException e) {
            throw new InvalidTokenException("malformed token");
        } catch (BadJOSEException e) {
            // nimbus' messages name the failed check (expired, bad signature, algorithm) and never echo the token.
            throw new InvalidTokenException("invalid token: " + e.getMessage());
        } catch (JOSEException e) {
            throw new InvalidTokenException("token could not be verified");
        } catch (RuntimeException e) {
            // nimbus' parser lets some malformed input through as a bare runtime exception (a header of
            // JSON null gives a NullPointerException): malformed all the same, never a server error.
            throw new InvalidTokenException("malformed token");
        }
        return principal(claims);
    }

    /**
     * Picks the issuer by the token's unverified {@code iss}, then verifies everything with that
     * issuer's processor alone, its exact {@code iss} included: naming an issuer only chooses
     * which keys and algorithms the signature must match.
     */
    private JWTClaimsSet processByIssuer(String token) throws ParseException, BadJOSEException, JOSEException, InvalidTokenException {
        JWT jwt = JWTParser.parse(token);
        if (!(jwt instanceof SignedJWT signed)) {
            throw new InvalidTokenException("invalid token: not signed");
        }
        String issuer = signed.getJWTClaimsSet().getIssuer();
        DefaultJWTProcessor<SecurityContext> chosen = issuer == null ? null : byIssuer.get(issuer);
        if (chosen == null) {
            throw new InvalidTokenException("invalid token: iss is not a trusted issuer");
        }
        return chosen.process(signed, null);
    }

    /** How often each named issuer's JWKS was fetched, by issuer name; for tests and diagnostics. */
    Map<String, Integer> jwksFetches() {
        Map<String, Integer> counts = new HashMap<>();
        jwks.forEach((name, keys) -> counts.put(name, keys.fetches()));
        return counts;
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

    private static KeyChoice keys(HeraldConfig.Jwt config, byte[] developmentSecret, Clock clock) {
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
            JwksKeys keys = new JwksKeys(url(config.jwksUrl().get(), "herald.jwt.jwks-url"), config.jwks(), clock);
            return new KeyChoice(Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256), keys, "JWKS " + config.jwksUrl().get());
        }
        return hmac(developmentSecret, "development-mode secret generated at start-up");
    }

    private static URI url(String text, String key) {
        try {
            URI uri = URI.create(text);
            uri.toURL(); // only http(s) and other schemes the JDK can fetch
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                throw new IllegalArgumentException("not http(s)");
            }
            return uri;
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalArgumentException(key + " is not a valid http(s) URL");
        }
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
