package dev.herald.interfaces.websocket;

import jakarta.websocket.Session;

import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Finds Tyrus's writer for a connection, to write pre-framed bytes straight to it (its SPI
 * {@code Writer}, see {@link TyrusSpiWriter}; on Payara the servlet upgrade's output stream), the way Tyrus's own broadcast
 * writes a frame it encoded once. Sending a string through the JSR-356 remote instead makes Tyrus
 * encode it to UTF-8, build a frame, a future and a completion wrapper, for every subscriber.
 *
 * <p>The writer sits behind private fields of Tyrus's remote endpoint, web socket and protocol
 * handler, read once per session. When they are not there (another Tyrus, another container), when
 * the Tyrus SPI is not visible to the application, or when the session negotiated an extension
 * (whose frames Tyrus would transform), {@link #open} returns null, the connection sends through the
 * standard API, and the log says so once.
 */
final class TyrusWriters {

    private static final Logger LOG = Logger.getLogger(TyrusWriters.class.getName());
    private static final String CORE = "org.glassfish.tyrus.core.";

    /** The three fields from the session's remote endpoint to its writer, found once; null until then. */
    private static volatile Field[] path;
    private static volatile boolean unavailable;
    private static volatile boolean grizzlyUnavailable;
    private static final Map<String, Member> MEMBERS = new ConcurrentHashMap<>();
    private static final AtomicBoolean ANNOUNCED = new AtomicBoolean();

    private TyrusWriters() {
    }

    /** A raw writer for {@code session}, or null when it has none (then use the standard API). */
    static FrameWriter open(Session session, FrameWriter.Done done) {
        if (unavailable) {
            return null;
        }
        try {
            if (!session.getNegotiatedExtensions().isEmpty()) {
                return null; // Tyrus transforms such a session's frames (compression): send through it
            }
            Object writer = writerOf(session);
            if (writer == null) {
                return null;
            }
            FrameWriter grizzly = session.isSecure() ? null : grizzlyBeneath(writer, done);
            if (grizzly != null) {
                announce("the Grizzly connection's write queue");
                return grizzly;
            }
            FrameWriter raw = TyrusSpiWriter.open(writer, done);
            if (raw == null) {
                giveUp(writer.getClass().getName() + " is not Tyrus's SPI writer as the application sees it");
            } else {
                announce("Tyrus's writer");
            }
            return raw;
        } catch (LinkageError e) {
            giveUp("the Tyrus SPI is not visible to the application: " + e);
            return null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            giveUp("its session did not lead to its writer: " + e);
            return null;
        }
    }

    /** Whether sessions have a raw path on this server; false once a session showed it has not. */
    static boolean available() {
        return !unavailable;
    }

    /** Which raw path sessions took last: {@code grizzly}, {@code tyrus}, or {@code none} (the standard API). */
    static String path() {
        return unavailable ? "none" : grizzlyUnavailable ? "tyrus" : "grizzly";
    }

    /**
     * A writer onto the Grizzly connection beneath Tyrus's servlet writer (Payara's upgrade:
     * Tyrus's writer, its upgrade handler, the servlet connection, Catalina's request, Grizzly's
     * request, its connection), or null; once one session shows the way is not there, the rest
     * write through Tyrus's writer without trying.
     */
    private static FrameWriter grizzlyBeneath(Object tyrusWriter, FrameWriter.Done done) {
        if (grizzlyUnavailable) {
            return null;
        }
        try {
            Object handler = read(tyrusWriter, "tyrusHttpUpgradeHandler");
            Object webConnection = invoke(handler, "getWebConnection");
            Object catalina = read(webConnection, "request");
            Object grizzlyRequest = invoke(catalina, "getCoyoteRequest");
            Object connection = invoke(grizzlyRequest, "getConnection");
            return GrizzlyFrameWriter.open(connection, done, TyrusWriters::grizzlyOff);
        } catch (LinkageError e) {
            grizzlyOff("Grizzly is not visible to the application: " + e);
        } catch (ReflectiveOperationException | RuntimeException e) {
            grizzlyOff(tyrusWriter.getClass().getName() + " did not lead to a Grizzly connection: " + e);
        }
        return null;
    }

    /** The value of the instance field {@code name} of {@code target}'s class or a superclass. */
    private static Object read(Object target, String name) throws ReflectiveOperationException {
        Member member = member(target.getClass(), name, false);
        return nonNull(((Field) member).get(target), name);
    }

    /** The result of {@code target}'s method {@code name()}, whatever its visibility. */
    private static Object invoke(Object target, String name) throws ReflectiveOperationException {
        Member member = member(target.getClass(), name, true);
        try {
            return nonNull(((Method) member).invoke(target), name);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw e;
        }
    }

    private static Object nonNull(Object value, String name) throws NoSuchFieldException {
        if (value == null) {
            throw new NoSuchFieldException(name + " is null");
        }
        return value;
    }

    /** Looked up once per class: every session of a server has the same classes on this path. */
    private static Member member(Class<?> type, String name, boolean method) throws ReflectiveOperationException {
        String key = type.getName() + (method ? "#" : ".") + name;
        Member known = MEMBERS.get(key);
        if (known != null) {
            return known;
        }
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                AccessibleObject found = method ? c.getDeclaredMethod(name) : c.getDeclaredField(name);
                if (Modifier.isStatic(((Member) found).getModifiers())) {
                    continue;
                }
                found.setAccessible(true);
                MEMBERS.put(key, (Member) found);
                return (Member) found;
            } catch (NoSuchFieldException | NoSuchMethodException e) {
                // look in the superclass
            }
        }
        throw new NoSuchFieldException(key);
    }

    /** Says once which way frames go, the first time a session takes it. */
    private static void announce(String way) {
        if (ANNOUNCED.compareAndSet(false, true)) {
            LOG.log(Level.INFO, "WebSocket frames are framed once per event and written to {0}", way);
        }
    }

    private static void grizzlyOff(String why) {
        if (!grizzlyUnavailable) {
            grizzlyUnavailable = true;
            LOG.log(Level.INFO, "WebSocket frames are framed once and written through Tyrus''s writer ({0})", why);
        }
    }

    private static Object writerOf(Session session) throws ReflectiveOperationException {
        Field[] fields = path;
        Object remote = session.getAsyncRemote();
        if (fields == null) {
            fields = findPath(remote);
            if (fields == null) {
                return null;
            }
            path = fields;
        }
        Object target = remote;
        for (Field field : fields) {
            target = field.get(target);
            if (target == null) {
                throw new NoSuchFieldException(field.getName() + " is null");
            }
        }
        return target;
    }

    private static Field[] findPath(Object remote) {
        Field webSocket = field(remote.getClass(), CORE + "TyrusRemoteEndpoint", "webSocket");
        Field protocolHandler = webSocket == null ? null : field(webSocket.getType(), CORE + "TyrusWebSocket", "protocolHandler");
        Field writer = protocolHandler == null ? null : field(protocolHandler.getType(), CORE + "ProtocolHandler", "writer");
        if (writer == null) {
            giveUp(remote.getClass().getName() + " is not Tyrus's remote endpoint with a writer behind it");
            return null;
        }
        return new Field[]{webSocket, protocolHandler, writer};
    }

    /** The instance field {@code name} declared by the class named {@code owner} in {@code type}'s hierarchy. */
    private static Field field(Class<?> type, String owner, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (!c.getName().equals(owner)) {
                continue;
            }
            try {
                Field found = c.getDeclaredField(name);
                if (Modifier.isStatic(found.getModifiers())) {
                    return null;
                }
                found.setAccessible(true);
                return found;
            } catch (NoSuchFieldException | RuntimeException e) {
                return null;
            }
        }
        return null;
    }

    private static void giveUp(String why) {
        if (!unavailable) {
            unavailable = true;
            LOG.log(Level.INFO, "WebSocket frames are encoded per connection by the container ({0})", why);
        }
    }
}
