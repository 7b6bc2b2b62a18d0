package dev.kubeproof.ingest.resources.informer;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import dev.kubeproof.avro.ChangeType;
import dev.kubeproof.avro.ResourceChange;
import dev.kubeproof.contract.topics.TopicSpec;
import dev.kubeproof.runtime.DeadLetterPublisher;
import dev.kubeproof.runtime.ErrorTypes;
import dev.kubeproof.runtime.InvalidInputException;
import dev.kubeproof.runtime.RecordPublisher;
import dev.kubeproof.ingest.resources.ResourceMetrics;
import dev.kubeproof.ingest.resources.kinds.KindCatalog;
import dev.kubeproof.ingest.resources.kinds.WatchedKind;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes what the informers saw: a {@link ResourceChange} per add, update and resync, a DELETED record followed
 * by a tombstone per delete. An object that cannot become a record goes to the dead-letter topic with the reason
 * (its sanitized JSON as payload: never Secret data); a record Kafka refuses is dead-lettered too. Nothing here
 * throws: one bad object never stops an informer.
 */
public final class ChangeEmitter {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeEmitter.class);

    private final ResourceChangeMapper mapper;
    private final RecordPublisher publisher;
    private final DeadLetterPublisher deadLetters;
    private final TopicSpec topic;
    private final ResourceMetrics metrics;
    private final String source;
    private final VulnerabilityReportListener reports;

    public ChangeEmitter(ResourceChangeMapper mapper, RecordPublisher publisher, DeadLetterPublisher deadLetters,
                         TopicSpec topic, ResourceMetrics metrics, String source, VulnerabilityReportListener reports) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.source = Objects.requireNonNull(source, "source");
        this.reports = Objects.requireNonNull(reports, "reports");
    }

    public ResourceChangeMapper mapper() {
        return mapper;
    }

    /** An ADDED, MODIFIED or SYNC change. */
    public void change(WatchedKind kind, GenericKubernetesResource object, ChangeType type) {
        ResourceChange change = map(kind, object, type, false);
        if (change != null) {
            send(keyOf(change), change);
            if (KindCatalog.VULNERABILITY_REPORT.equals(kind.kind()) && type != ChangeType.SYNC) {
                reports.reportChanged(kind, object, change);
            }
        }
    }

    /** A delete the informer saw; {@code finalStateUnknown} when the watch missed it and a relist found it gone. */
    public void delete(WatchedKind kind, GenericKubernetesResource object, boolean finalStateUnknown) {
        ResourceChange change = map(kind, object, ChangeType.DELETED, finalStateUnknown);
        if (change != null) {
            String key = keyOf(change);
            send(key, change);
            tombstone(key, change);
        }
    }

    /** The delete of an object that vanished while no collector was watching: the last record, as DELETED. */
    public void recoveredDelete(String key, ResourceChange last) {
        ResourceChange change = mapper.recoveredDelete(last);
        metrics.recoveredDelete(change.getKind());
        send(key, change);
        tombstone(key, change);
    }

    private ResourceChange map(WatchedKind kind, GenericKubernetesResource object, ChangeType type,
                               boolean finalStateUnknown) {
        try {
            return mapper.toChange(kind, object, type, finalStateUnknown);
        } catch (InvalidInputException e) {
            deadLetters.deadLetter(source, e, payloadOf(kind, object));
        } catch (RuntimeException e) {
            // e.g. a value Jackson cannot serialize: dead-letter it, keep the informer running
            deadLetters.deadLetter(source, ErrorTypes.INVALID_VALUE, kind.kind() + " could not be mapped: " + e,
                    payloadOf(kind, object));
        }
        return null;
    }

    private void send(String key, ResourceChange change) {
        CompletableFuture<?> sent = publisher.publish(topic, key, change, source);
        sent.whenComplete((metadata, error) -> {
            if (error == null) {
                metrics.changePublished(change.getKind(), change.getChangeType().name());
            } else {
                LOG.error("could not publish {} of {}: {}", change.getChangeType(), key, error.toString());
                byte[] payload = change.getObject() == null ? key.getBytes(StandardCharsets.UTF_8)
                        : change.getObject().getBytes(StandardCharsets.UTF_8);
                deadLetters.deadLetter(source, ErrorTypes.PUBLISH_FAILED, change.getChangeType() + " of " + key
                        + " was not written to " + topic.name() + ": " + error, payload);
            }
        });
    }

    private void tombstone(String key, ResourceChange change) {
        publisher.publishTombstone(topic, key, source).whenComplete((metadata, error) -> {
            if (error != null) {
                LOG.error("could not publish the tombstone of {}: {}", key, error.toString());
                deadLetters.deadLetter(source, ErrorTypes.PUBLISH_FAILED, "tombstone of " + key + " was not written to "
                        + topic.name() + ": " + error, key.getBytes(StandardCharsets.UTF_8));
            }
        });
    }

    private String keyOf(ResourceChange change) {
        return ResourceChangeMapper.key(change.getClusterId(), change.getKind(), change.getNamespace(), change.getName());
    }

    /** The dead-letter payload of an object: its sanitized JSON, never more than a metadata-only kind allows. */
    private byte[] payloadOf(WatchedKind kind, GenericKubernetesResource object) {
        if (object == null) {
            return new byte[0];
        }
        try {
            return mapper.sanitize(kind, object).toString().getBytes(StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            return (kind.kind() + " (unserializable)").getBytes(StandardCharsets.UTF_8);
        }
    }
}
