package dev.herald.application.admin;

import java.util.Objects;

/**
 * An administrator's order to close connections with 4011, on whichever instance holds them:
 * one connection by id, or every connection of a user.
 *
 * @param target a connection id or a user's subject, as {@link #byUser} says
 * @param admin  the administrator who gave it, for the log
 */
public record Disconnect(boolean byUser, String target, String admin) {

    public Disconnect {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(admin, "admin");
    }

    public static Disconnect connection(String id, String admin) {
        return new Disconnect(false, id, admin);
    }

    public static Disconnect user(String user, String admin) {
        return new Disconnect(true, user, admin);
    }
}
