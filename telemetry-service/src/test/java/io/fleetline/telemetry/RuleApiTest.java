package io.fleetline.telemetry;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.fleetline.commons.testing.TestDevices;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;

@QuarkusTest
class RuleApiTest {

    @Inject
    Pool pool;

    @Test
    void aRuleIsCreatedReadListedPatchedAndDeleted() {
        String device = TestDevices.register(pool, "rule-crud");
        String id = given().contentType(ContentType.JSON)
                .body("{\"device_id\":\"" + device + "\",\"metric\":\"temperature\",\"operator\":\">\","
                        + "\"threshold\":35,\"severity\":\"critical\",\"duration_s\":120,\"clear_threshold\":33.5}")
                .post("/api/v1/rules")
                .then().statusCode(201)
                .body("status", equalTo("ok"))
                .body("message", equalTo("Rule created."))
                .body("data.id", startsWith("rule_"))
                .body("data.device_id", equalTo(device))
                .body("data.device_type", nullValue())
                .body("data.operator", equalTo(">"))
                .body("data.threshold", equalTo(35.0f))
                .body("data.clear_threshold", equalTo(33.5f))
                .body("data.duration_s", equalTo(120))
                .body("data.enabled", equalTo(true))
                .extract().path("data.id");

        given().get("/api/v1/rules/{id}", id).then().statusCode(200).body("data.severity", equalTo("critical"));
        given().get("/api/v1/rules?device_id={d}", device).then().statusCode(200)
                .body("count", equalTo(1)).body("data[0].id", equalTo(id)).body("pagination.total", equalTo(1));

        given().contentType(ContentType.JSON).body("{\"threshold\":40,\"clear_threshold\":null,\"enabled\":false}")
                .patch("/api/v1/rules/{id}", id)
                .then().statusCode(200)
                .body("data.threshold", equalTo(40.0f))
                .body("data.clear_threshold", nullValue())
                .body("data.enabled", equalTo(false))
                .body("data.metric", equalTo("temperature"));

        given().delete("/api/v1/rules/{id}", id).then().statusCode(200);
        given().get("/api/v1/rules/{id}", id).then().statusCode(404)
                .body("error.message", equalTo("Rule '" + id + "' not found."));
        given().delete("/api/v1/rules/{id}", id).then().statusCode(404);
    }

    @Test
    void aTypeRuleNeedsNoDevice() {
        String type = TestDevices.uniqueId("type");
        given().contentType(ContentType.JSON)
                .body("{\"device_type\":\"" + type + "\",\"metric\":\"battery\",\"operator\":\"<=\",\"threshold\":10,"
                        + "\"severity\":\"warning\"}")
                .post("/api/v1/rules")
                .then().statusCode(201).body("data.device_type", equalTo(type)).body("data.duration_s", equalTo(0));
    }

    @Test
    void badPagingIs400NamingTheFieldAndATooLargeLimitIsClamped() {
        String device = TestDevices.register(pool, "rule-page");
        for (String metric : new String[] { "temperature", "humidity" }) {
            given().contentType(ContentType.JSON)
                    .body("{\"device_id\":\"" + device + "\",\"metric\":\"" + metric + "\",\"operator\":\">\","
                            + "\"threshold\":35,\"severity\":\"info\"}")
                    .post("/api/v1/rules").then().statusCode(201);
        }
        given().get("/api/v1/rules?limit=abc").then().statusCode(400)
                .body("status", equalTo("error"))
                .body("error.code", equalTo(400))
                .body("error.message", equalTo("Field 'limit' must be an integer of 1 or more; above 1000 it is clamped to 1000."));
        given().get("/api/v1/rules?offset=-1").then().statusCode(400)
                .body("status", equalTo("error"))
                .body("error.message", equalTo("Field 'offset' must be an integer of 0 or more."));
        given().get("/api/v1/rules?device_id={d}&limit=5000", device).then().statusCode(200)
                .body("status", equalTo("ok"))
                .body("count", equalTo(2))
                .body("pagination.limit", equalTo(1000))
                .body("pagination.total", equalTo(2))
                .body("pagination.has_more", equalTo(false))
                .body("message", equalTo("limit 5000 is above the maximum; clamped to 1000."));
        given().get("/api/v1/rules?device_id={d}&offset=1&limit=1", device).then().statusCode(200)
                .body("count", equalTo(1))
                .body("pagination.offset", equalTo(1))
                .body("pagination.limit", equalTo(1))
                .body("message", nullValue());
    }

