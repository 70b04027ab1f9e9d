package dev.herald.application.security;

import dev.herald.domain.ChannelName;

/**
 * One grant from a token's {@code channels} or {@code publish} claim: an exact channel name
 * ({@code diagnosis:42}) or a prefix ending in {@code *} ({@code diagnosis:*}, or {@code *} for all).
 */
public record ChannelGrant(String pattern) {

    public ChannelGrant {
        if (pattern == null || pattern.isEmpty() || pattern.length() > ChannelName.MAX_LENGTH + 1) {
            throw new IllegalArgumentException("grant must be 1 to 162 characters");
        }
        if (pattern.indexOf('*') >= 0 && pattern.indexOf('*') != pattern.length() - 1) {
            throw new IllegalArgumentException("a grant may only end in '*': " + pattern);
        }
    }

    public boolean matches(ChannelName channel) {
        String name = channel.value();
        if (pattern.endsWith("*")) {
            return name.startsWith(pattern.substring(0, pattern.length() - 1));
        }
        return name.equals(pattern);
    }
}
