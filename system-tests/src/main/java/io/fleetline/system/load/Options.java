package io.fleetline.system.load;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Command-line options {@code --name value}, each with a default; also read from the environment
 * where the stack sets one ({@code FLEETLINE_DB_HOST}, {@code FLEETLINE_MQTT_PORT}, ...).
 */
final class Options {

    private final Map<String, String> values = new HashMap<>();

    Options(String[] args, int from) {
        for (int i = from; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            values.put(args[i].substring(2), args[++i]);
        }
    }

    String text(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    int integer(String name, int fallback) {
        return values.containsKey(name) ? Integer.parseInt(values.get(name)) : fallback;
    }

    /** A duration such as {@code 30s}, {@code 500ms} or {@code 2m}. */
    Duration duration(String name, String fallback) {
        String text = values.getOrDefault(name, fallback).trim().toLowerCase();
        if (text.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
        }
        long amount = Long.parseLong(text.substring(0, text.length() - 1));
        return switch (text.charAt(text.length() - 1)) {
            case 's' -> Duration.ofSeconds(amount);
            case 'm' -> Duration.ofMinutes(amount);
            case 'h' -> Duration.ofHours(amount);
            default -> throw new IllegalArgumentException("--" + name + " must look like 30s, 500ms or 2m");
        };
    }

    static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
