package dev.herald.application;

/** A refused request, carrying the stable code the client sees and a message safe to show it. */
public class HeraldException extends RuntimeException {

    private final ErrorCode code;

    public HeraldException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
