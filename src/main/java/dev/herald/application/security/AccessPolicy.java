package dev.herald.application.security;

import dev.herald.domain.ChannelName;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import java.util.List;

/**
 * Decides whether a principal may subscribe to or publish on a channel: the token's grants, the
 * always-allowed personal and tenant channels, then every {@link ChannelAuthorizer} bean.
 */
@ApplicationScoped
public class AccessPolicy {

    private List<ChannelAuthorizer> authorizers;

    protected AccessPolicy() {
        // for CDI proxies
    }

    @Inject
    public AccessPolicy(@Any Instance<ChannelAuthorizer> authorizers) {
        this(authorizers.stream().toList());
    }

    public AccessPolicy(List<ChannelAuthorizer> authorizers) {
        this.authorizers = List.copyOf(authorizers);
    }

    public boolean allows(Principal principal, ChannelName channel, Access access) {
        if (principal.isAdmin()) {
            return true;
        }
        boolean allowedByApplication = false;
        for (ChannelAuthorizer authorizer : authorizers) {
            switch (authorizer.authorize(principal, channel, access)) {
                case DENY -> {
                    return false;
                }
                case ALLOW -> allowedByApplication = true;
                case ABSTAIN -> { }
            }
        }
        return allowedByApplication || grantedByToken(principal, channel, access);
    }

    static boolean grantedByToken(Principal principal, ChannelName channel, Access access) {
        if (access == Access.SUBSCRIBE) {
            if (principal.personalChannel().filter(channel::equals).isPresent()
                    || principal.tenantChannel().filter(channel::equals).isPresent()) {
                return true;
            }
            return principal.subscribe().stream().anyMatch(g -> g.matches(channel));
        }
        return principal.publish().stream().anyMatch(g -> g.matches(channel));
    }
}
