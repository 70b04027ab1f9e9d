package dev.herald.interfaces.rest;

import dev.herald.application.ErrorCode;
import dev.herald.application.delivery.JsonText;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** RFC 9457 problem details, with Herald's stable error code as the extension member {@code code}. */
public final class Problems {

    static final String MEDIA_TYPE = "application/problem+json";

    private Problems() {
    }

    static Response of(ErrorCode code, String detail) {
        return of(code.httpStatus(), code.code(), code.title(), detail);
    }

    /** The same problem written to a servlet response, for the part of the API served outside JAX-RS (SSE). */
    public static void write(HttpServletResponse response, ErrorCode code, String detail) throws IOException {
        Response problem = of(code, detail);
        response.setStatus(problem.getStatus());
        problem.getStringHeaders().forEach((name, values) -> values.forEach(value -> response.addHeader(name, value)));
        response.getOutputStream().write(((String) problem.getEntity()).getBytes(StandardCharsets.UTF_8));
    }

    static Response of(int status, String code, String title, String detail) {
        StringBuilder body = new StringBuilder(160).append("{\"type\":\"urn:herald:problem:").append(code)
                .append("\",\"title\":");
        JsonText.quote(body, title);
        body.append(",\"status\":").append(status).append(",\"code\":\"").append(code).append('"');
        if (detail != null) {
            body.append(",\"detail\":");
            JsonText.quote(body, detail);
        }
        body.append('}');
        Response.ResponseBuilder response = Response.status(status).type(MEDIA_TYPE).entity(body.toString());
        if (status == 401) {
            response.header("WWW-Authenticate", "Bearer");
        }
        if (status == 503) {
            // Outages of the store or of Redis pass in seconds; tell clients when to come back.
            response.header("Retry-After", "5");
        }
        if (status == 429) {
            // A token bucket refills within a second or two.
            response.header("Retry-After", "1");
        }
        return response.build();
    }
}
