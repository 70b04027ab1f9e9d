package dev.herald.domain;

/**
 * The store cannot be reached (database down, no connection within the acquire timeout). Nothing
 * was written: the caller may retry later. Callers answer 503, not 500.
 */
public class StoreUnavailableException extends RuntimeException {

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
