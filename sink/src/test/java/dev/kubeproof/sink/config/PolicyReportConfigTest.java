package dev.kubeproof.sink.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The {@code policy-reports.*} keys of the sink configuration. */
class PolicyReportConfigTest {

    private Map<String, String> minimal() {
        Map<String, String> values = new HashMap<>();
        values.put("kafka.bootstrap-servers", "127.0.0.1:9092");
        values.put("schema-registry.url", "http://127.0.0.1:8081");
        values.put("elasticsearch.urls", "http://127.0.0.1:9200");
        return values;
    }

    @Test
    void shouldBeDisabledByDefault() {
        // When
        SinkConfig config = SinkConfig.from(minimal());
        // Then
        assertThat(config.policyReports().enabled()).isFalse();
        assertThat(config.policyReports().maxResults()).isEqualTo(1000);
        assertThat(config.policyReports().writeInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.policyReports().kubeconfig()).isNull();
        assertThat(SinkConfig.of("b:9092", "http://r", dev.kubeproof.contract.topics.TopicCatalog.defaults(),
                config.elasticsearch()).policyReports().enabled()).isFalse();
    }

    @Test
    void shouldReadEveryPolicyReportKey() {
        // Given
        Map<String, String> values = minimal();
        values.putAll(Map.of("policy-reports.enabled", "true", "policy-reports.cluster-id", "prod-eu",
                "policy-reports.max-results", "250", "policy-reports.write-interval", "2m",
                "policy-reports.kubeconfig", "/etc/kubeproof/kubeconfig"));
        // When
        PolicyReportConfig reports = SinkConfig.from(values).policyReports();
        // Then
        assertThat(reports).isEqualTo(new PolicyReportConfig(true, "prod-eu", 250, Duration.ofMinutes(2),
                Path.of("/etc/kubeproof/kubeconfig")));
    }

    @Test
    void shouldRequireTheClusterIdWhenEnabled() {
        // Given
        Map<String, String> values = minimal();
        values.put("policy-reports.enabled", "true");
        // Then
        assertThatThrownBy(() -> SinkConfig.from(values)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("policy-reports.cluster-id");
    }

    @Test
    void shouldNameTheKeyOfAnInvalidValue() {
        // Given
        Map<String, String> yes = minimal();
        yes.put("policy-reports.enabled", "yes");
        Map<String, String> tooMany = minimal();
        tooMany.put("policy-reports.max-results", "100000");
        Map<String, String> typo = minimal();
        typo.put("policy-reports.max-result", "10");
        // Then
        assertThatThrownBy(() -> SinkConfig.from(yes)).hasMessageContaining("policy-reports.enabled");
        assertThatThrownBy(() -> SinkConfig.from(tooMany)).hasMessageContaining("policy-reports.max-results");
        assertThatThrownBy(() -> SinkConfig.from(typo)).hasMessageContaining("unknown configuration key")
                .hasMessageContaining("policy-reports.max-result");
    }
}
