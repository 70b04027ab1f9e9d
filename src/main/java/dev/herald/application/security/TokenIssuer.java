package dev.herald.application.security;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Signs tokens. Only present in development mode, where Herald holds the signing key itself. */
public interface TokenIssuer {

    String issue(String subject, Optional<String> tenant, List<String> roles, List<String> channels,
                 List<String> publish, Duration ttl);
}
