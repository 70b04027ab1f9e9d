package dev.herald.application.audit;

import dev.herald.application.config.HeraldConfig;
import dev.herald.application.session.InstanceId;
import dev.herald.application.config.Settings;
import dev.herald.testing.InMemoryAuditStore;
import dev.herald.testing.InMemoryLeases;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the trail hands records to the other instances: {@link AuditRelay}. */
class AuditTrailRelayTest {

    private static final Map<String, String> SETTINGS = Map.of("herald.audit.batch-size", "10", "herald.audit.queue-size", "100");

    /** Records what was shared, and how many records the store held at each share. */
    private static final class RecordingRelay implements AuditRelay {
        final List<AuditRecord> shared = new ArrayList<>();
        final List<Integer> storedAtShare = new ArrayList<>();
        final InMemoryAuditStore store;

        RecordingRelay(InMemoryAuditStore store) {
            this.store = store;
        }

        @Override
        public void onRecords(Consumer<List<AuditRecord>> listener) {
        }

        @Override
        public void share(List<AuditRecord> records) {
            shared.addAll(records);
            storedAtShare.add(store.size());
        }
    }

    private static AuditTrail trail(AuditStore store, AuditRelay relay) {
        Clock clock = Clock.systemUTC();
        HeraldConfig config = HeraldConfig.from(new Settings(key -> Optional.ofNullable(SETTINGS.get(key)), SETTINGS::keySet));
        AuditTrail trail = new AuditTrail(store, relay, new InMemoryLeases(clock), config, clock, InstanceId.random());
        trail.start();
        return trail;
    }

    private static void recordPublishes(AuditTrail trail, int n) {
        for (int i = 0; i < n; i++) {
            trail.record(AuditEvent.of(AuditType.PUBLISH, AuditOutcome.OK).user("bot").with("n", i));
        }
    }

    @Test
    void everyRecordIsSharedWithTheOtherInstancesAndStored() {
        InMemoryAuditStore store = new InMemoryAuditStore();
        RecordingRelay relay = new RecordingRelay(store);
        AuditTrail trail = trail(store, relay);

        recordPublishes(trail, 35);
        trail.flush();

        assertEquals(35, relay.shared.size());
        assertEquals(35, store.size());
    }

    @Test
    void recordsRecordedDuringALongStoreBacklogAreSharedBeforeTheBacklogIsWritten() {
        // given: a store that takes new records while the trail writes its backlog, batch by batch
        InMemoryAuditStore backing = new InMemoryAuditStore();
        List<AuditTrail> self = new ArrayList<>();
        AuditStore slow = new AuditStore() {
            @Override
            public void append(List<AuditRecord> records) {
                backing.append(records);
                if (backing.size() <= 30) {
                    recordPublishes(self.get(0), 10); // more arrive while the backlog is written
                }
            }

            @Override
            public AuditPage search(AuditQuery query) {
                return backing.search(query);
            }

            @Override
            public int deleteOlderThan(java.time.Instant cutoff, int limit) {
                return backing.deleteOlderThan(cutoff, limit);
            }
        };
        RecordingRelay relay = new RecordingRelay(backing);
        AuditTrail trail = trail(slow, relay);
        self.add(trail);
        recordPublishes(trail, 30);

        // when
        trail.flush();

        // then: shared between store batches, not only once the store queue ran dry
        assertEquals(60, relay.shared.size());
        assertEquals(60, backing.size());
        assertTrue(relay.storedAtShare.stream().anyMatch(stored -> stored > 0 && stored < 60),
                "shared only at " + relay.storedAtShare);
    }
}
