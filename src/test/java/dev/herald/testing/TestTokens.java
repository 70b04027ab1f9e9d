package dev.herald.testing;

import dev.herald.application.security.ChannelGrant;
import dev.herald.application.security.InvalidTokenException;
import dev.herald.application.security.Principal;
import dev.herald.application.security.TokenVerifier;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link TokenVerifier} for application-layer tests: tokens are names registered with their principal. */
public class TestTokens implements TokenVerifier {

    private final Map<String, Principal> tokens = new ConcurrentHashMap<>();

    /** Registers {@code token} for a user with the given subscribe grants and no publish grants. */
    public TestTokens register(String token, Principal principal) {
        tokens.put(token, principal);
        return this;
    }

    @Override
    public Principal verify(String token) throws InvalidTokenException {
        Principal p = tokens.get(token);
        if (p == null) {
            throw new InvalidTokenException("invalid token: unknown test token");
        }
        return p;
    }

    public static Principal user(String subject, List<String> channels, List<String> publish, Instant expiresAt) {
        return new Principal(subject, Optional.empty(), Set.of(),
                channels.stream().map(ChannelGrant::new).toList(),
                publish.stream().map(ChannelGrant::new).toList(), expiresAt);
    }

    public static List<String> grants(String... patterns) {
        return Arrays.asList(patterns);
    }
}
