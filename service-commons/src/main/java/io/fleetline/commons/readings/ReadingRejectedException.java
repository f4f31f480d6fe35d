package io.fleetline.commons.readings;

import io.fleetline.commons.api.ApiException;

/**
 * A reading refused by {@link ReadingParser}: the reason (for metrics) and a message naming the
 * field and its rule (for the HTTP answer). Carries no stack trace: it is an answer, not a bug.
 */
public class ReadingRejectedException extends RuntimeException {

    private final RejectReason reason;

    public ReadingRejectedException(RejectReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    /** Why the reading was refused. */
    public RejectReason reason() {
        return reason;
    }

    /** The HTTP answer: 413 for an oversize reading, 400 otherwise. */
    public ApiException toApiException() {
        return reason == RejectReason.OVERSIZE ? ApiException.payloadTooLarge(getMessage())
                : ApiException.badRequest(getMessage());
    }
}
