/**
 * The only layer that names a technology: the in-memory broker and the Redis broker on Jedis, the
 * JPA store on Hibernate with Flyway migrations, JWT verification with nimbus-jose-jwt,
 * MicroProfile Config and the managed executors. Implements the ports of {@code domain} and
 * {@code application}.
 */
package dev.herald.infrastructure;
