// herald.js: the browser client for Herald (protocol v1, docs/protocol.md). One ES module, no
// dependencies, no build step: `import { Herald } from "/herald.js"`. Guide: docs/client.md.
// @ts-check

/**
 * The states of a client, in the order a normal life goes through them.
 * @typedef {"idle" | "connecting" | "connected" | "disconnected" | "reconnecting" | "stopped"} HeraldState
 */

/**
 * The transport in use: a WebSocket, or the server-sent-events fallback.
 * @typedef {"websocket" | "sse"} HeraldTransport
 */

/**
 * An event frame as Herald sends it (protocol section 5.3).
 * @typedef {object} HeraldEvent
 * @property {string} type the application's event type, e.g. `timeline_update`
 * @property {string} channel the channel, `namespace:id`
 * @property {number} seq the event's position in the channel (1, 2, 3, ...)
 * @property {string} ts when the event was committed, ISO-8601 UTC
 * @property {any} data the payload as published
 * @property {string} [correlationId] present when the publisher set one
 */

/**
 * What a `subscribed` answer said (protocol section 5.2).
 * @typedef {object} SubscribedInfo
 * @property {string} channel
 * @property {number} seq the channel's head when the subscription started
 * @property {boolean} recovered every event after the requested position follows
 * @property {number} replayed how many stored events are replayed before live ones
 * @property {number | null} requested the position the client asked to resume after, or null
 * @property {HeraldTransport} transport
 */

/**
 * A handler for the events of one channel: one function for every event, or one function per
 * event type, with `"*"` for the types not listed.
 * @typedef {((event: HeraldEvent) => void) | Object<string, (event: HeraldEvent) => void>} EventHandlers
 */

/**
 * Options of {@link Herald#subscribe}.
 * @typedef {object} SubscribeOptions
 * @property {number} [since] resume after this sequence (the last one the application processed
 *   before this page was loaded); without it, the server's stored ack, or live only
 * @property {(info: SubscribedInfo) => void} [onSubscribed] every `subscribed` answer, after each (re)connect
 * @property {(info: SubscribedInfo) => void} [onReset] the client asked to resume from a position and
 *   the server could not deliver everything after it (`recovered: false`): reload the channel's
 *   state from the application, then continue with the events that follow
 * @property {(error: HeraldError) => void} [onError] the subscription was refused or ended by the server
 */

/**
 * Constructor options.
 * @typedef {object} HeraldOptions
 * @property {string | (() => string | Promise<string>)} token a JWT, or a function that returns (or
 *   resolves to) a fresh one. The function is called on every connect, after a close with 4001 or
 *   4010, and before the current token expires. A fixed string cannot be refreshed: the client
 *   stops when the server refuses it.
 * @property {string} [wsUrl] the WebSocket URL; default: derived from the URL given to the constructor (`/ws`)
 * @property {string} [httpUrl] where the HTTP API lives (`{httpUrl}/api/...`); default: derived likewise
 * @property {HeraldTransport[]} [transports] transports to use, in order of preference; default `["websocket", "sse"]`
 * @property {number} [fallbackAfter] consecutive WebSocket connects that fail before switching to SSE; default 2
 * @property {number} [minDelay] the first reconnect waits between this and twice this, in ms; default 500
 * @property {number} [maxDelay] the longest wait between reconnects, in ms; default 20000
 * @property {boolean} [autoAck] acknowledge processed events to the server; default true
 * @property {number} [ackDelay] acks are cumulative and sent at most this often per channel, in ms; default 1000
 * @property {number} [requestTimeout] publish, command and presence fail after this long without an answer, in ms; default 10000
 */

/**
 * The payload of each client event (see {@link Herald#on}).
 * @typedef {object} HeraldEvents
 * @property {{state: HeraldState, previous: HeraldState}} state every state change
 * @property {{attempt: number, transport: HeraldTransport}} connecting a transport is being opened
 * @property {{transport: HeraldTransport, connectionId?: string, user?: string}} connected
 * @property {{code: number, reason: string, willReconnect: boolean}} disconnected the connection ended
 * @property {{attempt: number, delay: number}} reconnecting a reconnect is scheduled in `delay` ms
 * @property {{code: number, reason: string}} stopped the client gave up (4003, 4000, 4008, an
 *   unrefreshable token) or was closed; it does nothing more
 * @property {{exp: number}} refreshed the server accepted a fresh token
 * @property {{from: HeraldTransport, to: HeraldTransport}} fallback WebSocket could not connect; SSE is used from now on
 * @property {HeraldError} error something went wrong that the application may want to know
 */

/** An error reported by Herald (`code` as in protocol section 14) or by this client. */
export class HeraldError extends Error {
    /**
     * @param {string} code stable snake_case code: Herald's error codes, plus this client's
     *   `connection_lost`, `timeout`, `stopped`, `unsupported_transport`, `handler_failed`, `transport_failed`
     * @param {string} message
     * @param {{channel?: string, status?: number, cause?: any}} [details]
     */
    constructor(code, message, details = {}) {
        super(message);
        this.name = "HeraldError";
        /** @type {string} */
        this.code = code;
        /** @type {string | undefined} */
        this.channel = details.channel;
        /** @type {number | undefined} HTTP status, for errors of the HTTP API */
        this.status = details.status;
        if (details.cause !== undefined) {
            this.cause = details.cause;
        }
    }
}

