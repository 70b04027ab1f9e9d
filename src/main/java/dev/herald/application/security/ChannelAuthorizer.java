package dev.herald.application.security;

import dev.herald.domain.ChannelName;

/**
 * Application-supplied rules on top of the token's grants, for decisions only the application can
 * make ("the user must own this diagnosis"). Provide one or more as CDI beans; Herald asks all of
 * them on every subscribe and publish, except for admins, who may do everything.
 *
 * <p>Combination: any {@link Decision#DENY} refuses even what the token grants; otherwise any
 * {@link Decision#ALLOW} permits even what the token does not grant; when all abstain the token's
 * grants decide. Called on request threads: keep it fast, and cache what it looks up.
 */
public interface ChannelAuthorizer {

    Decision authorize(Principal principal, ChannelName channel, Access access);

    enum Decision { ALLOW, DENY, ABSTAIN }
}
