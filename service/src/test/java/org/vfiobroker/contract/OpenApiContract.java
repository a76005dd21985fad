package org.vfiobroker.contract;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Validates API responses against {@code api-spec/openapi.yaml}, the contract the service ships in its
 * jar. Strict: an object may carry only the properties the contract declares (unless the schema says
 * {@code additionalProperties}), so a field added in code but not in the contract fails the test.
 */
public final class OpenApiContract {

    private static final OpenApiContract INSTANCE = load();

    private final JsonNode spec;
    private final ObjectNode definitions;
    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4);
    private final JsonMapper json = JsonMapper.builder().build();
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    private OpenApiContract(JsonNode spec) {
        this.spec = spec;
        this.definitions = (ObjectNode) schemaMap(spec.path("components").path("schemas").deepCopy());
    }

    public static OpenApiContract get() {
        return INSTANCE;
    }

    private static OpenApiContract load() {
        try (InputStream in = OpenApiContract.class.getResourceAsStream("/openapi/openapi.yaml")) {
            if (in == null) {
                throw new IllegalStateException("openapi/openapi.yaml is not on the classpath (module api-spec)");
            }
            return new OpenApiContract(YAMLMapper.builder().build().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Checks that the contract declares {@code status} for the operation at {@code method path} and that
     * {@code body} matches the declared schema.
     *
     * @param path the concrete request path, e.g. {@code /api/v1/devices/0000:00:1f.0}
     * @return the list of violations, empty when the response conforms
     */
    public List<String> violations(String method, String path, int status, String body) {
        JsonNode operation = operation(method, path);
        JsonNode response = operation.path("responses").path(Integer.toString(status));
        if (response.isMissingNode()) {
            return List.of(method + " " + path + ": the contract declares no response " + status);
        }
        response = resolve(response);
        JsonNode content = response.path("content");
        if (content.isMissingNode() || content.isEmpty()) {
            return body == null || body.isBlank() ? List.of()
                    : List.of(method + " " + path + " " + status + ": the contract declares no body");
        }
        JsonNode schemaNode = content.values().iterator().next().path("schema");
        String key = method + " " + template(path) + " " + status;
        Schema schema = schemas.computeIfAbsent(key, k -> compile(schemaNode));
        List<Error> errors = schema.validate(body, InputFormat.JSON);
        return errors.stream().map(e -> key + ": " + e.getInstanceLocation() + " " + e.getMessage()).toList();
    }

    private Schema compile(JsonNode schemaNode) {
        ObjectNode root = json.createObjectNode();
        root.put("$schema", "http://json-schema.org/draft-04/schema#");
        root.setAll((ObjectNode) toDraft4(schemaNode.deepCopy()));
        root.set("definitions", definitions);
        return registry.getSchema(json.writeValueAsString(root), InputFormat.JSON);
    }

    private JsonNode operation(String method, String path) {
        JsonNode paths = spec.path("paths");
        for (Iterator<String> it = paths.propertyNames().iterator(); it.hasNext(); ) {
            String template = it.next();
            if (matches(template, path)) {
                JsonNode op = paths.path(template).path(method.toLowerCase());
                if (op.isMissingNode()) {
                    throw new AssertionError("the contract has no operation " + method + " " + template);
                }
                return op;
            }
        }
        throw new AssertionError("the contract has no path matching " + path);
    }

    private String template(String path) {
        for (Iterator<String> it = spec.path("paths").propertyNames().iterator(); it.hasNext(); ) {
            String template = it.next();
            if (matches(template, path)) {
                return template;
            }
        }
        return path;
    }

    private static boolean matches(String template, String path) {
        String regex = Pattern.quote(template).replaceAll("\\{[^}]+}", "\\\\E[^/]+\\\\Q");
        return path.split("\\?")[0].matches(regex);
    }

    private JsonNode resolve(JsonNode node) {
        JsonNode ref = node.path("$ref");
        if (ref.isString()) {
            JsonNode target = spec;
            for (String part : ref.asString().substring(2).split("/")) {
                target = target.path(part);
            }
            return target;
        }
        return node;
    }

    /** The component schemas as a map of draft-4 schemas. */
    private static JsonNode schemaMap(JsonNode map) {
        map.forEach(OpenApiContract::toDraft4);
        return map;
    }

    /** An OpenAPI 3.0 schema object to JSON Schema draft 4, closed by default. */
    private static JsonNode toDraft4(JsonNode node) {
        if (!(node instanceof ObjectNode object)) {
            return node;
        }
        JsonNode ref = object.path("$ref");
        if (ref.isString()) {
            object.put("$ref", ref.asString().replace("#/components/schemas/", "#/definitions/"));
            return object;
        }
        object.remove("example");
        object.remove("description");
        if ("object".equals(object.path("type").asString(null)) && !object.has("additionalProperties")) {
            object.put("additionalProperties", false);
        }
        object.path("properties").forEach(OpenApiContract::toDraft4);
        toDraft4(object.path("items"));
        toDraft4(object.path("additionalProperties"));
        for (String combinator : List.of("allOf", "anyOf", "oneOf")) {
            object.path(combinator).forEach(OpenApiContract::toDraft4);
        }
        return object;
    }
}
