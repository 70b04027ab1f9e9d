package dev.herald.interfaces.websocket;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;

/**
 * Hands the WebSocket container, before the first connection, the executor that drops Tyrus's
 * do-nothing idle-timer tasks ({@link TyrusIdleTimer#skipIdleTasksFromTheStart}).
 */
@WebListener
public class IdleTimerSetup implements ServletContextListener {

    /** Where JSR-356 (section 6.4) puts the application's server container. */
    static final String SERVER_CONTAINER = "jakarta.websocket.server.ServerContainer";

    @Override
    public void contextInitialized(ServletContextEvent event) {
        TyrusIdleTimer.skipIdleTasksFromTheStart(event.getServletContext().getAttribute(SERVER_CONTAINER));
    }
}
