package dev.herald.bench.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SourceAddressesTest {

    @Test
    void movesToTheNextLoopbackAddressAfterTheBlockSize() {
        SourceAddresses sources = new SourceAddresses(2);
        assertEquals("127.0.0.2", sources.next().getHostString());
        assertEquals("127.0.0.2", sources.next().getHostString());
        assertEquals("127.0.0.3", sources.next().getHostString());
        assertEquals(2, sources.addressesUsed());
        assertEquals(0, sources.next().getPort());
    }
}
