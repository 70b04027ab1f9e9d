package dev.herald.application.metrics;

/** The event store's database as the health checks and metrics see it. */
public interface StoreProbe {

    /**
     * Whether a database connection can be had and answers. May block for up to
     * {@code herald.db.acquire-timeout}: callers bound it themselves ({@link InstanceMonitor#storeReachable()}).
     */
    boolean ping();

    /** Store operations that failed since start-up because no database connection could be had in time. */
    long unavailable();

    /** For tests without a database: always reachable, never failed. */
    StoreProbe NONE = new StoreProbe() {
        @Override
        public boolean ping() {
            return true;
        }

        @Override
        public long unavailable() {
            return 0;
        }
    };
}
