package dev.herald.application.security;

import dev.herald.domain.ChannelName;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Who a verified token says the caller is, and what it grants.
 *
 * @param subject   the token's {@code sub}
 * @param tenant    the token's {@code tenant}, if any
 * @param roles     the token's {@code roles}; {@code admin} may do everything
 * @param subscribe grants from the {@code channels} claim
 * @param publish   grants from the {@code publish} claim
 * @param expiresAt the token's {@code exp}
 */
public record Principal(String subject, Optional<String> tenant, Set<String> roles,
                        List<ChannelGrant> subscribe, List<ChannelGrant> publish, Instant expiresAt) {

    public static final String ADMIN = "admin";

    public Principal {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(expiresAt, "expiresAt");
        tenant = tenant == null ? Optional.empty() : tenant;
        roles = Set.copyOf(roles);
        subscribe = List.copyOf(subscribe);
        publish = List.copyOf(publish);
    }

    public boolean isAdmin() {
        return roles.contains(ADMIN);
    }

    /** {@code user:{sub}}, when the subject is a valid channel id. */
    public Optional<ChannelName> personalChannel() {
        return ChannelName.tryParse("user:" + subject);
    }

    /** {@code tenant:{tenant}}, when the token names a tenant that is a valid channel id. */
    public Optional<ChannelName> tenantChannel() {
        return tenant.flatMap(t -> ChannelName.tryParse("tenant:" + t));
    }
}
