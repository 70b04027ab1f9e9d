package dev.herald.infrastructure.logging;

import dev.herald.application.config.HeraldConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * With {@code herald.log.format=json}, sends the records of Herald's loggers ({@code dev.herald.*})
 * to standard output as JSON lines ({@link JsonLogFormatter}) instead of the server's text log. The
 * server's own records keep the server's format. Writes to the process's file descriptor, not
 * {@code System.out}, which an application server may redirect into its own log.
 */
@ApplicationScoped
public class LogFormat {

    /** Held here: java.util.logging keeps loggers only weakly, and a collected logger loses its handler. */
    private final Logger herald = Logger.getLogger("dev.herald");
    private Handler handler;

    @Inject
    HeraldConfig config;

    void install(@Observes @Initialized(ApplicationScoped.class) Object started) {
        if (!config.observability().jsonLogs() || handler != null) {
            return;
        }
        handler = new StreamHandler(new FileOutputStream(FileDescriptor.out), new JsonLogFormatter()) {
            @Override
            public synchronized void publish(LogRecord record) {
                super.publish(record);
                flush();
            }
        };
        handler.setLevel(Level.ALL);
        herald.addHandler(handler);
        herald.setUseParentHandlers(false);
        herald.info("log format: json");
    }

    @PreDestroy
    void uninstall() {
        if (handler != null) {
            herald.setUseParentHandlers(true);
            herald.removeHandler(handler);
            handler.flush();
            handler = null;
        }
    }
}