    @Test
    void invalidRulesAre400sNamingFieldAndRuleAndStoreNothing() {
        String device = TestDevices.register(pool, "rule-bad");
        String base = "\"device_id\":\"" + device + "\",\"metric\":\"temperature\",\"operator\":\">\","
                + "\"threshold\":35,\"severity\":\"critical\"";
        expect400("{" + base.replace("\"metric\":\"temperature\",", "") + "}",
                "Field 'metric' must be a string matching ^[A-Za-z_][A-Za-z0-9_.-]{0,63}$");
        expect400("{" + base.replace("\">\"", "\"=>\"") + "}", "Field 'operator' must be one of >, >=, <, <=, ==, !=.");
        expect400("{" + base.replace("35", "\"35\"") + "}", "Field 'threshold' must be a finite number.");
        expect400("{" + base.replace("critical", "urgent") + "}", "Field 'severity' must be one of info, warning, critical.");
        expect400("{" + base + ",\"duration_s\":-1}", "Field 'duration_s' must be an integer from 0 to 2592000.");
        expect400("{" + base + ",\"duration_s\":1.5}", "Field 'duration_s' must be an integer from 0 to 2592000.");
        expect400("{" + base + ",\"clear_threshold\":36}",
                "Field 'clear_threshold' must not be past 'threshold' (<= 35.0 for operator >).");
        expect400("{" + base + ",\"enabled\":\"yes\"}", "Field 'enabled' must be true or false.");
        expect400("{" + base + ",\"treshold\":3}", "Field 'treshold' is not a rule field");
        expect400("{" + base + ",\"device_type\":\"sensor\"}", "Exactly one of 'device_id' and 'device_type' must be given.");
        expect400("[1]", "The body must be a JSON object.");
        assertEquals(0, TestDevices.count(pool, "SELECT count(*) FROM telemetry.rules WHERE device_id = $1", device));

        String unknown = TestDevices.uniqueId("nobody");
        given().contentType(ContentType.JSON).body("{" + base.replace(device, unknown) + "}")
                .post("/api/v1/rules")
                .then().statusCode(404).body("error.message", equalTo("Device '" + unknown + "' not found."));
    }

    @Test
    void anInvalidPatchChangesNothing() {
        String device = TestDevices.register(pool, "rule-patch");
        String id = given().contentType(ContentType.JSON)
                .body("{\"device_id\":\"" + device + "\",\"metric\":\"temperature\",\"operator\":\"<\","
                        + "\"threshold\":5,\"severity\":\"info\"}")
                .post("/api/v1/rules").then().statusCode(201).extract().path("data.id");
        given().contentType(ContentType.JSON).body("{\"threshold\":1,\"clear_threshold\":0}")
                .patch("/api/v1/rules/{id}", id)
                .then().statusCode(400)
                .body("error.message", equalTo("Field 'clear_threshold' must not be past 'threshold' (>= 1.0 for operator <)."));
        given().get("/api/v1/rules/{id}", id).then().statusCode(200).body("data.threshold", equalTo(5.0f));
        given().contentType(ContentType.JSON).body("{\"threshold\":1}").patch("/api/v1/rules/{id}", "rule_missing")
                .then().statusCode(404);
    }

    private static void expect400(String body, String message) {
        given().contentType(ContentType.JSON).body(body)
                .post("/api/v1/rules")
                .then().statusCode(400)
                .body("status", equalTo("error"))
                .body("error.message", startsWith(message));
    }
}
