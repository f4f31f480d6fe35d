package io.fleetline.commons.mqtt;

/** MQTT topic filter matching ({@code +}, {@code #}, and {@code $share/<group>/} prefixes). */
public final class TopicFilter {

    private TopicFilter() {
    }

    /** Whether {@code topic} matches {@code filter}. */
    public static boolean matches(String filter, String topic) {
        String actual = filter;
        if (actual.startsWith("$share/")) {
            int slash = actual.indexOf('/', "$share/".length());
            actual = slash < 0 ? actual : actual.substring(slash + 1);
        }
        String[] f = actual.split("/", -1);
        String[] t = topic.split("/", -1);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length || !(f[i].equals("+") || f[i].equals(t[i]))) {
                return false;
            }
        }
        return f.length == t.length;
    }

    /** The level at {@code index} of {@code topic}, such as the device id of {@code devices/{id}/telemetry}. */
    public static String level(String topic, int index) {
        String[] levels = topic.split("/", -1);
        return index < levels.length ? levels[index] : null;
    }
}