/**
 * Reconnect delay with exponential backoff and full jitter: uniform between `min` and
 * `min * 2^(attempt+1)`, capped at `max`. Attempt 0 waits 0.5 to 1 s with the defaults, attempt 5
 * and later up to 20 s.
 * @param {number} attempt 0 for the first reconnect
 * @param {number} [min]
 * @param {number} [max]
 * @param {() => number} [random]
 * @returns {number} milliseconds
 */
export function backoffDelay(attempt, min = 500, max = 20000, random = Math.random) {
    const cap = Math.min(max, min * 2 ** Math.min(attempt + 1, 30));
    return Math.round(min + random() * Math.max(0, cap - min));
}

/**
 * Reads `exp` from a JWT's payload without verifying anything (the server verifies).
 * @param {string} token
 * @returns {number | null} seconds since the epoch, or null when the token has no readable `exp`
 */
export function tokenExpiry(token) {
    try {
        const part = String(token).split(".")[1];
        if (!part) {
            return null;
        }
        const base64 = part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "=");
        const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        const exp = JSON.parse(new TextDecoder().decode(bytes)).exp;
        return typeof exp === "number" && Number.isFinite(exp) ? exp : null;
    } catch {
        return null;
    }
}

/**
 * When to refresh a token: 10% of its remaining life before `exp`, at least 30 s before, but never
 * later than halfway through what is left (short-lived tokens).
 * @param {number} exp seconds since the epoch
 * @param {number} now milliseconds since the epoch
 * @returns {number} milliseconds from now
 */
export function refreshDelay(exp, now) {
    const left = exp * 1000 - now;
    const margin = Math.min(Math.max(30000, left * 0.1), left / 2);
    return Math.max(0, left - margin);
}

/**
 * A streaming parser for `text/event-stream` (the WHATWG "interpret an event stream" rules):
 * feed it text as it arrives, in chunks of any size; it calls back once per complete event.
 */
export class SseParser {
    /**
     * @param {(message: {event: string, data: string, id: string | null}) => void} onMessage
     * @param {(retry: number) => void} [onRetry]
     */
    constructor(onMessage, onRetry = () => {}) {
        this.onMessage = onMessage;
        this.onRetry = onRetry;
        this.buffer = "";
        this.event = "";
        /** @type {string[]} */
        this.data = [];
        /** @type {string | null} */
        this.id = null;
        this.started = false;
    }

    /** @param {string} chunk */
    push(chunk) {
        if (!this.started) {
            this.started = true;
            if (chunk.charCodeAt(0) === 0xfeff) {
                chunk = chunk.slice(1);
            }
        }
        this.buffer += chunk;
        let start = 0;
        for (;;) {
            const lf = this.buffer.indexOf("\n", start);
            const cr = this.buffer.indexOf("\r", start);
            let end = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
            if (end < 0) {
                break;
            }
            let next = end + 1;
            if (this.buffer[end] === "\r") {
                if (end + 1 === this.buffer.length) {
                    break; // a CR at the end may be the first half of CRLF: wait for more
                }
                if (this.buffer[end + 1] === "\n") {
                    next = end + 2;
                }
            }
            this.line(this.buffer.slice(start, end));
            start = next;
        }
        this.buffer = this.buffer.slice(start);
    }

    /** @param {string} line */
    line(line) {
        if (line === "") {
            if (this.data.length > 0) {
                this.onMessage({ event: this.event || "message", data: this.data.join("\n"), id: this.id });
            }
            this.event = "";
            this.data = [];
            return;
        }
        if (line.startsWith(":")) {
            return; // a comment: the server's heartbeat
        }
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) {
            value = value.slice(1);
        }
        if (field === "event") {
            this.event = value;
        } else if (field === "data") {
            this.data.push(value);
        } else if (field === "id" && !value.includes("\0")) {
            this.id = value;
        } else if (field === "retry" && /^\d+$/.test(value)) {
            this.onRetry(Number(value));
        }
    }
}

// What a close code asks of the client (protocol section 13, CloseCode).
const STOP_CODES = new Set([1000, 4000, 4003, 4008, 4011]);
const REFRESH_CODES = new Set([4001, 4010]);
const IDLE_CODE = 4005;
const CONTROL_TYPES = new Set(["welcome", "subscribed", "unsubscribed", "published", "accepted", "refreshed",
    "presence", "error", "ping", "pong", "auth", "subscribe", "unsubscribe", "ack", "publish", "command",
    "batch", "filter", "event", "close"]);

/** One channel the application subscribed to, across reconnects and transports. */
class Channel {
    /**
     * @param {string} name
     * @param {EventHandlers} handlers
     * @param {SubscribeOptions} options
     */
    constructor(name, handlers, options) {
        this.name = name;
        this.handlers = handlers;
        this.options = options;
        /** The last sequence handed to the application; null: none yet. @type {number | null} */
        this.position = typeof options.since === "number" ? options.since : null;
        /** The highest sequence acknowledged to the server. */
        this.acked = 0;
        /** Subscribed on the current WebSocket (its `subscribed` arrived). */
        this.active = false;
        /** @type {ReturnType<typeof setTimeout> | null} */
        this.ackTimer = null;
        /** @type {AbortController | null} */
        this.stream = null;
        this.streamAttempt = 0;
        /** @type {ReturnType<typeof setTimeout> | null} */
        this.streamTimer = null;
    }
}

