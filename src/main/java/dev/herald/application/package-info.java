/**
 * Use cases: who may do what on which channel, publishing, subscribing with gap-free replay,
 * the node-local hub and the connection registry. CDI beans; may use the domain and Jakarta APIs,
 * never a concrete technology (that is {@code infrastructure}) and never a transport (that is
 * {@code interfaces}).
 */
package dev.herald.application;
