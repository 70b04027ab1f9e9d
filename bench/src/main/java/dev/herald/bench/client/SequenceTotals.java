package dev.herald.bench.client;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Loss, duplicates and order over many subscribers, each checked against its channel's head
 * (the highest sequence the publisher was answered), plus connections the server closed.
 */
public record SequenceTotals(long received, long lost, long duplicates, long outOfOrder, int subscribers,
                             int closedByServer, int notRecovered, int errors) {

    /** Sums the checkers of every subscriber that got its {@code subscribed} frame; call after {@link LoadClient#quiesce()}. */
    public static SequenceTotals of(List<Subscriber> all, ToLongFunction<String> headOfChannel) {
        long received = 0;
        long lost = 0;
        long duplicates = 0;
        long outOfOrder = 0;
        int subscribers = 0;
        int closed = 0;
        int notRecovered = 0;
        int errors = 0;
        for (Subscriber subscriber : all) {
            SequenceChecker checker = subscriber.checker();
            if (checker == null) {
                continue;
            }
            subscribers++;
            received += checker.received();
            lost += checker.lost(headOfChannel.applyAsLong(subscriber.channel()));
            duplicates += checker.duplicates();
            outOfOrder += checker.outOfOrder();
            closed += subscriber.closeCode() > 0 && subscriber.closeCode() != 1000 ? 1 : 0;
            notRecovered += subscriber.notRecovered();
            errors += subscriber.errors();
        }
        return new SequenceTotals(received, lost, duplicates, outOfOrder, subscribers, closed, notRecovered, errors);
    }

    /** True when nothing was lost, repeated or reordered. */
    public boolean clean() {
        return lost == 0 && duplicates == 0 && outOfOrder == 0;
    }

    /** The figures for a report. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("events_received", received);
        map.put("events_lost", lost);
        map.put("duplicates", duplicates);
        map.put("out_of_order", outOfOrder);
        map.put("closed_by_server", closedByServer);
        map.put("error_frames", errors);
        return map;
    }
}
