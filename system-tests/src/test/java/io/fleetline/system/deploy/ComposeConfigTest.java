package io.fleetline.system.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * Checks deploy/compose.yaml (and the Kubernetes base, which sets the same variables) against the
 * services' real configuration, read from the repository: the configuration names each service
 * knows (its application.properties, the shared microprofile-config.properties, every
 * {@code @ConfigMapping} and {@code @ConfigProperty} in its sources and service-commons'), its
 * HTTP port, its health check path, and the gateway and Prometheus targets that point at it.
 */
class ComposeConfigTest {

    /** The four services, their dev ports (docs/architecture.md) and MQTT service accounts. */
    private static final Map<String, Integer> PORTS = new LinkedHashMap<>();
    static {
        PORTS.put("device-registry-service", 8081);
        PORTS.put("telemetry-service", 8082);
        PORTS.put("webhook-gateway", 8083);
        PORTS.put("ingest-bridge", 8084);
    }

    private static final List<String> REQUIRED_ENV = List.of(
            "FLEETLINE_DB_HOST", "FLEETLINE_DB_PORT", "FLEETLINE_DB_NAME", "FLEETLINE_DB_USER",
            "FLEETLINE_DB_PASSWORD", "FLEETLINE_MQTT_HOST", "FLEETLINE_MQTT_PORT",
            "FLEETLINE_MQTT_USERNAME", "FLEETLINE_MQTT_PASSWORD", "FLEETLINE_HTTP_PORT");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern PROPERTY_REFERENCE = Pattern.compile("\\$\\{([A-Za-z0-9_.-]+)(?::([^}]*))?}");
    private static final Pattern MAPPING_PREFIX = Pattern.compile("@ConfigMapping\\(prefix\\s*=\\s*\"([^\"]+)\"\\)");
    private static final Pattern MAPPING_METHOD = Pattern.compile("^\\s*(?:[\\w.<>,? ]+)\\s+(\\w+)\\(\\);", Pattern.MULTILINE);
    private static final Pattern CONFIG_PROPERTY = Pattern.compile("@ConfigProperty\\(name\\s*=\\s*\"([^\"]+)\"");

    private static Path root;
    private static JsonNode compose;

    @BeforeAll
    static void load() throws IOException {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("deploy/compose.yaml"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            fail("deploy/compose.yaml not found above " + Path.of("").toAbsolutePath());
        }
        root = dir;
        // compose.yaml shares blocks with YAML merge keys (<<: *service), which docker compose
        // expands; Jackson's YAML parser does not, so the file is loaded by SnakeYAML (the parser
        // under jackson-dataformat-yaml) and then handled as a Jackson tree.
        try (var in = Files.newBufferedReader(root.resolve("deploy/compose.yaml"))) {
            Object loaded = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
            compose = new ObjectMapper().valueToTree(loaded);
        }
    }

    @Test
    void everyServiceIsBuiltFromItsModulesJvmDockerfile() {
        for (String module : PORTS.keySet()) {
            JsonNode build = service(module).path("build");
            Path context = root.resolve("deploy").resolve(build.path("context").asText()).normalize();
            assertEquals(root.resolve(module), context, module + ": build context");
            assertTrue(Files.exists(context.resolve("pom.xml")), module + ": context is not a Maven module");
            assertEquals("src/main/docker/Dockerfile.jvm", build.path("dockerfile").asText(), module + ": dockerfile");
            assertTrue(Files.exists(context.resolve("src/main/docker/Dockerfile.jvm")), module + ": Dockerfile.jvm missing");
            assertFalse(service(module).path("restart").asText().isEmpty(), module + ": restart policy");
        }
    }

    @Test
    void everyServiceListensOnItsConfiguredPortAndIsCheckedOnReadiness() throws IOException {
        for (Map.Entry<String, Integer> entry : PORTS.entrySet()) {
            String module = entry.getKey();
            int configured = configuredHttpPort(module);
            assertEquals(entry.getValue().intValue(), configured, module + ": port in application.properties");
            JsonNode svc = service(module);
            assertEquals(String.valueOf(configured), env(svc).get("FLEETLINE_HTTP_PORT"), module + ": FLEETLINE_HTTP_PORT");
            assertTrue(texts(svc.path("expose")).contains(String.valueOf(configured)), module + ": expose " + configured);
            String check = String.join(" ", texts(svc.path("healthcheck").path("test")));
            assertTrue(check.contains("http://127.0.0.1:" + configured + "/q/health/ready"),
                    module + ": health check must call /q/health/ready on " + configured + ", was " + check);
        }
    }

    @Test
    void everyEnvironmentVariableOfAServiceIsOneItsConfigurationReads() throws IOException {
        for (String module : PORTS.keySet()) {
            Set<String> known = knownEnvNames(module);
            Map<String, String> env = env(service(module));
            for (String name : env.keySet()) {
                assertTrue(!name.startsWith("FLEETLINE_") || known.contains(name),
                        module + ": " + name + " matches no configuration property of the service; known: " + known);
            }
            for (String required : REQUIRED_ENV) {
                assertTrue(env.containsKey(required), module + ": " + required + " is not set");
                assertTrue(known.contains(required), module + ": the service does not read " + required);
            }
        }
    }

    @Test
    void servicesReachPostgresAndTheBrokerUnderTheirComposeNames() throws IOException {
        String mosquittoConf = Files.readString(root.resolve("deploy/mosquitto/mosquitto.conf"));
        for (String module : PORTS.keySet()) {
            Map<String, String> env = env(service(module));
            assertTrue(compose.path("services").has(env.get("FLEETLINE_DB_HOST")), module + ": DB host is no compose service");
            assertEquals("5432", env.get("FLEETLINE_DB_PORT"), module + ": DB port");
            assertTrue(compose.path("services").has(env.get("FLEETLINE_MQTT_HOST")), module + ": MQTT host is no compose service");
            assertTrue(mosquittoConf.contains("\nlistener " + env.get("FLEETLINE_MQTT_PORT") + "\n"),
                    module + ": the broker has no listener on " + env.get("FLEETLINE_MQTT_PORT"));
            assertTrue(env.get("FLEETLINE_MQTT_USERNAME").startsWith("_"),
                    module + ": service accounts start with '_' so no device id can take them");
        }
    }

    @Test
    void servicesStartInTheOrderTheirSchemasDependOn() {
        assertTrue(service("telemetry-service").path("depends_on").has("device-registry-service"));
        assertTrue(service("ingest-bridge").path("depends_on").has("telemetry-service"));
        for (String module : PORTS.keySet()) {
            JsonNode deps = service(module).path("depends_on");
            deps.fields().forEachRemaining(dep -> assertTrue(compose.path("services").has(dep.getKey()),
                    module + " depends on unknown service " + dep.getKey()));
        }
    }

    @Test
    void gatewayAndPrometheusPointAtEachServicesPort() throws IOException {
        String nginx = Files.readString(root.resolve("deploy/gateway/nginx.conf"));
        String prometheus = Files.readString(root.resolve("deploy/prometheus/prometheus.yml"));
        for (Map.Entry<String, Integer> entry : PORTS.entrySet()) {
            String target = entry.getKey() + ":" + entry.getValue();
            if (!entry.getKey().equals("ingest-bridge")) { // the bridge serves no public API
                assertTrue(nginx.contains("server " + target + " "), "nginx.conf has no upstream " + target);
            }
            assertTrue(prometheus.contains("\"" + target + "\""), "prometheus.yml does not scrape " + target);
        }
        assertTrue(prometheus.contains("metrics_path: /q/metrics"));
        assertTrue(texts(compose.path("services").path("gateway").path("ports")).stream().anyMatch(p -> p.endsWith(":8080")),
                "the gateway publishes :8080");
    }

    @Test
    void everyRequiredSecretIsListedInEnvExample() throws IOException {
        String composeText = Files.readString(root.resolve("deploy/compose.yaml"));
        Properties example = new Properties();
        try (var in = Files.newBufferedReader(root.resolve("deploy/.env.example"))) {
            example.load(in);
        }
        Matcher m = Pattern.compile("\\$\\{([A-Z0-9_]+)(:[?-])").matcher(composeText);
        Set<String> missing = new TreeSet<>();
        while (m.find()) {
            if (!example.containsKey(m.group(1))) {
                missing.add(m.group(1));
            }
        }
        assertTrue(missing.isEmpty(), "deploy/.env.example lacks " + missing);
    }

    @Test
    void namedVolumesAreDeclaredAndBindMountsExist() {
        compose.path("services").fields().forEachRemaining(svc -> {
            for (String volume : texts(svc.getValue().path("volumes"))) {
                String source = volume.split(":")[0];
                if (source.startsWith(".")) {
                    assertTrue(Files.exists(root.resolve("deploy").resolve(source)), svc.getKey() + ": " + source + " missing");
                } else {
                    assertTrue(compose.path("volumes").has(source), svc.getKey() + ": volume " + source + " not declared");
                }
            }
        });
    }

    @Test
    void kubernetesDeploymentsSetOnlyVariablesTheServicesRead() throws IOException {
        JsonNode kustomization = YAML.readTree(root.resolve("deploy/k8s/base/kustomization.yaml").toFile());
        Set<String> shared = new HashSet<>();
        for (JsonNode generator : kustomization.path("configMapGenerator")) {
            if (generator.path("name").asText().equals("fleetline-config")) {
                texts(generator.path("literals")).forEach(l -> shared.add(l.substring(0, l.indexOf('='))));
            }
        }
        for (Map.Entry<String, Integer> entry : PORTS.entrySet()) {
            String module = entry.getKey();
            Set<String> known = knownEnvNames(module);
            Set<String> names = new HashSet<>(shared);
            JsonNode container = null;
            for (JsonNode doc : yamlDocuments(root.resolve("deploy/k8s/base/" + module + ".yaml"))) {
                if (Set.of("Deployment", "StatefulSet").contains(doc.path("kind").asText())) {
                    container = doc.at("/spec/template/spec/containers/0");
                }
            }
            assertTrue(container != null, module + ": no workload in deploy/k8s/base/" + module + ".yaml");
            container.path("env").forEach(e -> names.add(e.path("name").asText()));
            for (String name : names) {
                assertTrue(known.contains(name), module + " (k8s): " + name + " matches no configuration property");
            }
            assertTrue(names.containsAll(REQUIRED_ENV), module + " (k8s): missing some of " + REQUIRED_ENV);
            assertEquals("/q/health/ready", container.at("/readinessProbe/httpGet/path").asText(), module + " readiness");
            assertEquals("/q/health/live", container.at("/livenessProbe/httpGet/path").asText(), module + " liveness");
            assertEquals(entry.getValue().intValue(), container.at("/ports/0/containerPort").asInt(), module + " port");
        }
    }

    // --- the services' configuration, read from the repository ---

    private static int configuredHttpPort(String module) throws IOException {
        String port = properties(root.resolve(module + "/src/main/resources/application.properties")).get("quarkus.http.port");
        Matcher m = PROPERTY_REFERENCE.matcher(port);
        return Integer.parseInt(m.matches() ? m.group(2) : port);
    }

    /** Every environment variable name the module's configuration reads. */
    private static Set<String> knownEnvNames(String module) throws IOException {
        Set<String> properties = new HashSet<>();
        List<Path> files = List.of(
                root.resolve("service-commons/src/main/resources/META-INF/microprofile-config.properties"),
                root.resolve(module + "/src/main/resources/application.properties"));
        for (Path file : files) {
            for (Map.Entry<String, String> e : properties(file).entrySet()) {
                properties.add(e.getKey().replaceFirst("^%[\\w-]+\\.", ""));
                Matcher m = PROPERTY_REFERENCE.matcher(e.getValue());
                while (m.find()) {
                    properties.add(m.group(1));
                }
            }
        }
        for (Path sources : List.of(root.resolve("service-commons/src/main/java"), root.resolve(module + "/src/main/java"))) {
            try (Stream<Path> walk = Files.walk(sources)) {
                for (Path java : walk.filter(p -> p.toString().endsWith(".java")).toList()) {
                    String source = Files.readString(java);
                    Matcher prefix = MAPPING_PREFIX.matcher(source);
                    if (prefix.find()) {
                        Matcher method = MAPPING_METHOD.matcher(source.substring(prefix.end()));
                        while (method.find()) {
                            properties.add(prefix.group(1) + "." + kebab(method.group(1)));
                        }
                    }
                    Matcher property = CONFIG_PROPERTY.matcher(source);
                    while (property.find()) {
                        properties.add(property.group(1));
                    }
                }
            }
        }
        Set<String> env = new TreeSet<>();
        properties.forEach(p -> env.add(p.replaceAll("[^A-Za-z0-9]", "_").toUpperCase()));
        return env;
    }

    private static Map<String, String> properties(Path file) throws IOException {
        Properties properties = new Properties();
        try (var in = Files.newBufferedReader(file)) {
            properties.load(in);
        }
        Map<String, String> map = new LinkedHashMap<>();
        properties.stringPropertyNames().forEach(k -> map.put(k, properties.getProperty(k)));
        return map;
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }

    // --- YAML helpers ---

    private static JsonNode service(String name) {
        JsonNode svc = compose.path("services").path(name);
        assertFalse(svc.isMissingNode(), "compose.yaml has no service " + name);
        return svc;
    }

    private static Map<String, String> env(JsonNode service) {
        Map<String, String> env = new LinkedHashMap<>();
        service.path("environment").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        return env;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }

    private static List<JsonNode> yamlDocuments(Path file) {
        try (var parser = YAML.getFactory().createParser(file.toFile())) {
            List<JsonNode> docs = new ArrayList<>();
            YAML.readValues(parser, JsonNode.class).forEachRemaining(docs::add);
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