/**
 * A connection to Herald that stays up: it reconnects with backoff and jitter, resumes every channel
 * from the last event it handed to the application (dropping anything seen twice), acknowledges
 * what was processed, answers the server's pings, refreshes the token before it expires, and falls
 * back to server-sent events when a WebSocket cannot connect.
 *
 * ```js
 * const herald = new Herald("/", { token: () => fetch("/my/token").then((r) => r.text()) });
 * const stop = herald.subscribe("diagnosis:42", { timeline_update: (e) => render(e.data) });
 * ```
 */
export class Herald {
    /**
     * @param {string} url where Herald runs: `https://host` (or a relative `/`), or its WebSocket URL `wss://host/ws`
     * @param {HeraldOptions} options
     */
    constructor(url, options) {
        if (!options || (typeof options.token !== "string" && typeof options.token !== "function")) {
            throw new TypeError("Herald: options.token must be a JWT string or a function returning one");
        }
        const base = new URL(url, globalThis.location ? globalThis.location.href : undefined);
        const path = base.pathname.replace(/\/+$/, "");
        const secure = base.protocol === "https:" || base.protocol === "wss:";
        const root = path.endsWith("/ws") ? path.slice(0, -3) : path;
        this.wsUrl = options.wsUrl
            || (base.protocol.startsWith("ws") ? base.href : `${secure ? "wss" : "ws"}://${base.host}${root}/ws`);
        this.httpUrl = (options.httpUrl || `${secure ? "https" : "http"}://${base.host}${root}`).replace(/\/+$/, "");
        this.options = {
            transports: ["websocket", "sse"], fallbackAfter: 2, minDelay: 500, maxDelay: 20000,
            autoAck: true, ackDelay: 1000, requestTimeout: 10000, ...options,
        };
        /** @type {HeraldState} */
        this.state = "idle";
        /** @type {HeraldTransport} */
        this.transport = this.options.transports[0] === "sse" ? "sse" : "websocket";
        /** @type {Map<string, Channel>} */
        this.channels = new Map();
        /** @type {Map<string, Set<Function>>} */
        this.listeners = new Map();
        /** @type {WebSocket | null} */
        this.ws = null;
        this.wsFailures = 0;
        this.attempt = 0;
        /** @type {string | null} */
        this.token = null;
        this.refs = 0;
        /** @type {Map<string, {resolve: Function, reject: Function, timer: ReturnType<typeof setTimeout>}>} */
        this.pending = new Map();
        /** Subscribe frames in flight, by ref, to tell which channel an error is about. @type {Map<string, Channel>} */
        this.subscribeRefs = new Map();
        /** Frames waiting for the connection. @type {object[]} */
        this.outbox = [];
        /** @type {ReturnType<typeof setTimeout> | null} */
        this.reconnectTimer = null;
        /** @type {ReturnType<typeof setTimeout> | null} */
        this.refreshTimer = null;
        /** @type {ReturnType<typeof setInterval> | null} */
        this.heartbeatTimer = null;
        this.lastReceived = 0;
        this.pingSent = 0;
        /** Incremented on every new connection, so late callbacks of an old one are ignored. */
        this.generation = 0;
        // Connect after the caller's synchronous code, so listeners added right after `new` see every event.
        queueMicrotask(() => this.connect());
    }

    /**
     * Listens to a client event; returns a function that removes the listener.
     * @template {keyof HeraldEvents} K
     * @param {K} name
     * @param {(payload: HeraldEvents[K]) => void} listener
     * @returns {() => void}
     */
    on(name, listener) {
        let set = this.listeners.get(name);
        if (!set) {
            set = new Set();
            this.listeners.set(name, set);
        }
        set.add(listener);
        return () => set.delete(listener);
    }

    /**
     * Receives a channel's events from now on, across reconnects, each exactly once and in order.
     * @param {string} channel `namespace:id`
     * @param {EventHandlers} handlers
     * @param {SubscribeOptions} [options]
     * @returns {() => void} unsubscribes
     */
    subscribe(channel, handlers, options = {}) {
        if (this.state === "stopped") {
            throw new HeraldError("stopped", "this Herald client is stopped");
        }
        if (this.channels.has(channel)) {
            throw new HeraldError("already_subscribed", `already subscribed to ${channel}`, { channel });
        }
        const entry = new Channel(channel, handlers, options);
        this.channels.set(channel, entry);
        if (this.state === "connected") {
            this.startChannel(entry);
        }
        this.wake();
        return () => this.unsubscribe(entry);
    }

    /**
     * Publishes an event; resolves once Herald has stored it. Over SSE this is an HTTP POST.
     * @param {string} channel
     * @param {string} type the event type
     * @param {any} [data]
     * @param {{correlationId?: string}} [options]
     * @returns {Promise<{channel: string, seq: number, ts: string}>}
     */
    publish(channel, type, data = null, options = {}) {
        if (this.transport === "sse") {
            const body = { type, data, ...(options.correlationId ? { correlationId: options.correlationId } : {}) };
            return this.http("POST", `/api/channels/${encodeURIComponent(channel)}/events`, body)
                .then((r) => ({ channel: r.channel, seq: r.seq, ts: r.ts }));
        }
        return this.request({ type: "publish", channel, event: type, data,
            ...(options.correlationId ? { correlationId: options.correlationId } : {}) })
            .then((f) => ({ channel: f.channel, seq: f.seq, ts: f.ts }));
    }

