package dev.herald.application.admin;

import java.util.function.Consumer;

/**
 * Carries administrators' {@link Disconnect} orders to the other instances. At most once: an
 * instance cut off from the broker at that moment keeps the connection (the administrator sees it
 * still listed and repeats the order).
 */
public interface DisconnectRelay {

    /** One instance alone: every connection is local, nothing to carry. */
    DisconnectRelay LOCAL = new DisconnectRelay() {
        @Override
        public void onDisconnect(Consumer<Disconnect> listener) {
        }

        @Override
        public void send(Disconnect order) {
        }

        @Override
        public boolean reachesOtherInstances() {
            return false;
        }
    };

    /** Sets the one receiver of other instances' orders; called once at start-up. */
    void onDisconnect(Consumer<Disconnect> listener);

    /** Sends the order to every other instance. */
    void send(Disconnect order);

    /** Whether other instances may exist and hear {@link #send}. */
    boolean reachesOtherInstances();
}
