/**
 * Adapters for the outside world: the JSR-356 WebSocket endpoints and their frame codec, and the
 * JAX-RS resources. Thin: they decode, call {@code application}, and encode.
 */
package dev.herald.interfaces;