    /**
     * Sends a command to the application behind Herald; resolves when it was accepted. WebSocket only:
     * rejects with `unsupported_transport` while the client runs on SSE.
     * @param {string} channel
     * @param {string} name
     * @param {any} [data]
     * @returns {Promise<{channel: string, name: string}>}
     */
    command(channel, name, data = null) {
        if (this.transport === "sse") {
            return Promise.reject(new HeraldError("unsupported_transport",
                "commands need a WebSocket; this client fell back to SSE", { channel }));
        }
        return this.request({ type: "command", channel, name, data })
            .then((f) => ({ channel: f.channel, name: f.name }));
    }

    /**
     * Who is subscribed to a channel, on every instance.
     * @param {string} channel
     * @returns {Promise<{channel: string, users: {user: string, connections: number}[]}>}
     */
    presence(channel) {
        if (this.transport === "sse") {
            return this.http("GET", `/api/channels/${encodeURIComponent(channel)}/presence`);
        }
        return this.request({ type: "presence", channel }).then((f) => ({ channel: f.channel, users: f.users }));
    }

    /**
     * The last sequence of a channel handed to the application, or null.
     * @param {string} channel
     * @returns {number | null}
     */
    position(channel) {
        const entry = this.channels.get(channel);
        return entry ? entry.position : null;
    }

    /** Closes the connection for good: state `stopped`, pending requests fail with `stopped`. */
    close() {
        this.stop(1000, "closed by the application");
    }

    // ---- connection life cycle ----

    /** @param {HeraldState} state */
    setState(state) {
        if (this.state !== state) {
            const previous = this.state;
            this.state = state;
            this.emit("state", { state, previous });
        }
    }

    /**
     * @param {string} name
     * @param {any} payload
     */
    emit(name, payload) {
        if (name !== "state" && name !== "error" && this.state !== "stopped" && ["connecting", "connected",
            "disconnected", "reconnecting"].includes(name)) {
            this.setState(/** @type {HeraldState} */ (name));
        }
        for (const listener of [...(this.listeners.get(name) || [])]) {
            try {
                listener(payload);
            } catch (e) {
                if (name !== "error") {
                    this.emit("error", new HeraldError("handler_failed", `a "${name}" listener threw: ${e}`, { cause: e }));
                }
            }
        }
    }

    /** @param {boolean} [fresh] call the token provider even for the first connect */
    async getToken(fresh = true) {
        const provider = this.options.token;
        if (typeof provider === "string") {
            return provider;
        }
        if (!fresh && this.token) {
            return this.token;
        }
        const token = await provider();
        if (typeof token !== "string" || token === "") {
            throw new HeraldError("unauthorized", "the token provider returned no token");
        }
        return token;
    }

    /** Read through a method: the state may change while an `await` is pending. */
    stopped() {
        return this.state === "stopped";
    }

    async connect() {
        if (this.state === "stopped") {
            return;
        }
        const generation = ++this.generation;
        this.emit("connecting", { attempt: this.attempt, transport: this.transport });
        let token;
        try {
            token = await this.getToken();
        } catch (e) {
            if (generation === this.generation && !this.stopped()) {
                this.emit("error", e instanceof HeraldError ? e : new HeraldError("unauthorized", `the token provider failed: ${e}`, { cause: e }));
                this.disconnected(generation, 1006, "no token", false, false);
            }
            return;
        }
        if (generation !== this.generation || this.stopped()) {
            return;
        }
        this.token = token;
        if (this.transport === "sse") {
            this.connectSse();
        } else {
            this.connectWebSocket(generation);
        }
    }

    /** @param {number} generation */
    connectWebSocket(generation) {
        let ws;
        try {
            ws = new WebSocket(this.wsUrl);
        } catch (e) {
            this.emit("error", new HeraldError("transport_failed", `cannot open ${this.wsUrl}: ${e}`, { cause: e }));
            this.disconnected(generation, 1006, "cannot open", false);
            return;
        }
        this.ws = ws;
        let welcomed = false;
        ws.onopen = () => {
            if (generation === this.generation) {
                // The token goes in the first frame, never in the URL (which proxies log).
                ws.send(JSON.stringify({ type: "auth", token: this.token }));
            }
        };
        ws.onmessage = (message) => {
            if (generation !== this.generation) {
                return;
            }
            let frame;
            try {
                frame = JSON.parse(message.data);
            } catch {
                return;
            }
            if (frame && frame.type === "welcome") {
                welcomed = true;
            }
            this.lastReceived = Date.now();
            this.pingSent = 0;
            this.onFrame(frame);
        };
        ws.onclose = (e) => {
            if (this.ws === ws) {
                this.ws = null;
            }
            this.disconnected(generation, e.code, e.reason, welcomed);
        };
    }

