package dev.kubeproof.contract.registry;

import dev.kubeproof.contract.retry.Retry;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of the Confluent Schema Registry REST API ({@code POST /subjects/{s}/versions},
 * {@code POST /subjects/{s}}, {@code GET /schemas/ids/{id}}, {@code PUT /config/{s}}), which Confluent Schema
 * Registry, Apicurio's ccompat API, Karapace and Redpanda all serve. Confluent's own client is not on Maven
 * Central, hence this small one. Transport errors, 429 and 5xx are retried with jittered backoff; other errors
 * fail at once with the registry's message.
 */
public final class ConfluentRestSchemaRegistryClient implements SchemaRegistryClient {
    private static final Logger LOG = LoggerFactory.getLogger(ConfluentRestSchemaRegistryClient.class);
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistryClientConfig config;
    private final HttpClient http;
    private final String base;
    private final Retry retry;
    // Keyed by the Schema itself: Avro caches a schema's hash, while toString() would re-render it on every call.
    private final Map<String, Map<Schema, Integer>> registeredIds = new ConcurrentHashMap<>();
    private final Map<String, Map<Schema, Integer>> lookedUpIds = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

    public ConfluentRestSchemaRegistryClient(RegistryClientConfig config) {
        this.config = config;
        this.retry = Retry.of(config.retry());
        this.http = HttpClient.newBuilder().connectTimeout(config.requestTimeout()).build();
        String url = config.url().toString();
        this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    @Override
    public int register(String subject, Schema schema) {
        return registeredIds.computeIfAbsent(subject, s -> new ConcurrentHashMap<>()).computeIfAbsent(schema, k -> {
            // Two clients registering a new subject at once: Apicurio answers the second 409 "already exists", and
            // the first one's version may not be visible yet. Finding it is success; not yet finding it is tried
            // again after a backoff. Any other 409 is a real incompatibility, final.
            int id = retry.call("registering a schema under subject " + subject, () -> registerOrFind(subject, schema),
                    failure -> failure instanceof IncompatibleSchemaException e && isCreationRace(e));
            schemasById.putIfAbsent(id, schema);
            return id;
        });
    }

    private int registerOrFind(String subject, Schema schema) {
        JsonNode answer;
        try {
            answer = send("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema),
                    "registering a schema under subject " + subject);
        } catch (IncompatibleSchemaException e) {
            try {
                return lookup(subject, schema);
            } catch (SchemaRegistryException notThere) {
                throw e;
            }
        }
        int id = answer.path("id").asInt(-1);
        if (id < 0) {
            throw new SchemaRegistryException("the registry answered no id registering subject " + subject, 200, -1);
        }
        return id;
    }

    private static boolean isCreationRace(IncompatibleSchemaException e) {
        return e.getMessage() != null && e.getMessage().contains("already exists");
    }

    @Override
    public int lookup(String subject, Schema schema) {
        return lookedUpIds.computeIfAbsent(subject, s -> new ConcurrentHashMap<>()).computeIfAbsent(schema, k -> {
            JsonNode answer = send("POST", "/subjects/" + encode(subject), schemaBody(schema),
                    "looking up a schema under subject " + subject);
            return answer.path("id").asInt();
        });
    }

    @Override
    public Schema schemaById(int id) {
        return schemasById.computeIfAbsent(id, k -> {
            JsonNode answer = send("GET", "/schemas/ids/" + id, null, "resolving schema id " + id);
            String type = answer.path("schemaType").asText("AVRO");
            if (!"AVRO".equals(type)) {
                throw new SchemaRegistryException("schema id " + id + " is " + type + ", not AVRO", 200, -1);
            }
            return new Schema.Parser().parse(answer.path("schema").asText());
        });
    }

    @Override
    public void setCompatibility(String subject, String level) {
        ObjectNode body = JSON.createObjectNode().put("compatibility", level);
        send("PUT", "/config/" + encode(subject), body.toString(), "setting compatibility of subject " + subject);
    }

    private static String schemaBody(Schema schema) {
        return JSON.createObjectNode().put("schema", schema.toString()).put("schemaType", "AVRO").toString();
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private JsonNode send(String method, String path, String body, String what) {
        // 429 and 5xx answers and unreachable registries are retried; any other answer is final.
        return retry.call(what, () -> attempt(method, path, body, what),
                failure -> failure instanceof SchemaRegistryException e && e.retryable());
    }

    private JsonNode attempt(String method, String path, String body, String what) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(config.requestTimeout())
                .header("Accept", CONTENT_TYPE + ", application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            request.header("Content-Type", CONTENT_TYPE);
        }
        config.basicAuth().ifPresent(userInfo -> request.header("Authorization",
                "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8))));
        config.bearerToken().ifPresent(token -> request.header("Authorization", "Bearer " + token));
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
            }
            throw error(status, response.body(), what);
        } catch (IOException e) {
            throw new SchemaRegistryException(what + " failed: registry at " + base + " not reachable ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException(what + " was interrupted", e);
        }
    }

    private SchemaRegistryException error(int status, String body, String what) {
        String message = body;
        int errorCode = -1;
        try {
            JsonNode error = JSON.readTree(body);
            message = error.path("message").asText(body);
            errorCode = error.path("error_code").asInt(-1);
        } catch (IOException e) {
            // not JSON: keep the raw body
        }
        String text = what + " failed: HTTP " + status + (errorCode > 0 ? " (error " + errorCode + ")" : "") + ": " + message;
        if (status == 409) {
            return new IncompatibleSchemaException(text, errorCode);
        }
        if (status == 401 || status == 403) {
            return new SchemaRegistryException(what + " failed: the registry refused kubeproof's credentials (HTTP "
                    + status + "); check " + RegistryClientConfig.BASIC_AUTH_USER_INFO + " / " + RegistryClientConfig.BEARER_TOKEN,
                    status, errorCode);
        }
        return new SchemaRegistryException(text, status, errorCode);
    }
}
