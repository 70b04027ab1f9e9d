package dev.herald.interfaces.rest;

import dev.herald.application.ErrorCode;
import dev.herald.application.HeraldException;
import dev.herald.domain.StoreUnavailableException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

import java.util.logging.Level;
import java.util.logging.Logger;

/** Every error of the HTTP API leaves as {@code application/problem+json}. */
final class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class.getName());

    private ProblemMappers() {
    }

    @Provider
    public static class Refused implements ExceptionMapper<HeraldException> {
        @Override
        public Response toResponse(HeraldException e) {
            return Problems.of(e.code(), e.getMessage());
        }
    }

    /** JAX-RS's own refusals: unknown path (404), wrong method (405), unacceptable media type (406, 415). */
    @Provider
    public static class Framework implements ExceptionMapper<WebApplicationException> {
        @Override
        public Response toResponse(WebApplicationException e) {
            int status = e.getResponse().getStatus();
            if (status == 415) {
                return Problems.of(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "the body must be application/json");
            }
            if (status >= 500) {
                LOG.log(Level.SEVERE, "request failed", e);
            }
            String reason = e.getResponse().getStatusInfo().getReasonPhrase();
            String code = reason.toLowerCase().replaceAll("[^a-z]+", "_");
            return Problems.of(status, code, reason, null);
        }
    }

    @Provider
    public static class Unexpected implements ExceptionMapper<Exception> {
        @Override
        public Response toResponse(Exception e) {
            if (e instanceof WebApplicationException web) {
                return new Framework().toResponse(web);
            }
            if (e instanceof HeraldException refused) {
                return new Refused().toResponse(refused);
            }
            if (e instanceof StoreUnavailableException) {
                LOG.warning(() -> "request refused: " + e.getMessage());
                return Problems.of(ErrorCode.STORE_UNAVAILABLE, null);
            }
            LOG.log(Level.SEVERE, "request failed", e);
            return Problems.of(ErrorCode.INTERNAL_ERROR, null);
        }
    }
}
