package dev.herald.application.audit;

import java.util.List;
import java.util.function.Consumer;

/**
 * Carries audit records to the other instances, for their {@code /ws/audit} watchers. At most once,
 * no order across instances: a record lost on the way is still in the store, only missing from the
 * live view. Without a shared broker there is nobody to tell.
 */
public interface AuditRelay {

    /** One instance alone: nothing to carry. */
    AuditRelay LOCAL = new AuditRelay() {
        @Override
        public void onRecords(Consumer<List<AuditRecord>> listener) {
        }

        @Override
        public void share(List<AuditRecord> records) {
        }
    };

    /** Sets the one receiver of other instances' records; called once at start-up. */
    void onRecords(Consumer<List<AuditRecord>> listener);

    /** Sends this instance's records to every other instance; may block for one network round trip. */
    void share(List<AuditRecord> records);
}
