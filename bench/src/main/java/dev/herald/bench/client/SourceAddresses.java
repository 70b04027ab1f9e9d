package dev.herald.bench.client;

import java.net.InetSocketAddress;

/**
 * Local addresses for client sockets: 127.0.0.2, 127.0.0.3, ... each used for {@code perAddress}
 * sockets before moving on, because one source address has only about 28,000 ephemeral ports
 * (and closed sockets hold theirs in TIME_WAIT for a minute). Only 127.0.0.0/8 is ever used.
 */
public final class SourceAddresses {

    /** Sockets per source address by default: well inside the ~28,000 ephemeral ports. */
    public static final int DEFAULT_PER_ADDRESS = 20_000;

    private final int perAddress;
    private long handedOut;

    public SourceAddresses(int perAddress) {
        if (perAddress < 1) {
            throw new IllegalArgumentException("perAddress must be positive");
        }
        this.perAddress = perAddress;
    }

    /** The address for the next socket (port 0: the kernel picks one). */
    public synchronized InetSocketAddress next() {
        long block = handedOut++ / perAddress;
        if (block > 252) {
            throw new IllegalStateException("more than 253 loopback source addresses needed");
        }
        return new InetSocketAddress("127.0.0." + (2 + block), 0);
    }

    /** How many distinct source addresses have been used so far. */
    public synchronized int addressesUsed() {
        return handedOut == 0 ? 0 : (int) ((handedOut - 1) / perAddress) + 1;
    }
}
