package io.fleetline.commons.rules;

import java.time.Duration;
import java.time.Instant;

/**
 * Where one rule stands for one device: since when (device time) its condition holds, whether it
 * fired, and the device time of the newest reading it saw. Transitions are pure so the same
 * readings always give the same events, whichever writer evaluates them.
 */
public record RuleState(Instant since, boolean fired, Instant lastTs) {

    /** The state of a rule that has seen nothing yet. */
    public static final RuleState INITIAL = new RuleState(null, false, null);

    /** What one reading did: the next state and the event it raised, if any. */
    public record Step(RuleState next, Transition transition, long durationS) {
    }

    /** An event-worthy change. */
    public enum Transition {
        NONE, EXCEEDED, CLEARED
    }

    /**
     * Feeds the reading {@code value} at device time {@code ts} to {@code rule}. A reading older
     * than one already seen changes nothing: latecomers do not rewrite history.
     */
    public Step step(Rule rule, Instant ts, double value) {
        if (lastTs != null && ts.isBefore(lastTs)) {
            return new Step(this, Transition.NONE, 0);
        }
        if (fired) {
            if (rule.stillHolds(value)) {
                return new Step(new RuleState(since, true, ts), Transition.NONE, 0);
            }
            return new Step(new RuleState(null, false, ts), Transition.CLEARED, seconds(since, ts));
        }
        if (!rule.operator().test(value, rule.threshold())) {
            return new Step(new RuleState(null, false, ts), Transition.NONE, 0);
        }
        Instant start = since == null ? ts : since;
        long held = seconds(start, ts);
        if (Duration.between(start, ts).compareTo(Duration.ofSeconds(rule.durationS())) >= 0) {
            return new Step(new RuleState(start, true, ts), Transition.EXCEEDED, held);
        }
        return new Step(new RuleState(start, false, ts), Transition.NONE, 0);
    }

    private static long seconds(Instant from, Instant to) {
        return from == null ? 0 : Math.max(0, Duration.between(from, to).toSeconds());
    }
}
