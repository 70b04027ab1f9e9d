package dev.herald.application.presence;

import dev.herald.application.ErrorCode;
import dev.herald.application.HeraldException;
import dev.herald.application.security.Access;
import dev.herald.application.security.AccessPolicy;
import dev.herald.application.security.Principal;
import dev.herald.domain.ChannelName;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;
import java.util.logging.Logger;

/** Answers "who is here" for the {@code presence} frame and {@code GET /api/channels/{channel}/presence}. */
@ApplicationScoped
public class PresenceService {

    private static final Logger LOG = Logger.getLogger(PresenceService.class.getName());

    private AccessPolicy policy;
    private Presence presence;

    protected PresenceService() {
        // for CDI proxies
    }

    @Inject
    public PresenceService(AccessPolicy policy, Presence presence) {
        this.policy = policy;
        this.presence = presence;
    }

    /**
     * The channel's subscribers, for a principal who may subscribe to it.
     *
     * @throws HeraldException {@code forbidden}, or {@code presence_unavailable} when the shared state cannot be read
     */
    public List<PresentUser> list(Principal principal, ChannelName channel) {
        if (!policy.allows(principal, channel, Access.SUBSCRIBE)) {
            throw new HeraldException(ErrorCode.FORBIDDEN, "not allowed to see who is subscribed to " + channel);
        }
        try {
            return presence.of(channel);
        } catch (PresenceUnavailableException e) {
            LOG.warning(() -> "presence of " + channel + " refused: " + e.getMessage());
            throw new HeraldException(ErrorCode.PRESENCE_UNAVAILABLE, ErrorCode.PRESENCE_UNAVAILABLE.title());
        }
    }
}
