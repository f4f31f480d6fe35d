package io.fleetline.commons;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class ErrorEnvelopeTest {

    @Test
    void unknownRouteAnswers404InTheEnvelope() {
        given().when().get("/api/v1/no-such-thing")
                .then().statusCode(404)
                .contentType("application/json")
                .body("status", equalTo("error"))
                .body("error.code", equalTo(404))
                .body("error.message", equalTo("No route for GET /api/v1/no-such-thing."));
    }

    @Test
    void wrongMethodAnswers405WithAllow() {
        given().when().delete("/api/v1/health")
                .then().statusCode(405)
                .header("Allow", containsString("GET"))
                .body("status", equalTo("error"))
                .body("error.code", equalTo(405));
    }

    @Test
    void malformedJsonAnswers400() {
        given().contentType("application/json").body("{\"name\": \"x\",")
                .when().post("/test/things")
                .then().statusCode(400)
                .body("status", equalTo("error"))
                .body("error.code", equalTo(400))
                .body("error.message", containsString("Malformed JSON"));
    }

    @Test
    void duplicateKeysAreMalformedJson() {
        given().contentType("application/json").body("{\"name\":\"a\",\"name\":\"b\",\"size\":1}")
                .when().post("/test/things")
                .then().statusCode(400)
                .body("error.message", containsString("Duplicate field 'name'"));
    }

    @Test
    void wrongFieldTypeNamesTheField() {
        given().contentType("application/json").body("{\"name\":\"a\",\"size\":\"big\"}")
                .when().post("/test/things")
                .then().statusCode(400)
                .body("error.message", equalTo("Field 'size' has an invalid value."));
    }

    @Test
    void arrayInsteadOfObjectAnswers400() {
        given().contentType("application/json").body("[1,2]")
                .when().post("/test/things")
                .then().statusCode(400)
                .body("status", equalTo("error"))
                .body("error.code", equalTo(400));
    }

    @Test
    void unsupportedContentTypeAnswers415() {
        given().contentType("text/plain").body("name=x")
                .when().post("/test/things")
                .then().statusCode(415)
                .body("error.code", equalTo(415))
                .body("error.message", equalTo("Unsupported content type 'text/plain; charset=ISO-8859-1'."));
    }

    @Test
    void unacceptableAcceptAnswers406() {
        given().accept("application/xml").contentType("application/json").body("{\"name\":\"a\",\"size\":1}")
                .when().post("/test/things")
                .then().statusCode(406)
                .body("error.code", equalTo(406));
    }

    @Test
    void oversizeBodyAnswers413BeforeReadingIt() {
        given().contentType("application/json").body("{\"name\":\"" + "x".repeat(5000) + "\",\"size\":1}")
                .when().post("/test/things")
                .then().statusCode(413)
                .body("status", equalTo("error"))
                .body("error.code", equalTo(413))
                .body("error.message", equalTo("Request body exceeds 4096 bytes."));
    }

    @Test
    void unexpectedFailureAnswers500WithoutInternals() {
        given().when().get("/test/boom")
                .then().statusCode(500)
                .body("error.code", equalTo(500))
                .body("error.message", equalTo("Internal server error."))
                .body(not(containsString("db.example")));
    }
}
