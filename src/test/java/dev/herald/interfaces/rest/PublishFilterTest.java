package dev.herald.interfaces.rest;

import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PublishFilterTest {

    /** A request whose only answer is {@code getRequestURL()}. */
    private static HttpServletRequest requestFor(String url) {
        return (HttpServletRequest) Proxy.newProxyInstance(PublishFilterTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getRequestURL")) {
                        return new StringBuffer(url);
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void theLocationsOriginIsTheRequestsSchemeHostAndPort() {
        assertEquals("http://localhost:8080",
                PublishFilter.origin(requestFor("http://localhost:8080/api/channels/diagnosis:42/events")));
        assertEquals("https://herald.example.com",
                PublishFilter.origin(requestFor("https://herald.example.com/api/events")));
    }

    @Test
    void aRequestUrlWithoutAPathIsItsOwnOrigin() {
        assertEquals("http://[::1]:8080", PublishFilter.origin(requestFor("http://[::1]:8080")));
    }
}