    /**
     * The current connection ended (or never came up): decide, from the close code, what next.
     * @param {number} generation
     * @param {number} code
     * @param {string} reason
     * @param {boolean} welcomed the connection had been accepted
     * @param {boolean} [reachedTransport] false when no connection was even tried (no token): not a
     *   reason to fall back to SSE
     */
    disconnected(generation, code, reason, welcomed, reachedTransport = true) {
        if (generation !== this.generation || this.state === "stopped") {
            return;
        }
        this.generation++;
        this.stopHeartbeat();
        this.clearRefresh();
        for (const entry of this.channels.values()) {
            entry.active = false;
            this.clearAck(entry);
        }
        this.subscribeRefs.clear();
        this.failPending("connection_lost", `the connection closed (${code}) before the answer came`);
        const canRefresh = typeof this.options.token === "function";
        const stop = STOP_CODES.has(code) || (REFRESH_CODES.has(code) && !canRefresh);
        const idle = code === IDLE_CODE && this.channels.size === 0;
        this.emit("disconnected", { code, reason, willReconnect: !stop && !idle });
        if (stop) {
            this.stop(code, reason);
            return;
        }
        if (!welcomed && reachedTransport && this.transport === "websocket" && !REFRESH_CODES.has(code)) {
            this.wsFailures++;
            if (this.wsFailures >= this.options.fallbackAfter && this.options.transports.includes("sse")) {
                // The backoff keeps growing: if Herald itself is down, SSE fails too and the client
                // comes back to WebSocket (sseUnreachable), without hammering it.
                this.transport = "sse";
                this.emit("fallback", { from: "websocket", to: "sse" });
            }
        }
        if (idle) {
            return; // 4005 with nothing subscribed: reconnect when the application needs it (subscribe, publish)
        }
        this.scheduleReconnect();
    }

    /** Reconnects now if the connection was left closed after an idle timeout (4005). */
    wake() {
        if (this.state === "disconnected" && !this.reconnectTimer) {
            this.connect();
        }
    }

    scheduleReconnect() {
        const delay = backoffDelay(this.attempt, this.options.minDelay, this.options.maxDelay);
        this.emit("reconnecting", { attempt: this.attempt + 1, delay });
        this.attempt++;
        clearTimeout(/** @type {any} */ (this.reconnectTimer));
        this.reconnectTimer = setTimeout(() => {
            this.reconnectTimer = null;
            this.connect();
        }, delay);
    }

    /**
     * @param {number} code
     * @param {string} reason
     */
    stop(code, reason) {
        if (this.state === "stopped") {
            return;
        }
        this.generation++;
        clearTimeout(/** @type {any} */ (this.reconnectTimer));
        this.clearRefresh();
        this.stopHeartbeat();
        for (const entry of this.channels.values()) {
            this.clearAck(entry);
            this.stopStream(entry);
        }
        this.failPending("stopped", `the client stopped: ${reason}`);
        this.outbox = [];
        const ws = this.ws;
        this.ws = null;
        if (ws && ws.readyState <= 1) {
            ws.close(1000, "client closed");
        }
        this.setState("stopped");
        this.emit("stopped", { code, reason });
    }

    // ---- WebSocket frames ----

    /** @param {any} frame */
    onFrame(frame) {
        switch (frame && frame.type) {
            case "welcome":
                this.welcome(frame);
                break;
            case "subscribed":
                this.subscribeRefs.delete(frame.ref);
                this.subscribed(this.channels.get(frame.channel), frame);
                break;
            case "unsubscribed":
                this.serverUnsubscribed(frame);
                break;
            case "ping":
                this.send({ type: "pong" });
                break;
            case "refreshed":
                this.emit("refreshed", { exp: frame.exp });
                break;
            case "error":
                this.serverError(frame);
                break;
            case "published":
            case "accepted":
            case "presence":
                this.settle(frame.ref, frame, null);
                break;
            case "pong":
                break;
            default:
                if (frame && typeof frame.type === "string" && !CONTROL_TYPES.has(frame.type)) {
                    this.deliver(this.channels.get(frame.channel), frame);
                }
        }
    }

    /** @param {any} frame */
    welcome(frame) {
        this.attempt = 0;
        this.wsFailures = 0;
        this.emit("connected", { transport: "websocket", connectionId: frame.connectionId, user: frame.user });
        this.startHeartbeat(frame.heartbeat);
        this.scheduleRefresh();
        for (const entry of this.channels.values()) {
            this.startChannel(entry);
        }
        const queued = this.outbox;
        this.outbox = [];
        for (const item of queued) {
            this.send(item);
        }
    }

    /** @param {Channel} entry */
    startChannel(entry) {
        if (this.transport === "sse") {
            this.openStream(entry);
            return;
        }
        const ref = `s${++this.refs}`;
        this.subscribeRefs.set(ref, entry);
        /** @type {Record<string, any>} */
        const frame = { type: "subscribe", channel: entry.name, ref };
        if (entry.position !== null) {
            frame.since = entry.position;
        }
        this.send(frame);
    }

    /** @param {Channel} entry */
    unsubscribe(entry) {
        if (this.channels.get(entry.name) !== entry) {
            return;
        }
        this.channels.delete(entry.name);
        this.flushAck(entry);
        this.clearAck(entry);
        this.stopStream(entry);
        if (this.transport === "websocket" && this.state === "connected") {
            this.send({ type: "unsubscribe", channel: entry.name });
        }
    }

