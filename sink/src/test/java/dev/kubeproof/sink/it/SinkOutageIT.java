package dev.kubeproof.sink.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.contract.retry.RetryPolicy;
import dev.kubeproof.sink.SinkService;
import dev.kubeproof.sink.TestEvidence;
import dev.kubeproof.sink.config.ElasticsearchConfig;
import dev.kubeproof.stack.ServerKind;
import dev.kubeproof.testkit.RealServers;
import dev.kubeproof.testkit.RealStack;

/**
 * Elasticsearch unreachable for 60 s in the middle of ingestion. The shared Elasticsearch of the test stack cannot
 * be stopped, so the sink reaches it through a loopback TCP proxy that the test closes (port closed, every open
 * connection cut: connection refused, as for a stopped server) and opens again.
 */
@RealStack({ServerKind.KAFKA, ServerKind.SCHEMA_REGISTRY, ServerKind.ELASTICSEARCH})
class SinkOutageIT {
    private static final Duration OUTAGE = Duration.ofSeconds(60);

    private static EvidenceRecord[] wave(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> TestEvidence.transition("pod-" + i, 1, null,
                i % 4 == 0 ? EvidenceStatus.FAIL : EvidenceStatus.PASS, TestEvidence.T0.plusSeconds(i))).toArray(EvidenceRecord[]::new);
    }

    @Test
    void shouldIndexEveryRecordExactlyOnceWhenElasticsearchIsUnreachableDuringIngestion(RealServers servers, @TempDir Path dir)
            throws Exception {
        URI elasticsearch = URI.create(servers.elasticsearchUrl());
        try (SinkHarness harness = new SinkHarness(servers, dir);
             TcpProxy proxy = new TcpProxy(elasticsearch.getHost(), elasticsearch.getPort(), null)) {
            // Given a sink that reaches Elasticsearch through the proxy, in small batches, with short timeouts
            proxy.start();
            ElasticsearchConfig viaProxy = harness.elasticsearch
                    .withUrls(List.of(URI.create("http://127.0.0.1:" + proxy.port())))
                    .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(10));
            SinkService sink = harness.start(harness.config("outage", viaProxy)
                    .withRetry(new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(3))).withBatching(50, 50));
            String evidence = harness.topics.evidence().name();
            String states = harness.topics.evidenceState().name();

            // And ingestion under way
            harness.evidence(evidence, wave(0, 200));
            harness.evidence(states, wave(0, 200));
            await().atMost(Duration.ofSeconds(60)).until(() -> harness.count(harness.names.evidence()) >= 50);

            // When Elasticsearch becomes unreachable while more records arrive
            proxy.stop();
            Instant down = Instant.now();
            harness.evidence(evidence, wave(200, 400));
            harness.evidence(states, wave(200, 400));

            // Then the sink pauses consumption, stays paused, and commits nothing more during the outage
            await().atMost(Duration.ofSeconds(20)).until(sink::isPaused);
            long committedDuringOutage = harness.committed("outage");
            Duration left = OUTAGE.minus(Duration.between(down, Instant.now()));
            await().during(left).atMost(left.plusSeconds(5)).until(sink::isPaused);
            assertThat(harness.committed("outage")).isEqualTo(committedDuringOutage);
            assertThat(committedDuringOutage).isLessThan(800);

            // When Elasticsearch is reachable again and yet more records arrive
            proxy.start();
            harness.evidence(evidence, wave(400, 500));
            harness.evidence(states, wave(400, 500));

            // Then every record is indexed exactly once and every offset committed, nothing dead-lettered
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(harness.committed("outage")).isEqualTo(1000));
            assertThat(harness.count(harness.names.evidence())).isEqualTo(500);
            assertThat(harness.count(harness.names.posture())).isEqualTo(500);
            assertThat(sink.isPaused()).isFalse();
            assertThat(sink.metrics().count("kubeproof.sink.attempts.failed")).isPositive();
            assertThat(harness.deadLetters()).isEmpty();
        }
    }
}
