package dev.kubeproof.ingest.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.avro.AuditLevel;
import dev.kubeproof.avro.AuditStage;
import dev.kubeproof.runtime.ErrorTypes;
import dev.kubeproof.runtime.InvalidInputException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AuditEventParserTest {
    private final AuditHarness harness = new AuditHarness();
    private final AuditEventParser parser = new AuditEventParser("c1", new AuditRedactor(RedactionConfig.none(),
            harness.mapper), harness.mapper);

    /** Expected key of every event of every Falco trace file (a new fixture without an entry fails the test). */
    static final Map<String, String> KEYS = Map.ofEntries(
            Map.entry("create_cluster_role_wildcard_verbs.json", "c1/-/clusterroles/some-reader"),
            Map.entry("create_clusterrolebinding.json", "c1/-/clusterrolebindings/some-reader-binding"),
            Map.entry("create_configmap_no_sensitive_values.json", "c1/default/configmaps/my-config"),
            Map.entry("create_configmap_sensitive_values.json", "c1/default/configmaps/my-config"),
            Map.entry("create_deployment.json", "c1/default/deployments/nginx-deployment"),
            Map.entry("create_nginx_pod_hostnetwork.json", "c1/default/pods/nginx-deployment-754c877bcd-zh5qx"),
            Map.entry("create_nginx_pod_nohostnetwork.json", "c1/default/pods/nginx-deployment-7998647bdf-4j7t7"),
            Map.entry("create_nginx_pod_privileged.json", "c1/default/pods/nginx-deployment-5cdcc99dbf-rgw6z"),
            Map.entry("create_nginx_service_nodeport.json", "c1/default/services/nginx"),
            Map.entry("create_pod_kube_system_namespace.json", "c1/kube-system/pods/nginx-deployment-7998647bdf-7q2sp"),
            Map.entry("create_secret.json", "c1/sysdig-agent/secrets/sysdig-agent"),
            Map.entry("delete_namespace_foo.json", "c1/-/namespaces/foo"),
            Map.entry("exec_pod.json", "c1/default/pods/nginx-deployment-7998647bdf-phvq7"),
            Map.entry("some-user_creates_namespace_foo.json", "c1/-/namespaces/foo"));

    static Stream<Arguments> everyFalcoEvent() {
        return AuditFixtures.falcoTraces().stream().flatMap(file -> AuditFixtures.events(file).stream()
                .map(line -> Arguments.of(file.getFileName().toString(), line)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyFalcoEvent")
    void shouldParseAndKeyEveryFalcoEvent(String file, String line) {
        // Given
        ObjectNode raw = (ObjectNode) AuditFixtures.json(line);

        // When
        AuditEventParser.Parsed parsed = parser.parse(raw, "file:" + file);

        // Then
        AuditEvent event = parsed.event();
        assertThat(KEYS).containsKey(file);
        assertThat(parsed.key()).isEqualTo(KEYS.get(file));
        assertThat(event.getClusterId()).isEqualTo("c1");
        assertThat(event.getAuditId()).isEqualTo(raw.get("auditID").asText());
        assertThat(event.getStage().name()).isEqualTo(raw.get("stage").asText());
        assertThat(event.getLevel().name()).isEqualTo(raw.get("level").asText());
        assertThat(event.getVerb()).isEqualTo(raw.get("verb").asText());
        assertThat(event.getRequestUri()).isEqualTo(raw.get("requestURI").asText());
        assertThat(event.getUser().getUsername()).isEqualTo(raw.path("user").path("username").asText());
        assertThat(event.getRequestReceivedTimestamp()).isEqualTo(Instant.parse(raw.get("requestReceivedTimestamp").asText()));
        assertThat(event.getStageTimestamp()).isEqualTo(Instant.parse(raw.get("stageTimestamp").asText()));
        assertThat(event.getApiVersion()).isIn(AuditEventParser.V1, AuditEventParser.V1BETA1);
        if (raw.has("apiVersion")) {
            assertThat(event.getApiVersion()).isEqualTo(raw.get("apiVersion").asText());
        }
        assertThat(event.getSource()).isEqualTo("file:" + file);
        assertThat(parsed.dedupKey()).startsWith(event.getAuditId() + "/" + event.getStage() + "/");
        // the record is complete enough to be written
        assertThat(AuditEvent.newBuilder(event).build()).isEqualTo(event);
    }

    @Test
    void shouldKeepMicrosecondsOfTheTimestamps() {
        // Given
        String line = AuditFixtures.events(AuditFixtures.trace("create_secret.json")).get(0);

        // When
        AuditEvent event = parser.parse(AuditFixtures.json(line), "webhook").event();

        // Then
        assertThat(event.getRequestReceivedTimestamp()).isEqualTo(Instant.parse("2019-11-18T04:40:56.739299Z"));
        assertThat(event.getStageTimestamp().getNano()).isEqualTo(741_993_000);
    }

    @Test
    void shouldReadV1beta1EventsWithoutApiVersionAndRecordWhatTheyCarry() {
        // Given: Falco's exec trace has neither apiVersion nor a body, and a ResponseStarted stage
        String line = AuditFixtures.events(AuditFixtures.trace("exec_pod.json")).get(0);

        // When
        AuditEvent event = parser.parse(AuditFixtures.json(line), "webhook").event();

        // Then
        assertThat(event.getApiVersion()).isEqualTo(AuditEventParser.V1BETA1);
        assertThat(event.getStage()).isEqualTo(AuditStage.ResponseStarted);
        assertThat(event.getLevel()).isEqualTo(AuditLevel.Request);
        assertThat(event.getObjectRef().getSubresource()).isEqualTo("exec");
        assertThat(event.getResponseStatus().getCode()).isEqualTo(101);
        assertThat(event.getSourceIps()).containsExactly("192.168.99.1");
        assertThat(event.getAnnotations()).containsEntry("authorization.k8s.io/decision", "allow");
        assertThat(event.getRequestObject()).isNull();
        assertThat(event.getRedactions()).isEmpty();
    }

    @Test
    void shouldDropSecretBodiesAndSayWhatWasRemoved() {
        // Given
        String line = AuditFixtures.events(AuditFixtures.trace("create_secret.json")).get(0);

        // When
        AuditEvent event = parser.parse(AuditFixtures.json(line), "webhook").event();

        // Then
        assertThat(event.getRequestObject()).isNull();
        assertThat(event.getResponseObject()).isNull();
        assertThat(event.getRedactions()).containsExactly("requestObject: body of secrets removed",
                "responseObject: body of secrets removed");
        assertThat(event.toString()).doesNotContain(AuditFixtures.secretValue());
    }

    @Test
    void shouldKeepOtherBodiesAsJsonAndDropConfiguredKinds() {
        // Given
        String line = AuditFixtures.events(AuditFixtures.trace("create_configmap_sensitive_values.json")).get(0);
        AuditEventParser redacting = new AuditEventParser("c1", new AuditRedactor(new RedactionConfig(List.of("ConfigMap"), null),
                harness.mapper), harness.mapper);

        // When
        AuditEvent kept = parser.parse(AuditFixtures.json(line), "webhook").event();
        AuditEvent dropped = redacting.parse(AuditFixtures.json(line), "webhook").event();

        // Then
        assertThat(AuditFixtures.json(kept.getRequestObject()).path("kind").asText()).isEqualTo("ConfigMap");
        assertThat(kept.getRequestObject()).contains("aws_access_key_id");
        assertThat(dropped.getRequestObject()).isNull();
        assertThat(dropped.getResponseObject()).isNull();
        assertThat(dropped.getRedactions()).hasSize(2);
    }

    @Test
    void shouldDropBodiesThatContainASecretWhateverTheResource() {
        // Given: a List of Secrets returned for a non-secret resource name
        String event = """
                {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"a","stage":"ResponseComplete",
                 "requestURI":"/apis/example.com/v1/things","verb":"list","user":{"username":"u"},
                 "objectRef":{"resource":"things","apiGroup":"example.com"},
                 "responseObject":{"kind":"List","items":[{"kind":"Secret","data":{"k":"c2VjcmV0LXZhbHVl"}}]},
                 "requestReceivedTimestamp":"2024-01-01T00:00:00.000001Z","stageTimestamp":"2024-01-01T00:00:00.000002Z"}""";

        // When
        AuditEvent parsed = parser.parse(AuditFixtures.json(event), "webhook").event();

        // Then
        assertThat(parsed.getResponseObject()).isNull();
        assertThat(parsed.getRedactions()).containsExactly("responseObject: body containing a Secret removed");
    }

    @Test
    void shouldDropTokenRequestAndTokenReviewBodies() {
        // Given
        String tokenRequest = event("serviceaccounts", "\"subresource\":\"token\",",
                "\"responseObject\":{\"kind\":\"TokenRequest\",\"status\":{\"token\":\"eyJhbGciOi.secret\"}}");
        String tokenReview = event("tokenreviews", "", "\"requestObject\":{\"spec\":{\"token\":\"eyJhbGciOi.secret\"}}");

        // Then
        assertThat(parser.parse(AuditFixtures.json(tokenRequest), "w").event().getResponseObject()).isNull();
        assertThat(parser.parse(AuditFixtures.json(tokenReview), "w").event().getRequestObject()).isNull();
    }

    @Test
    void shouldKeyNonResourceRequestsByPath() {
        // Given
        String healthz = """
                {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"h","stage":"ResponseComplete",
                 "requestURI":"/healthz/etcd?verbose=1","verb":"get","user":{"username":"system:anonymous"},
                 "requestReceivedTimestamp":"2024-01-01T00:00:00Z","stageTimestamp":"2024-01-01T00:00:00Z"}""";

        // When
        AuditEventParser.Parsed parsed = parser.parse(AuditFixtures.json(healthz), "webhook");

        // Then
        assertThat(parsed.key()).isEqualTo("c1/-/nonresource/healthz/etcd");
        assertThat(parsed.event().getObjectRef()).isNull();
    }

    @Test
    void shouldNeverDeduplicateByAuditIdAlone() {
        // Given: two stages of one request
        String line = AuditFixtures.events(AuditFixtures.trace("exec_pod.json")).get(0);
        ObjectNode started = (ObjectNode) AuditFixtures.json(line);
        ObjectNode complete = started.deepCopy().put("stage", "ResponseComplete");

        // Then
        assertThat(parser.parse(started, "w").dedupKey()).isNotEqualTo(parser.parse(complete, "w").dedupKey());
    }

    static Stream<Arguments> badEvents() {
        String good = AuditFixtures.events(AuditFixtures.trace("delete_namespace_foo.json")).get(0);
        return Stream.of(
                Arguments.of(with(good, "kind", "\"Pod\""), ErrorTypes.WRONG_KIND),
                Arguments.of(with(good, "apiVersion", "\"audit.k8s.io/v2\""), ErrorTypes.WRONG_API_VERSION),
                Arguments.of(without(good, "auditID"), ErrorTypes.MISSING_FIELD),
                Arguments.of(without(good, "stage"), ErrorTypes.MISSING_FIELD),
                Arguments.of(without(good, "user"), ErrorTypes.MISSING_FIELD),
                Arguments.of(without(good, "requestReceivedTimestamp"), ErrorTypes.MISSING_FIELD),
                Arguments.of(with(good, "stage", "\"Finished\""), ErrorTypes.UNKNOWN_ENUM),
                Arguments.of(with(good, "level", "\"Everything\""), ErrorTypes.UNKNOWN_ENUM),
                Arguments.of(with(good, "stageTimestamp", "\"yesterday\""), ErrorTypes.INVALID_VALUE),
                Arguments.of(with(good, "auditID", "42"), ErrorTypes.INVALID_VALUE),
                Arguments.of(with(good, "sourceIPs", "\"10.0.0.1\""), ErrorTypes.INVALID_VALUE),
                Arguments.of("[1,2]", ErrorTypes.INVALID_VALUE));
    }

    @ParameterizedTest
    @MethodSource("badEvents")
    void shouldClassifyBadEvents(String event, String errorType) {
        assertThatThrownBy(() -> parser.parse(AuditFixtures.json(event), "w"))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.errorType()).isEqualTo(errorType));
    }

    static String with(String event, String field, String jsonValue) {
        ObjectNode node = (ObjectNode) AuditFixtures.json(event);
        node.set(field, AuditFixtures.json(jsonValue));
        return node.toString();
    }

    static String without(String event, String field) {
        ObjectNode node = (ObjectNode) AuditFixtures.json(event);
        node.remove(field);
        return node.toString();
    }

    private static String event(String resource, String objectRefExtra, String body) {
        return "{\"kind\":\"Event\",\"level\":\"RequestResponse\",\"auditID\":\"t\",\"stage\":\"ResponseComplete\","
                + "\"requestURI\":\"/x\",\"verb\":\"create\",\"user\":{\"username\":\"u\"},"
                + "\"objectRef\":{" + objectRefExtra + "\"resource\":\"" + resource + "\",\"namespace\":\"n\",\"name\":\"x\"},"
                + body + ",\"requestReceivedTimestamp\":\"2024-01-01T00:00:00Z\",\"stageTimestamp\":\"2024-01-01T00:00:00Z\"}";
    }

}
