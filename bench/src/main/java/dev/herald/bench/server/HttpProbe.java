package dev.herald.bench.server;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;

/** One short HTTP GET, for readiness checks. */
final class HttpProbe {

    private HttpProbe() {
    }

    /** True when {@code url} answers 200 within two seconds. */
    static boolean answers200(String url) {
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
            connection.setConnectTimeout(2000);
            connection.setReadTimeout(2000);
            try {
                return connection.getResponseCode() == 200;
            } finally {
                connection.disconnect();
            }
        } catch (IOException notYet) {
            return false;
        }
    }
}
