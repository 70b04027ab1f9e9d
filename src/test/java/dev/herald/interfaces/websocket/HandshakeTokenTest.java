package dev.herald.interfaces.websocket;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HandshakeTokenTest {

    private static Function<String, Optional<String>> query(Map<String, String> parameters) {
        return name -> Optional.ofNullable(parameters.get(name));
    }

    @Test
    void aBearerHeaderWinsOverTheQueryEvenWhenTheQueryHoldsAnotherToken() {
        assertEquals(Optional.of("from-header"),
                HandshakeToken.find("bearer  from-header ", query(Map.of("token", "from-query"))));
    }

    @Test
    void withoutABearerHeaderTheTokenParameterWinsOverAccessToken() {
        assertEquals(Optional.of("a"), HandshakeToken.find(null, query(Map.of("token", "a", "access_token", "b"))));
        assertEquals(Optional.of("b"), HandshakeToken.find("Basic dXNlcg==", query(Map.of("access_token", "b"))));
    }

    @Test
    void aHandshakeWithoutATokenHasNone() {
        assertEquals(Optional.empty(), HandshakeToken.find(null, query(Map.of())));
    }
}