    /**
     * @param {Channel | undefined} entry
     * @param {any} frame
     * @param {HeraldTransport} [transport]
     */
    subscribed(entry, frame, transport = "websocket") {
        if (!entry) {
            return;
        }
        entry.active = true;
        const requested = entry.position;
        /** @type {SubscribedInfo} */
        const info = { channel: entry.name, seq: frame.seq, recovered: !!frame.recovered,
            replayed: frame.replayed || 0, requested, transport };
        if (!info.recovered) {
            // Delivery continues after the head: the position must follow it, even backwards
            // (a store that lost events), or the next events would look like duplicates.
            entry.position = frame.seq;
            entry.acked = Math.min(entry.acked, frame.seq);
        }
        this.callback(entry, entry.options.onSubscribed, info);
        if (!info.recovered && requested !== null) {
            this.callback(entry, entry.options.onReset, info);
        }
    }

    /**
     * Hands one event to the application, once.
     * @param {Channel | undefined} entry
     * @param {HeraldEvent} event
     */
    deliver(entry, event) {
        if (!entry || typeof event.seq !== "number") {
            return;
        }
        if (entry.position !== null && event.seq <= entry.position) {
            return; // seen before: replay overlapping what was already handled
        }
        entry.position = event.seq;
        const handlers = entry.handlers;
        const handler = typeof handlers === "function" ? handlers
            : handlers && (Object.prototype.hasOwnProperty.call(handlers, event.type) ? handlers[event.type] : handlers["*"]);
        if (typeof handler === "function") {
            try {
                handler(event);
            } catch (e) {
                this.emit("error", new HeraldError("handler_failed",
                    `the handler for ${event.channel} ${event.type} #${event.seq} threw: ${e}`, { channel: entry.name, cause: e }));
            }
        }
        this.scheduleAck(entry);
    }

    /**
     * @param {Channel} entry
     * @param {Function | undefined} fn
     * @param {any} arg
     */
    callback(entry, fn, arg) {
        if (typeof fn !== "function") {
            return;
        }
        try {
            fn(arg);
        } catch (e) {
            this.emit("error", new HeraldError("handler_failed", `a callback for ${entry.name} threw: ${e}`, { channel: entry.name, cause: e }));
        }
    }

    /** @param {any} frame */
    serverUnsubscribed(frame) {
        const entry = this.channels.get(frame.channel);
        if (entry && !frame.ref) {
            // A token refresh no longer grants the channel: the subscription is over.
            this.channels.delete(entry.name);
            this.clearAck(entry);
            const error = new HeraldError("forbidden", `the refreshed token no longer grants ${entry.name}`, { channel: entry.name });
            this.callback(entry, entry.options.onError, error);
            this.emit("error", error);
        }
    }

    /** @param {any} frame */
    serverError(frame) {
        const entry = frame.ref ? this.subscribeRefs.get(frame.ref) : undefined;
        const error = new HeraldError(frame.code, frame.message, { channel: entry && entry.name });
        if (frame.ref && this.pending.has(frame.ref)) {
            this.settle(frame.ref, null, error);
            return;
        }
        if (entry) {
            this.subscribeRefs.delete(frame.ref);
            if (frame.code !== "already_subscribed" && this.channels.get(entry.name) === entry) {
                // Refused (forbidden, invalid channel...): asking again would be refused again.
                this.channels.delete(entry.name);
                this.callback(entry, entry.options.onError, error);
            }
        }
        this.emit("error", error);
    }

    // ---- requests with answers ----

