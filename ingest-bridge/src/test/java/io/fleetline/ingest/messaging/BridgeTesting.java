package io.fleetline.ingest.messaging;

import static io.restassured.RestAssured.given;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the bridge tests read from {@code /q/metrics}. */
final class BridgeTesting {

    private BridgeTesting() {
    }

    /** The value of {@code name} with the given label text (such as {@code reason="oversize"}), 0 if absent. */
    static double metric(String name, String labels) {
        String body = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        Pattern line = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE);
        Matcher matcher = line.matcher(body);
        while (matcher.find()) {
            if (labels.isEmpty() || matcher.group(1).contains(labels)) {
                return Double.parseDouble(matcher.group(2));
            }
        }
        Matcher plain = Pattern.compile("^" + Pattern.quote(name) + " (\\S+)$", Pattern.MULTILINE).matcher(body);
        return plain.find() ? Double.parseDouble(plain.group(1)) : 0;
    }
}
