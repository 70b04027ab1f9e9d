/**
 * The domain: channel names, sequences, events and the ports that store them.
 * Pure Java. Nothing here may import {@code jakarta.*}, {@code redis.*} or {@code com.nimbusds.*}.
 */
package dev.herald.domain;