    /**
     * @param {object} frame
     * @returns {Promise<any>}
     */
    request(frame) {
        if (this.state === "stopped") {
            return Promise.reject(new HeraldError("stopped", "this Herald client is stopped"));
        }
        const ref = `r${++this.refs}`;
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => this.settle(ref, null,
                new HeraldError("timeout", `no answer to ${/** @type {any} */ (frame).type} within ${this.options.requestTimeout} ms`)),
            this.options.requestTimeout);
            this.pending.set(ref, { resolve, reject, timer });
            const withRef = { ...frame, ref };
            if (this.state === "connected" && this.ws) {
                this.send(withRef);
            } else {
                this.outbox.push(withRef);
                this.wake();
            }
        });
    }

    /**
     * @param {string | undefined} ref
     * @param {any} value
     * @param {HeraldError | null} error
     */
    settle(ref, value, error) {
        const entry = ref && this.pending.get(ref);
        if (!entry) {
            return;
        }
        this.pending.delete(/** @type {string} */ (ref));
        clearTimeout(entry.timer);
        this.outbox = this.outbox.filter((f) => /** @type {any} */ (f).ref !== ref);
        if (error) {
            entry.reject(error);
        } else {
            entry.resolve(value);
        }
    }

    /**
     * Requests sent on a connection that ended may or may not have been carried out (a publish is not
     * repeated blindly); requests still queued wait for the next connection.
     * @param {string} code
     * @param {string} message
     */
    failPending(code, message) {
        const queued = new Set(this.outbox.map((f) => /** @type {any} */ (f).ref));
        for (const ref of [...this.pending.keys()]) {
            if (code === "stopped" || !queued.has(ref)) {
                this.settle(ref, null, new HeraldError(code, message));
            }
        }
    }

    /** @param {object} frame */
    send(frame) {
        if (this.ws && this.ws.readyState === 1) {
            this.ws.send(JSON.stringify(frame));
        }
    }

    // ---- acknowledgements ----

    /** @param {Channel} entry */
    scheduleAck(entry) {
        if (!this.options.autoAck || this.transport !== "websocket" || entry.ackTimer) {
            return;
        }
        entry.ackTimer = setTimeout(() => {
            entry.ackTimer = null;
            this.flushAck(entry);
        }, this.options.ackDelay);
    }

    /** @param {Channel} entry */
    flushAck(entry) {
        // Only on the connection whose subscription delivered the events: the server refuses an ack
        // beyond what the current subscription has sent.
        if (this.options.autoAck && entry.active && entry.position !== null && entry.position > entry.acked
            && this.state === "connected" && this.transport === "websocket") {
            entry.acked = entry.position;
            this.send({ type: "ack", channel: entry.name, seq: entry.position });
        }
    }

    /** @param {Channel} entry */
    clearAck(entry) {
        clearTimeout(/** @type {any} */ (entry.ackTimer));
        entry.ackTimer = null;
    }

    // ---- heartbeat: answer pings (onFrame); notice a dead connection the network did not report ----

    /** @param {{interval: number, timeout: number} | undefined} heartbeat */
    startHeartbeat(heartbeat) {
        this.stopHeartbeat();
        const interval = Math.max(1, heartbeat && heartbeat.interval || 30) * 1000;
        const timeout = Math.max(1, heartbeat && heartbeat.timeout || 10) * 1000;
        this.lastReceived = Date.now();
        this.heartbeatTimer = setInterval(() => {
            const now = Date.now();
            if (this.pingSent && now - this.pingSent > timeout) {
                this.ws?.close(4000, "no answer to ping");
                // A dead TCP connection may take minutes to report the close: do not wait for it.
                this.disconnected(this.generation, 1006, "no answer to ping", true);
            } else if (!this.pingSent && now - this.lastReceived > interval + timeout) {
                // Longer than the server waits before pinging a silent client: a client that only
                // listens hears the server's pings first and just answers them.
                this.pingSent = now;
                this.send({ type: "ping" });
            }
        }, Math.min(interval, timeout) / 2);
    }

    stopHeartbeat() {
        clearInterval(/** @type {any} */ (this.heartbeatTimer));
        this.heartbeatTimer = null;
        this.pingSent = 0;
    }

    // ---- token refresh ----

    scheduleRefresh() {
        this.clearRefresh();
        const exp = this.token ? tokenExpiry(this.token) : null;
        if (exp === null || typeof this.options.token !== "function") {
            return;
        }
        const generation = this.generation;
        // At least a second apart, so a provider that keeps returning an old token cannot spin.
        const delay = Math.max(1000, refreshDelay(exp, Date.now()));
        this.refreshTimer = setTimeout(() => this.refresh(generation), delay);
    }

    /** @param {number} generation */
    async refresh(generation) {
        let token;
        try {
            token = await this.getToken();
        } catch (e) {
            this.emit("error", e instanceof HeraldError ? e : new HeraldError("unauthorized", `the token provider failed: ${e}`, { cause: e }));
            if (generation === this.generation) {
                this.refreshTimer = setTimeout(() => this.refresh(generation), 5000);
            }
            return;
        }
        if (generation !== this.generation || this.state !== "connected") {
            return;
        }
        this.token = token;
        if (this.transport === "websocket") {
            this.send({ type: "auth", token });
        }
        // Over SSE the new token is used by the next request of each stream; the server ends a
        // stream whose token expires (close 4010) and the stream reconnects with the new one.
        this.scheduleRefresh();
    }

    clearRefresh() {
        clearTimeout(/** @type {any} */ (this.refreshTimer));
        this.refreshTimer = null;
    }

    // ---- the SSE fallback: one fetch() stream per channel ----

    connectSse() {
        this.emit("connected", { transport: "sse" });
        this.scheduleRefresh();
        for (const entry of this.channels.values()) {
            this.openStream(entry);
        }
        // Requests queued for the WebSocket go over HTTP where HTTP can carry them.
        const queued = this.outbox;
        this.outbox = [];
        for (const frame of /** @type {any[]} */ (queued)) {
            const channel = encodeURIComponent(frame.channel);
            const answer = frame.type === "publish"
                ? this.http("POST", `/api/channels/${channel}/events`,
                    { type: frame.event, data: frame.data, ...(frame.correlationId ? { correlationId: frame.correlationId } : {}) })
                : frame.type === "presence" ? this.http("GET", `/api/channels/${channel}/presence`)
                    : Promise.reject(new HeraldError("unsupported_transport", "commands need a WebSocket; this client fell back to SSE"));
            answer.then((value) => this.settle(frame.ref, value, null), (error) => this.settle(frame.ref, null, error));
        }
    }

    /** @param {Channel} entry */
    stopStream(entry) {
        clearTimeout(/** @type {any} */ (entry.streamTimer));
        entry.streamTimer = null;
        entry.stream?.abort();
        entry.stream = null;
    }

    /** @param {Channel} entry */
    async openStream(entry) {
        this.stopStream(entry);
        const controller = new AbortController();
        entry.stream = controller;
        const current = () => entry.stream === controller && this.channels.get(entry.name) === entry && this.state !== "stopped";
        /** @type {{code: number, reason: string} | null} */
        let closed = null;
        let answered = false;
        try {
            /** @type {Record<string, string>} */
            const headers = { Accept: "text/event-stream", Authorization: `Bearer ${this.token}` };
            if (entry.position !== null) {
                headers["Last-Event-ID"] = String(entry.position);
            }
            const response = await fetch(`${this.httpUrl}/api/channels/${encodeURIComponent(entry.name)}/events`,
                { headers, signal: controller.signal, cache: "no-store" });
            answered = true;
            if (!current()) {
                return;
            }
            const type = response.headers.get("Content-Type") || "";
            if (!response.ok || !type.startsWith("text/event-stream") || !response.body) {
                const problem = await response.json().catch(() => ({}));
                closed = this.streamRefused(entry, response.status, problem);
                if (!closed) {
                    return;
                }
            } else {
                entry.streamAttempt = 0;
                const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
                const parser = new SseParser((m) => {
                    const frame = safeParse(m.data);
                    if (!frame || !current()) {
                        return;
                    }
                    if (m.event === "subscribed") {
                        this.subscribed(entry, frame, "sse");
                    } else if (m.event === "close") {
                        closed = { code: frame.code, reason: frame.reason || "" };
                    } else if (!CONTROL_TYPES.has(frame.type)) {
                        this.deliver(entry, frame);
                    }
                });
                for (;;) {
                    const { value, done } = await reader.read();
                    if (done || !current()) {
                        break;
                    }
                    parser.push(value);
                }
            }
        } catch (e) {
            if (!current()) {
                return;
            }
            if (!answered && this.options.transports.includes("websocket")) {
                // No HTTP answer at all: Herald is unreachable, not just its WebSocket. Go back to
                // trying WebSocket, so a server restart does not leave clients on SSE for good.
                this.sseUnreachable(e);
                return;
            }
            this.emit("error", new HeraldError("transport_failed", `the event stream of ${entry.name} failed: ${e}`, { channel: entry.name, cause: e }));
        }
        if (!current()) {
            return;
        }
        entry.stream = null;
        entry.active = false;
        const code = closed ? closed.code : 1006;
        const canRefresh = typeof this.options.token === "function";
        if (STOP_CODES.has(code) || (REFRESH_CODES.has(code) && !canRefresh)) {
            // A code that ends the whole connection on a WebSocket ends the client here too.
            this.stop(code, closed ? closed.reason : "");
            return;
        }
        if (REFRESH_CODES.has(code)) {
            try {
                this.token = await this.getToken();
            } catch (e) {
                this.emit("error", new HeraldError("unauthorized", `the token provider failed: ${e}`, { cause: e }));
            }
        }
        const delay = backoffDelay(entry.streamAttempt++, this.options.minDelay, this.options.maxDelay);
        entry.streamTimer = setTimeout(() => {
            if (this.channels.get(entry.name) === entry && this.state !== "stopped") {
                this.openStream(entry);
            }
        }, delay);
    }

    /** @param {any} cause */
    sseUnreachable(cause) {
        for (const entry of this.channels.values()) {
            this.stopStream(entry);
            entry.active = false;
        }
        this.clearRefresh();
        this.transport = "websocket";
        this.wsFailures = 0;
        this.emit("error", new HeraldError("transport_failed", `Herald is unreachable over HTTP too: ${cause}`, { cause }));
        this.emit("disconnected", { code: 1006, reason: "unreachable", willReconnect: true });
        this.generation++;
        this.scheduleReconnect();
    }

    /**
     * An HTTP refusal of a stream: either the channel's subscription is over (returns null), or
     * the stream should be retried like a closed connection.
     * @param {Channel} entry
     * @param {number} status
     * @param {any} problem
     * @returns {{code: number, reason: string} | null}
     */
    streamRefused(entry, status, problem) {
        const detail = problem && (problem.detail || problem.title) || `HTTP ${status}`;
        if (status === 401) {
            return { code: 4001, reason: detail };
        }
        if (status === 400 || status === 403) {
            this.channels.delete(entry.name);
            const error = new HeraldError(problem && problem.code || (status === 403 ? "forbidden" : "bad_request"),
                detail, { channel: entry.name, status });
            this.callback(entry, entry.options.onError, error);
            this.emit("error", error);
            return null;
        }
        this.emit("error", new HeraldError(problem && problem.code || "transport_failed",
            `the event stream of ${entry.name} was refused: ${detail}`, { channel: entry.name, status }));
        return { code: 1013, reason: detail };
    }

    /**
     * @param {string} method
     * @param {string} path
     * @param {any} [body]
     */
    async http(method, path, body) {
        if (this.state === "stopped") {
            throw new HeraldError("stopped", "this Herald client is stopped");
        }
        const token = this.token || await this.getToken();
        /** @type {Record<string, string>} */
        const headers = { Accept: "application/json", Authorization: `Bearer ${token}` };
        if (body !== undefined) {
            headers["Content-Type"] = "application/json";
        }
        const response = await fetch(this.httpUrl + path,
            { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
        const json = await response.json().catch(() => ({}));
        if (!response.ok) {
            throw new HeraldError(json.code || "http_error", json.detail || json.title || `HTTP ${response.status}`, { status: response.status });
        }
        return json;
    }
}

/** @param {string} text */
function safeParse(text) {
    try {
        return JSON.parse(text);
    } catch {
        return null;
    }
}
