package dev.herald.it.app;

import dev.herald.application.security.Access;
import dev.herald.application.security.ChannelAuthorizer;
import dev.herald.application.security.Principal;
import dev.herald.domain.ChannelName;
import jakarta.enterprise.context.ApplicationScoped;

/** An application rule as a real deployment would write it: diagnosis 13 belongs to carol alone. */
@ApplicationScoped
public class OwnershipAuthorizer implements ChannelAuthorizer {

    @Override
    public Decision authorize(Principal principal, ChannelName channel, Access access) {
        if (!channel.value().equals("diagnosis:13")) {
            return Decision.ABSTAIN;
        }
        return principal.subject().equals("carol") ? Decision.ALLOW : Decision.DENY;
    }
}
