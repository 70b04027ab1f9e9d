package dev.herald.domain;

import dev.herald.testing.Concurrently;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every {@link AckStore} must do, run against each implementation by a subclass.
 *
 * <p>Every test uses users and channels of its own ({@link #newUser()}, {@link #newChannel()}), so
 * implementations may share one database between tests.
 */
public abstract class AckStoreContract {

    private static final Duration DEADLINE = Duration.ofSeconds(60);

    protected AckStore store;

    /** A store to test; it may hold other tests' positions, never this test's. */
    protected abstract AckStore newStore();

    @BeforeEach
    void createStore() {
        store = newStore();
    }

    protected static String newUser() {
        return "user-" + UUID.randomUUID();
    }

    protected static ChannelName newChannel() {
        return ChannelName.of("contract", "ack-" + UUID.randomUUID());
    }

    @Test
    void positionIsEmptyBeforeTheFirstAcknowledgement() {
        assertEquals(Optional.empty(), store.position(newUser(), newChannel()));
    }

    @Test
    void acknowledgingMovesThePositionForward() {
        // given
        String user = newUser();
        ChannelName channel = newChannel();

        // when
        store.acknowledge(user, channel, Sequence.of(3));
        Optional<Sequence> afterFirst = store.position(user, channel);
        store.acknowledge(user, channel, Sequence.of(7));

        // then
        assertEquals(Optional.of(Sequence.of(3)), afterFirst);
        assertEquals(Optional.of(Sequence.of(7)), store.position(user, channel));
    }

    @Test
    void lowerOrEqualAcknowledgementIsIgnored() {
        // given
        String user = newUser();
        ChannelName channel = newChannel();
        store.acknowledge(user, channel, Sequence.of(10));

        // when
        store.acknowledge(user, channel, Sequence.of(4));
        Optional<Sequence> afterLower = store.position(user, channel);
        store.acknowledge(user, channel, Sequence.of(10));
        Optional<Sequence> afterEqual = store.position(user, channel);
        store.acknowledge(user, channel, Sequence.ZERO);

        // then
        assertEquals(Optional.of(Sequence.of(10)), afterLower);
        assertEquals(Optional.of(Sequence.of(10)), afterEqual);
        assertEquals(Optional.of(Sequence.of(10)), store.position(user, channel));
    }

    @Test
    void eachUserHasAPositionOfTheirOwn() {
        // given
        String alice = newUser();
        String bob = newUser();
        ChannelName channel = newChannel();

        // when
        store.acknowledge(alice, channel, Sequence.of(5));
        store.acknowledge(bob, channel, Sequence.of(2));

        // then
        assertEquals(Optional.of(Sequence.of(5)), store.position(alice, channel));
        assertEquals(Optional.of(Sequence.of(2)), store.position(bob, channel));
        assertEquals(Optional.empty(), store.position(newUser(), channel));
    }

    @Test
    void eachChannelHasAPositionOfItsOwn() {
        // given
        String user = newUser();
        ChannelName orders = newChannel();
        ChannelName alerts = newChannel();

        // when
        store.acknowledge(user, orders, Sequence.of(9));
        store.acknowledge(user, alerts, Sequence.of(1));
        store.acknowledge(user, alerts, Sequence.of(4));

        // then
        assertEquals(Optional.of(Sequence.of(9)), store.position(user, orders));
        assertEquals(Optional.of(Sequence.of(4)), store.position(user, alerts));
        assertEquals(Optional.empty(), store.position(user, newChannel()));
    }

    @Test
    void concurrentAcknowledgementsEndAtTheHighest() throws InterruptedException {
        // given: four connections of one user acknowledging in random order, as after a reconnect
        String user = newUser();
        ChannelName channel = newChannel();
        long seed = System.nanoTime();
        Random random = new Random(seed);
        List<List<Sequence>> acksByThread = new ArrayList<>();
        long highest = 0;
        for (int t = 0; t < 4; t++) {
            List<Sequence> acks = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                long seq = 1 + random.nextInt(1_000);
                acks.add(Sequence.of(seq));
                highest = Math.max(highest, seq);
            }
            acksByThread.add(acks);
        }

        // when
        Concurrently.run(4, DEADLINE, t -> {
            for (Sequence seq : acksByThread.get(t)) {
                store.acknowledge(user, channel, seq);
            }
            return null;
        });

        // then
        assertEquals(Optional.of(Sequence.of(highest)), store.position(user, channel), "random seed " + seed);
    }

    @Test
    void concurrentFirstAcknowledgementsKeepTheHighest() throws InterruptedException {
        // given: several connections acknowledging a (user, channel) never acknowledged before, at once,
        // which is when two of them may both try to create its position
        int rounds = 50;
        int threads = 4;
        List<String> lost = new ArrayList<>();

        for (int round = 0; round < rounds; round++) {
            String user = newUser();
            ChannelName channel = newChannel();
            // The highest acknowledgement comes from a different thread each round.
            int highestThread = round % threads;

            // when
            Concurrently.run(threads, DEADLINE, t -> {
                store.acknowledge(user, channel, Sequence.of(t == highestThread ? 100 : 1 + t));
                return null;
            });

            // then
            Optional<Sequence> position = store.position(user, channel);
            if (!position.equals(Optional.of(Sequence.of(100)))) {
                lost.add("round " + round + ": " + position);
            }
        }
        assertEquals(List.of(), lost, "rounds where the highest first acknowledgement was lost");
    }

    @Test
    void positionNeverMovesBackwardsWhileAcknowledgementsRace() throws InterruptedException {
        // given
        String user = newUser();
        ChannelName channel = newChannel();
        int writers = 3;
        int acksPerWriter = 100;

        // when: three threads acknowledge rising but interleaved sequences, one thread watches
        List<List<Long>> observed = Concurrently.run(writers + 1, DEADLINE, t -> {
            List<Long> seen = new ArrayList<>();
            if (t == writers) {
                for (int i = 0; i < 300; i++) {
                    store.position(user, channel).ifPresent(s -> seen.add(s.value()));
                }
            } else {
                for (int i = 1; i <= acksPerWriter; i++) {
                    store.acknowledge(user, channel, Sequence.of((long) i * writers - t));
                }
            }
            return seen;
        });

        // then
        List<Long> seen = observed.get(writers);
        for (int i = 1; i < seen.size(); i++) {
            assertTrue(seen.get(i) >= seen.get(i - 1), "position moved back from " + seen.get(i - 1) + " to " + seen.get(i));
        }
        assertEquals(Optional.of(Sequence.of((long) acksPerWriter * writers)), store.position(user, channel));
    }
}
