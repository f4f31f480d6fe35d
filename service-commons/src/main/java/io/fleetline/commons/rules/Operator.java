package io.fleetline.commons.rules;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The comparison of an alert rule, written on the wire as its symbol ({@code ">"}). */
public enum Operator {
    GT(">", "above"),
    GE(">=", "at or above"),
    LT("<", "below"),
    LE("<=", "at or below"),
    EQ("==", "equal to"),
    NE("!=", "not equal to");

    private final String symbol;
    private final String words;

    Operator(String symbol, String words) {
        this.symbol = symbol;
        this.words = words;
    }

    /** The symbol on the wire and in {@code condition}, such as {@code >=}. */
    @JsonValue
    public String symbol() {
        return symbol;
    }

    /** How a message says it, such as {@code above}. */
    public String words() {
        return words;
    }

    /** Whether {@code value <op> threshold} holds. */
    public boolean test(double value, double threshold) {
        return switch (this) {
            case GT -> value > threshold;
            case GE -> value >= threshold;
            case LT -> value < threshold;
            case LE -> value <= threshold;
            case EQ -> value == threshold;
            case NE -> value != threshold;
        };
    }

    /** Whether the operator orders values, so a clear threshold (hysteresis) makes sense. */
    public boolean ordering() {
        return this != EQ && this != NE;
    }

    /** Whether {@code clear} lies on the side where the condition no longer holds, or on the threshold. */
    public boolean acceptsClearThreshold(double threshold, double clear) {
        return switch (this) {
            case GT, GE -> clear <= threshold;
            case LT, LE -> clear >= threshold;
            case EQ, NE -> false;
        };
    }

    /** The operator written {@code symbol}, or null when there is none. */
    @JsonCreator
    public static Operator fromSymbol(String symbol) {
        for (Operator operator : values()) {
            if (operator.symbol.equals(symbol)) {
                return operator;
            }
        }
        return null;
    }
}
