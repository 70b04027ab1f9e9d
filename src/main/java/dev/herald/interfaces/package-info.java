/**
 * Adapters for the outside world: the JSR-356 WebSocket endpoints and their frame codec, and the
 * JAX-RS resources, and the headers of the admin console's pages. Thin: they decode, call
 * {@code application}, and encode.
 */
package dev.herald.interfaces;
