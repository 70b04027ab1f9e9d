package dev.herald.infrastructure.security.nimbus;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import dev.herald.application.config.HeraldConfig;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * One issuer's JWKS, held in memory and looked up by key id. Fetched on first use, again when
 * older than {@code cacheTtl}, and again when a token names a key the copy does not hold (the
 * issuer rotated its keys) — but for unknown keys at most once per {@code refreshInterval}, so a
 * flood of tokens with made-up key ids costs one fetch per interval, not one per token. A failed
 * fetch keeps the keys already held and is not retried before {@code refreshInterval}. Only public
 * keys are kept: a symmetric key in a JWKS is never used.
 */
final class JwksKeys implements JWKSource<SecurityContext> {

    private static final Logger LOG = Logger.getLogger(JwksKeys.class.getName());
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);
    /** A JWKS is a few kilobytes; a bigger answer is not one. */
    private static final int MAX_BYTES = 512 * 1024;

    private final URI url;
    private final Duration cacheTtl;
    private final Duration refreshInterval;
    private final Clock clock;
    private final HttpClient http;
    private final AtomicInteger fetches = new AtomicInteger();

    /** The keys and when they were fetched, replaced together; read without the lock on the hot path. */
    private volatile Held held;
    private Instant lastAttempt;
    private Instant lastUnknownKeyRefresh;

    private record Held(JWKSet keys, Instant loadedAt) {
    }

    JwksKeys(URI url, HeraldConfig.Jwks config, Clock clock) {
        this.url = url;
        this.cacheTtl = config.cacheTtl();
        this.refreshInterval = config.refreshInterval();
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(FETCH_TIMEOUT).followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) throws KeySourceException {
        JWKSet current = current();
        List<JWK> found = selector.select(current);
        if (found.isEmpty()) {
            JWKSet refreshed = refreshForUnknownKey(current);
            if (refreshed != current) {
                found = selector.select(refreshed);
            }
        }
        return found;
    }

    /** How many times the JWKS was requested, successfully or not. */
    int fetches() {
        return fetches.get();
    }

    private JWKSet current() throws KeySourceException {
        Held now = held;
        if (now != null && clock.instant().isBefore(now.loadedAt().plus(cacheTtl))) {
            return now.keys(); // fresh: no lock, so a slow fetch never holds up tokens whose keys are known
        }
        return load();
    }

    private synchronized JWKSet load() throws KeySourceException {
        Instant now = clock.instant();
        boolean stale = held == null || !now.isBefore(held.loadedAt().plus(cacheTtl));
        if (stale && (lastAttempt == null || !now.isBefore(lastAttempt.plus(refreshInterval)))) {
            fetch(now);
        }
        if (held == null) {
            throw new KeySourceException("the JWKS of this issuer could not be loaded; retried after " + refreshInterval);
        }
        return held.keys();
    }

    private synchronized JWKSet refreshForUnknownKey(JWKSet seen) {
        if (held.keys() != seen) {
            return held.keys(); // another thread refreshed while this one looked
        }
        Instant now = clock.instant();
        if (lastUnknownKeyRefresh != null && now.isBefore(lastUnknownKeyRefresh.plus(refreshInterval))) {
            return seen;
        }
        lastUnknownKeyRefresh = now;
        fetch(now);
        return held.keys();
    }

    private void fetch(Instant now) {
        lastAttempt = now;
        fetches.incrementAndGet();
        try {
            HttpRequest request = HttpRequest.newBuilder(url).timeout(FETCH_TIMEOUT).header("Accept", "application/json").GET().build();
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            byte[] body;
            try (InputStream in = response.body()) {
                body = in.readNBytes(MAX_BYTES + 1);
            }
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode());
            }
            if (body.length > MAX_BYTES) {
                throw new IOException("larger than " + MAX_BYTES + " bytes");
            }
            JWKSet keys = JWKSet.parse(new String(body, StandardCharsets.UTF_8)).toPublicJWKSet();
            held = new Held(keys, now);
            LOG.fine(() -> "loaded " + keys.size() + " keys from " + url);
        } catch (IOException | ParseException e) {
            LOG.warning(() -> "fetching the JWKS " + url + " failed (" + e.getMessage() + ")"
                    + (held == null ? "" : "; the keys fetched before stay in use") + "; next attempt in " + refreshInterval);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
