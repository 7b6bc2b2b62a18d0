package dev.kubeproof.cli.controls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.avro.ResourceChange;
import dev.kubeproof.cli.support.PipelineHarness;
import dev.kubeproof.cli.support.PipelineHarness.Run;
import dev.kubeproof.contract.serde.AvroDeserializer;
import dev.kubeproof.contract.serde.AvroSerializer;
import dev.kubeproof.stack.ServerKind;
import dev.kubeproof.testkit.RealServers;
import dev.kubeproof.testkit.RealStack;

/**
 * {@code kubeproof controls publish|published|withdraw} against a running evidence application on real Kafka and
 * registry: a control published through the CLI judges the objects already stored, without a restart; withdrawn, its
 * evidence closes; a file that fails its own cases publishes nothing.
 */
@RealStack({ServerKind.KAFKA, ServerKind.SCHEMA_REGISTRY, ServerKind.ELASTICSEARCH})
class PublishedControlsIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String CONTROL = """
            id: ACME-LBL-001
            title: Pods name a cost center
            severity: medium
            appliesTo: [Pod]
            remediation: Add the label cost-center.
            validations:
              - expression: "has(object.metadata.labels) && 'cost-center' in object.metadata.labels"
                messageExpression: "'no cost-center label on ' + object.metadata.name"
            cases:
              - {name: labelled, expect: PASS, object: {kind: Pod, metadata: {name: a, labels: {cost-center: cc-1}}}}
              - {name: bare, expect: FAIL, object: {kind: Pod, metadata: {name: b}}}
            """;

    private PipelineHarness pipeline;

    @AfterEach
    void stop() throws Exception {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void shouldJudgeStoredObjectsByAControlPublishedThroughTheCliWithoutARestart(RealServers servers, @TempDir Path dir)
            throws Exception {
        // Given a running evidence application that has judged a Pod by the built-in controls
        pipeline = new PipelineHarness(servers, "published-controls", dir);
        pipeline.startEvidence();
        PipelineHarness.Tail<EvidenceRecord> evidence = pipeline.closeLater(new PipelineHarness.Tail<>(servers,
                pipeline.topics.evidence().name(), new AvroDeserializer<>(pipeline.registry, EvidenceRecord.class)));
        KafkaProducer<String, ResourceChange> producer = pipeline.closeLater(new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafkaBootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new AvroSerializer<>(pipeline.registry, false, true)));
        ResourceChange pod = PipelineHarness.change("it", PipelineHarness.pod("shop", "web", false, "nginx:1.27"));
        producer.send(new ProducerRecord<>(pipeline.topics.resourceChanges().name(), pod.getUid(), pod)).get();
        await("built-in evidence of the pod").atMost(WAIT).until(() -> !evidence.records().isEmpty());
        assertThat(ofControl(evidence.records())).isEmpty();

        // When an exception is asked for a control nobody published yet
        Run tooEarly = exceptionForTheWebPod(pipeline);

        // Then it is refused, naming the control
        assertThat(tooEarly.exitCode()).as(tooEarly.output()).isNotZero();
        assertThat(tooEarly.output()).contains("ACME-LBL-001").contains("nor a published custom control");

        // When a control file that fails its own case is published, then a good one, with the CLI
        Path bad = Files.writeString(dir.resolve("bad.yaml"), CONTROL.replace("expect: FAIL", "expect: PASS"));
        Run refused = pipeline.cli("controls", "publish", bad.toString(), "--by", "alice");
        Path file = Files.writeString(dir.resolve("cost-center.yaml"), CONTROL);
        Run published = pipeline.cli("controls", "publish", file.toString(), "--by", "alice");

        // Then the bad one publishes nothing, and the running application judges the stored Pod by the good one
        assertThat(refused.exitCode()).as(refused.output()).isEqualTo(1);
        assertThat(refused.output()).contains("FAIL ACME-LBL-001").contains("nothing published");
        assertThat(published.exitCode()).as(published.output()).isZero();
        assertThat(published.output()).contains("published ACME-LBL-001");
        await("the published control's evidence").atMost(WAIT).until(() -> !ofControl(evidence.records()).isEmpty());
        EvidenceRecord judged = ofControl(evidence.records()).get(0);
        assertThat(judged.getStatus()).isEqualTo(EvidenceStatus.FAIL);
        assertThat(judged.getMessage()).isEqualTo("no cost-center label on web");
        assertThat(judged.getActor()).isEqualTo("alice");
        assertThat(judged.getCause().getChangeType()).isEqualTo("CONTROL");
        Run listed = pipeline.cli("controls", "published");
        assertThat(listed.output()).contains("ACME-LBL-001").contains("alice").contains("1 custom control(s) published");

        // When the risk is accepted for the pod, now that the control is published
        Run excepted = exceptionForTheWebPod(pipeline);

        // Then the failure becomes EXEMPT, as for a built-in control
        assertThat(excepted.exitCode()).as(excepted.output()).isZero();
        await("the custom control's failure exempted").atMost(WAIT).until(() -> ofControl(evidence.records()).stream()
                .anyMatch(r -> r.getStatus() == EvidenceStatus.EXEMPT));

        // When it is withdrawn
        Run withdrawn = pipeline.cli("controls", "withdraw", "ACME-LBL-001");

        // Then its evidence closes, and the topic holds no control
        assertThat(withdrawn.exitCode()).as(withdrawn.output()).isZero();
        await("the withdrawn control's evidence closed").atMost(WAIT).until(() -> ofControl(evidence.records()).stream()
                .anyMatch(r -> r.getStatus() == EvidenceStatus.CLOSED));
        assertThat(pipeline.cli("controls", "published").output()).contains("0 custom control(s) published");
        assertThat(pipeline.cli("controls", "withdraw", "ACME-LBL-001").output()).contains("not published: ACME-LBL-001");
    }

    private static Run exceptionForTheWebPod(PipelineHarness pipeline) {
        return pipeline.cli("exception", "add", "--id", "web-cost-center", "--control", "ACME-LBL-001", "--namespace",
                "shop", "--name", "web", "--reason", "labels come with the Q1 migration", "--approved-by", "finops-lead",
                "--valid-for", "1h");
    }

    private static List<EvidenceRecord> ofControl(List<ConsumerRecord<String, EvidenceRecord>> records) {
        return records.stream().map(ConsumerRecord::value).filter(r -> r.getControlId().equals("ACME-LBL-001")).toList();
    }
}
