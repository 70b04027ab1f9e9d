package dev.herald.application.audit;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Events per second per channel, as an exponentially weighted moving average over about
 * {@value #TAU_MILLIS} ms, fed by the publish records of every instance. One object and two
 * numbers per channel; channels whose rate decayed to nothing are forgotten when read.
 */
public final class ChannelRates {

    static final double TAU_MILLIS = 10_000;
    private static final double FORGET_BELOW = 0.001;

    private final Map<String, Rate> rates = new ConcurrentHashMap<>();

    private static final class Rate {
        private double value;
        private long at;

        synchronized void mark(long now) {
            value = decayed(now) + 1000.0 / TAU_MILLIS;
            at = Math.max(at, now);
        }

        synchronized double decayed(long now) {
            return value * Math.exp(-Math.max(0, now - at) / TAU_MILLIS);
        }
    }

    public void mark(String channel, long nowMillis) {
        rates.computeIfAbsent(channel, c -> new Rate()).mark(nowMillis);
    }

    /** Events per second on the channel now; 0 when none was seen recently. */
    public double perSecond(String channel, long nowMillis) {
        Rate rate = rates.get(channel);
        return rate == null ? 0 : rate.decayed(nowMillis);
    }

    /** Every channel with a noticeable rate, and that rate. */
    public Map<String, Double> snapshot(long nowMillis) {
        Map<String, Double> out = new java.util.TreeMap<>();
        rates.forEach((channel, rate) -> {
            double v = rate.decayed(nowMillis);
            if (v < FORGET_BELOW) {
                rates.remove(channel, rate);
            } else {
                out.put(channel, v);
            }
        });
        return out;
    }
}
