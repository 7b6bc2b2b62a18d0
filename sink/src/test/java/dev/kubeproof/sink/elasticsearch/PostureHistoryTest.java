package dev.kubeproof.sink.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.Test;

class PostureHistoryTest {

    @Test
    void shouldCountEachStatusAndComputeComplianceOverPassAndFailOnly() {
        // Given 75 passing, 25 failing, 10 exempted and 5 erroring controls × resources of one framework
        Map<String, Long> counts = Map.of("PASS", 75L, "FAIL", 25L, "EXEMPT", 10L, "ERROR", 5L);

        // When recorded
        ObjectNode doc = PostureHistory.document("CIS Kubernetes Benchmark v1.9.0", counts, Instant.parse("2026-11-29T10:00:00Z"));

        // Then compliance is 75 %: exemptions and errors are counted apart, not as passing or failing
        assertThat(doc.at("/kubeproof/framework").asText()).isEqualTo("CIS Kubernetes Benchmark v1.9.0");
        assertThat(doc.at("/kubeproof/posture/compliance_percent").asDouble()).isEqualTo(75.0);
        assertThat(doc.at("/kubeproof/posture/exempt").asLong()).isEqualTo(10);
        assertThat(doc.at("/kubeproof/posture/not_applicable").asLong()).isZero();
        assertThat(doc.at("/kubeproof/posture/total").asLong()).isEqualTo(115);
        assertThat(doc.path("@timestamp").asText()).isEqualTo("2026-11-29T10:00:00.000Z");
        assertThat(doc.at("/event/kind").asText()).isEqualTo("metric");
    }

    @Test
    void shouldLeaveComplianceOutWhenNothingPassedOrFailed() {
        ObjectNode doc = PostureHistory.document("SOC 2", Map.of("EXEMPT", 3L), Instant.parse("2026-11-29T10:00:00Z"));
        assertThat(doc.at("/kubeproof/posture").has("compliance_percent")).isFalse();
    }
}
