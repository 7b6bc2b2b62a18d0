package dev.kubeproof.streams.evaluation;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Objects;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kubeproof.avro.CustomControl;
import dev.kubeproof.contract.deadletter.DeadLetters;
import dev.kubeproof.controls.catalog.CatalogException;
import dev.kubeproof.controls.cel.LiveControls;
import dev.kubeproof.runtime.DeadLetterSink;
import dev.kubeproof.streams.EvidenceMetrics;

/**
 * The global processor of the custom-controls topic: every instance reads the whole compacted topic into a global
 * store and keeps {@link LiveControls} in step with it, so a control published (or withdrawn) while the pipeline runs
 * is judged from the next evaluation on; {@link EvaluationProcessor} then judges every stored object it applies to.
 *
 * <p>A record that cannot be used (it does not compile, its key is not its id, its id clashes) is dead-lettered with
 * the reason when it arrives and the controls in force stay as they were: a bad new version leaves the previous one
 * in force. At start the store is read whole; records refused then were dead-lettered when they arrived, so they are
 * only logged.
 */
public final class PublishedControls implements Processor<String, CustomControl, Void, Void> {
    /** Dead-letter source of published controls the pipeline refuses. */
    public static final String DEAD_LETTER_SOURCE = "streams.custom-controls";
    private static final Logger LOG = LoggerFactory.getLogger(PublishedControls.class);

    private final LiveControls controls;
    private final String storeName;
    private final DeadLetterSink deadLetters;
    private final EvidenceMetrics metrics;
    private final Clock clock;
    private ProcessorContext<Void, Void> context;
    private KeyValueStore<String, CustomControl> store;

    public PublishedControls(LiveControls controls, String storeName, DeadLetterSink deadLetters,
                             EvidenceMetrics metrics, Clock clock) {
        this.controls = Objects.requireNonNull(controls, "controls");
        this.storeName = Objects.requireNonNull(storeName, "storeName");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
        try (KeyValueIterator<String, CustomControl> all = store.all()) {
            all.forEachRemaining(entry -> {
                try {
                    publish(entry.key, entry.value);
                } catch (CatalogException e) {
                    LOG.error("custom control {} from the custom-controls topic is not used: {}", entry.key, e.getMessage());
                }
            });
        }
        LOG.info("custom controls published on the topic and in force: {}", controls.publishedIds());
    }

    @Override
    public void process(Record<String, CustomControl> record) {
        String id = record.key();
        if (id == null) {
            reject(record, "a published control needs its id as the record key");
            return;
        }
        if (record.value() == null) {
            store.delete(id);
            if (controls.withdraw(id)) {
                LOG.info("custom control {} withdrawn", id);
            }
            return;
        }
        store.put(id, record.value());
        try {
            publish(id, record.value());
            LOG.info("custom control {} published by {} from {} (sha256 {})", id, record.value().getPublishedBy(),
                    record.value().getSource(), record.value().getSha256());
        } catch (CatalogException e) {
            reject(record, e.getMessage());
        }
    }

    private void publish(String id, CustomControl control) {
        controls.publish(id, control.getDocument(), "custom-controls topic, key " + id + " (from "
                + control.getSource() + ")", new LiveControls.Revision(control.getSha256(), control.getPublishedBy(),
                control.getPublishedAt()));
    }

    private void reject(Record<String, CustomControl> record, String reason) {
        LOG.error("custom control refused, the controls in force do not change: {}", reason);
        metrics.deadLetter(DEAD_LETTER_SOURCE, "INVALID_CONTROL");
        byte[] key = record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8);
        byte[] value = record.value() == null ? new byte[0] : record.value().getDocument().getBytes(StandardCharsets.UTF_8);
        RecordMetadata read = context.recordMetadata().orElse(null);
        deadLetters.publish(read == null
                ? DeadLetters.of(DEAD_LETTER_SOURCE, "INVALID_CONTROL", reason, value, clock.instant())
                : DeadLetters.fromKafka(DEAD_LETTER_SOURCE, "INVALID_CONTROL", reason, read.topic(), read.partition(),
                        read.offset(), key, value, clock.instant()));
    }
}
