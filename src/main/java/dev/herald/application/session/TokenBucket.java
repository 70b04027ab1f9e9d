package dev.herald.application.session;

/**
 * A token bucket: {@code burst} tokens at most, refilled at {@code perSecond}; each admitted thing
 * takes one. A rate of zero admits everything. Time comes from the caller, so a test moves it by hand.
 */
public final class TokenBucket {

    /** Admits everything. */
    public static final TokenBucket UNLIMITED = new TokenBucket(0, 1, 0);

    private final double perMilli;
    private final int burst;
    private double tokens;
    private long lastMillis;

    public TokenBucket(int perSecond, int burst, long nowMillis) {
        this.perMilli = perSecond / 1000.0;
        this.burst = burst;
        this.tokens = burst;
        this.lastMillis = nowMillis;
    }

    /** Takes one token; false when none is left (the caller is over the rate). */
    public synchronized boolean tryTake(long nowMillis) {
        if (perMilli == 0) {
            return true;
        }
        refill(nowMillis);
        if (tokens < 1) {
            return false;
        }
        tokens--;
        return true;
    }

    /** Whether the bucket is full again at this time: forgetting it changes nothing. */
    public synchronized boolean isFull(long nowMillis) {
        refill(nowMillis);
        return tokens >= burst;
    }

    private void refill(long nowMillis) {
        if (nowMillis > lastMillis) {
            tokens = Math.min(burst, tokens + (nowMillis - lastMillis) * perMilli);
            lastMillis = nowMillis;
        }
    }
}
