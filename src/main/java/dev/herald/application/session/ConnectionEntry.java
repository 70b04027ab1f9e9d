package dev.herald.application.session;

import java.time.Instant;

/**
 * One authenticated connection as the {@link ConnectionDirectory} knows it.
 *
 * @param instance     the instance that holds the connection
 * @param connectionId the connection's id ({@code welcome.connectionId})
 * @param connectedAt  when it was registered; the oldest go first when a user is over the limit
 */
public record ConnectionEntry(InstanceId instance, String connectionId, Instant connectedAt) {
}
