package dev.herald.bench.server;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs real HS256 JWTs with the secret Herald is started with ({@code herald.jwt.secret}), so
 * the benchmark authenticates exactly as production clients do. Plain HMAC-SHA256 over
 * {@code base64url(header).base64url(claims)}, RFC 7519.
 */
public final class HmacJwt {

    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private final byte[] secret;

    /** A signer for this secret (Herald requires at least 32 bytes). */
    public HmacJwt(String secret) {
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < 32) {
            throw new IllegalArgumentException("an HS256 secret needs at least 32 bytes");
        }
        this.secret = bytes;
    }

    /** A token for {@code subject} granting subscribe on {@code channels} and publish on {@code publish}, valid until {@code expiry}. */
    public String sign(String subject, List<String> channels, List<String> publish, Instant expiry) {
        String header = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
        String claims = "{\"sub\":\"" + subject + "\""
                + ",\"exp\":" + expiry.getEpochSecond()
                + ",\"iat\":" + Instant.now().getEpochSecond()
                + ",\"channels\":" + jsonArray(channels)
                + ",\"publish\":" + jsonArray(publish) + "}";
        String signingInput = encode(header) + "." + encode(claims);
        return signingInput + "." + BASE64URL.encodeToString(hmac(signingInput));
    }

    private byte[] hmac(String signingInput) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static String encode(String json) {
        return BASE64URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String jsonArray(List<String> values) {
        return values.stream().map(v -> "\"" + v + "\"").collect(Collectors.joining(",", "[", "]"));
    }
}
