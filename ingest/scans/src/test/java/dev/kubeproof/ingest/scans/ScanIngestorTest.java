package dev.kubeproof.ingest.scans;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.avro.DeadLetter;
import dev.kubeproof.avro.ImageScan;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class ScanIngestorTest {

    @Test
    void shouldPublishEveryFixtureKeyedByDigestOrReferenceAndTheConfigAuditReportAsScannerFindings() {
        // Given
        ScanHarness harness = new ScanHarness();
        List<Path> files = new ArrayList<>(ScanFixtures.trivyGoldens());
        files.addAll(ScanFixtures.operatorReports());

        // When
        for (Path file : files) {
            harness.ingestor.ingest(ScanFixtures.bytes(file), ScanIngestor.Source.file(file.toString())).join();
        }

        // Then
        assertThat(harness.scanRecords()).extracting(ProducerRecord::key).containsExactly(
                "sha256:961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4",
                "sha256:c2c03a296d2329a4f3ab72a7bf38b78a8a80108204d326b0139d6af700e152d1",
                "testdata/fixtures/repo/pom",
                "sha256:6fecccc91c83e11ae4fede6793e9410841221d4779520c2b9e9fb7f7b3830264",
                "index.docker.io/library/nginx:alpine");
        assertThat(harness.scans()).extracting(ImageScan::getSource).allMatch(source -> source.startsWith("file:"));
        assertThat(harness.scans().get(4).getClusterId()).isEqualTo("c1");
        // and the Trivy Operator's ConfigAuditReport is Trivy's verdict of KSV014 on the ReplicaSet its labels name
        assertThat(harness.findings()).singleElement().satisfies(finding -> {
            assertThat(finding.getFindingId()).isEqualTo("c1/ReplicaSet/default/nginx-deployment-965685897/KSV014");
            assertThat(finding.getTitle()).isEqualTo("Root file system is not read-only");
            assertThat(finding.getSeverity()).isEqualTo("LOW");
            assertThat(finding.getPassed()).isFalse();
            assertThat(finding.getMessages()).containsExactly("Container 'nginx' of ReplicaSet "
                    + "'nginx-deployment-965685897' should set 'securityContext.readOnlyRootFilesystem' to true");
            assertThat(finding.getCheckUrl()).isEqualTo("https://avd.aquasec.com/misconfig/ksv014");
            assertThat(finding.getReportedAt()).isEqualTo(java.time.Instant.parse("2023-03-23T16:22:54Z"));
        });
        assertThat(harness.deadLetters()).isEmpty();
    }

    @Test
    void shouldPublishOneScanPerImageOfATrivyClusterReport() {
        // Given a collector without a cluster of its own
        ScanHarness harness = new ScanHarness(true, null, 1 << 20);

        // When a trivy k8s report is posted
        ScanIngestor.Outcome outcome = harness.ingestor.ingest(ScanFixtures.bytes(
                java.nio.file.Path.of("src/test/resources/trivy-k8s/cluster-report.json")), ScanIngestor.Source.HTTP).join();

        // Then each of its two images is a scan of the report's cluster, and the outcome names both
        assertThat(outcome.published()).isTrue();
        assertThat(harness.scans()).extracting(ImageScan::getImageRef)
                .containsExactly("ghcr.io/acme/web:1.4.2", "quay.io/prometheus/node-exporter:v1.6.1");
        assertThat(harness.scans()).extracting(ImageScan::getClusterId).containsOnly("staging");
        // and its misconfiguration result is Trivy's finding on the Deployment, which the outcome names too
        assertThat(harness.findings()).extracting(f -> f.getFindingId() + " " + f.getPassed())
                .containsExactly("staging/Deployment/shop/web/KSV001 false");
        assertThat(outcome.key().split(",")).hasSize(3).contains("staging/Deployment/shop/web/KSV001");
        assertThat(harness.deadLetters()).isEmpty();
    }

    @Test
    void shouldRefuseAVulnerabilityReportWhenNoClusterIsConfigured() {
        // Given
        ScanHarness harness = new ScanHarness(true, null, 1 << 20);

        // When
        ScanIngestor.Outcome outcome = harness.ingestor.ingest(ScanFixtures.bytes(
                ScanFixtures.operator("vulnerabilityreport_single_vuln.json")), ScanIngestor.Source.HTTP).join();

        // Then
        assertThat(outcome.published()).isFalse();
        assertThat(outcome.reason()).contains("clusterId");
        assertThat(harness.scanRecords()).isEmpty();
    }

    @Test
    void shouldDeadLetterAReportKafkaCannotTakeInsteadOfRetryingForever() {
        // Given
        ScanHarness harness = new ScanHarness(false, null, 1 << 20);

        // When
        var future = harness.ingestor.ingest(ScanFixtures.bytes(ScanFixtures.trivy("ubi-7.json.golden")), ScanIngestor.Source.HTTP);
        harness.producer.errorNext(new org.apache.kafka.common.errors.RecordTooLargeException("too large"));
        harness.producer.completeNext();

        // Then
        ScanIngestor.Outcome outcome = future.join();
        assertThat(outcome.errorType()).isEqualTo("PUBLISH_FAILED");
        assertThat(harness.deadLetters()).singleElement().satisfies(l -> assertThat(l.getReason()).contains("max.request.size"));
    }

    /**
     * At least 1,000 generated bad reports mixed with good ones through the real path: every good report published
     * once, every bad one dead-lettered once.
     */
    @Test
    void shouldPublishEveryGoodReportOnceAndDeadLetterEveryBadOneOnce() {
        // Given
        ScanHarness harness = new ScanHarness(true, "c1", 64 * 1024);
        String debian = new String(ScanFixtures.bytes(ScanFixtures.trivy("debian-buster.json.golden")), StandardCharsets.UTF_8);
        List<Function<Integer, String>> breakers = List.of(
                i -> debian.substring(0, 100 + i),
                i -> debian.replace("\"SchemaVersion\": 2", "\"SchemaVersion\": " + (3 + i)),
                i -> debian.replace("\"ArtifactName\"", "\"Artifact" + i + "\""),
                i -> debian.replace("\"Severity\": \"LOW\"", "\"Severity\": \"LEVEL-" + i + "\""),
                i -> debian.replaceFirst("\"VulnerabilityID\"", "\"Id" + i + "\""),
                i -> "{\"apiVersion\":\"aquasecurity.github.io/v1alpha1\",\"kind\":\"ExposedSecretReport\",\"n\":" + i + "}",
                i -> "not a report " + i,
                i -> "{\"n\":" + i + "," + debian.substring(1) + " ".repeat(70 * 1024));
        List<Map.Entry<String, Boolean>> inputs = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            ObjectNode good = (ObjectNode) ScanFixtures.json(debian);
            ((ObjectNode) good.get("Metadata")).put("ImageID", "sha256:good-" + i);
            inputs.add(Map.entry(good.toString(), true));
        }
        for (int i = 0; i < 1200; i++) {
            inputs.add(Map.entry(breakers.get(i % breakers.size()).apply(i), false));
        }
        Collections.shuffle(inputs, new Random(7));

        // When
        for (Map.Entry<String, Boolean> input : inputs) {
            ScanIngestor.Outcome outcome = harness.ingestor.ingest(input.getKey().getBytes(StandardCharsets.UTF_8),
                    ScanIngestor.Source.HTTP).join();
            assertThat(outcome.published()).isEqualTo(input.getValue());
        }

        // Then
        Map<String, Long> keys = harness.scanRecords().stream()
                .collect(Collectors.groupingBy(ProducerRecord::key, Collectors.counting()));
        assertThat(keys).hasSize(600).allSatisfy((key, count) -> {
            assertThat(key).startsWith("sha256:good-");
            assertThat(count).isOne();
        });
        List<DeadLetter> letters = harness.deadLetters();
        assertThat(letters).hasSize(1200);
        Map<String, Long> byType = letters.stream().collect(Collectors.groupingBy(DeadLetter::getErrorType, Collectors.counting()));
        assertThat(byType).containsEntry("MALFORMED_JSON", 300L).containsEntry("WRONG_API_VERSION", 150L)
                .containsEntry("MISSING_FIELD", 300L).containsEntry("UNKNOWN_ENUM", 150L).containsEntry("WRONG_KIND", 150L)
                .containsEntry("OVERSIZED", 150L);
        // each bad input once: their raw bytes are all different
        assertThat(letters.stream().map(l -> l.getPayload().duplicate()).distinct().count()).isEqualTo(1200);
        assertThat(harness.metrics.deadLetterCount("ingest.scans-http")).isEqualTo(1200);
    }
}
