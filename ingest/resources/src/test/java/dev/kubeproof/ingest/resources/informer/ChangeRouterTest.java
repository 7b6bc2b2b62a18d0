package dev.kubeproof.ingest.resources.informer;

import static dev.kubeproof.ingest.resources.informer.ResourceChangeMapperTest.kind;
import static dev.kubeproof.ingest.resources.informer.ResourceChangeMapperTest.object;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.kubeproof.avro.ChangeType;
import dev.kubeproof.runtime.DeadLetterPublisher;
import dev.kubeproof.runtime.IngestMetrics;
import dev.kubeproof.ingest.resources.MockTopics;
import dev.kubeproof.ingest.resources.MockTopics.Published;
import dev.kubeproof.ingest.resources.ResourceCollector;
import dev.kubeproof.ingest.resources.ResourceMetrics;
import dev.kubeproof.ingest.resources.kinds.WatchedKind;
import dev.kubeproof.ingest.resources.state.KnownObject;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import org.junit.jupiter.api.Test;

/** The meaning of informer events, without an API server. */
class ChangeRouterTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    private static final WatchedKind POD = kind("Pod");

    private final MockTopics kafka = new MockTopics();
    private final AtomicBoolean leading = new AtomicBoolean(true);
    private final ChangeRouter router = new ChangeRouter(emitter(), leading::get);

    @Test
    void shouldPublishADeleteWhoseFinalStateIsUnknownWithTheFlagAndATombstone() {
        // When: fabric8 reports a delete found by a relist (DeletedFinalStateUnknown)
        router.deleted(POD, object("shop", "web", "u1"), true);

        // Then
        assertThat(kafka.resourceChanges()).extracting(Published::key, Published::type).containsExactly(
                org.assertj.core.groups.Tuple.tuple("c1/Pod/shop/web", ChangeType.DELETED),
                org.assertj.core.groups.Tuple.tuple("c1/Pod/shop/web", null));
        assertThat(kafka.resourceChanges().get(0).value().getFinalStateUnknown()).isTrue();
    }

    @Test
    void shouldPublishAResyncAsSync() {
        // Given
        GenericKubernetesResource web = object("shop", "web", "u1");

        // When: a resync delivers the same resourceVersion as old and new
        router.updated(POD, web, web);

        // Then
        assertThat(kafka.resourceChanges()).extracting(Published::type).containsExactly(ChangeType.SYNC);
    }

    @Test
    void shouldCompareInitialObjectsWithWhatTheTopicHeld() {
        // Given
        GenericKubernetesResource same = object("shop", "same", "u1");
        GenericKubernetesResource changed = object("shop", "changed", "u2");
        router.expect(Map.of(
                "c1/Pod/shop/same", new KnownObject("7", () -> null),
                "c1/Pod/shop/changed", new KnownObject("6", () -> null)));

        // When
        router.added(POD, same);
        router.added(POD, changed);
        router.added(POD, object("shop", "new", "u3"));

        // Then
        assertThat(kafka.resourceChanges()).extracting(Published::key, Published::type).containsExactly(
                org.assertj.core.groups.Tuple.tuple("c1/Pod/shop/same", ChangeType.SYNC),
                org.assertj.core.groups.Tuple.tuple("c1/Pod/shop/changed", ChangeType.MODIFIED),
                org.assertj.core.groups.Tuple.tuple("c1/Pod/shop/new", ChangeType.ADDED));
    }

    @Test
    void shouldDropEventsOnceTheReplicaNoLongerLeads() {
        // Given
        leading.set(false);

        // When
        router.added(POD, object("shop", "web", "u1"));
        router.deleted(POD, object("shop", "web", "u1"), false);

        // Then
        assertThat(kafka.resourceChanges()).isEmpty();
    }

    @Test
    void shouldDeadLetterAnObjectWithoutUidAndGoOn() {
        // When
        router.added(POD, object("shop", "broken", null));
        router.added(POD, object("shop", "fine", "u1"));

        // Then
        assertThat(kafka.resourceChanges()).extracting(Published::key).containsExactly("c1/Pod/shop/fine");
        assertThat(kafka.deadLetters()).singleElement().satisfies(letter -> {
            assertThat(letter.getErrorType()).isEqualTo("MISSING_FIELD");
            assertThat(letter.getReason()).isEqualTo("Pod shop/broken without metadata.uid");
            assertThat(new String(letter.getPayload().array())).contains("\"name\":\"broken\"");
        });
    }

    private ChangeEmitter emitter() {
        IngestMetrics metrics = new IngestMetrics();
        return new ChangeEmitter(new ResourceChangeMapper("c1", CLOCK, 65536, new KubernetesSerialization()),
                kafka.publisher(metrics), new DeadLetterPublisher(kafka.publisher(metrics), kafka.topics, CLOCK),
                kafka.topics.resourceChanges(), new ResourceMetrics(metrics.meterRegistry(), "test"),
                ResourceCollector.SOURCE, VulnerabilityReportListener.NONE);
    }
}
