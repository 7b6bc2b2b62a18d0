package dev.kubeproof.sink.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.kubeproof.runtime.ConfigLoader;

/** The {@code policy-reports.*} keys of the sink configuration. */
class PolicyReportConfigTest {
    private static SinkConfig from(Map<String, String> values) {
        return SinkConfigTest.from(values);
    }


    private Map<String, String> minimal() {
        Map<String, String> values = new HashMap<>();
        values.put("kafka.bootstrapServers", "127.0.0.1:9092");
        values.put("kafka.schemaRegistryUrl", "http://127.0.0.1:8081");
        values.put("elasticsearch.urls", "http://127.0.0.1:9200");
        return values;
    }

    @Test
    void shouldBeDisabledByDefault() {
        // When
        SinkConfig config = from(minimal());
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
        values.putAll(Map.of("policyReports.enabled", "true", "policyReports.clusterId", "prod-eu",
                "policyReports.maxResults", "250", "policyReports.writeInterval", "2m",
                "policyReports.kubeconfig", "/etc/kubeproof/kubeconfig"));
        // When
        PolicyReportConfig reports = from(values).policyReports();
        // Then
        assertThat(reports).isEqualTo(new PolicyReportConfig(true, "prod-eu", 250, Duration.ofMinutes(2),
                Path.of("/etc/kubeproof/kubeconfig")));
    }

    @Test
    void shouldRequireTheClusterIdWhenEnabled() {
        // Given
        Map<String, String> values = minimal();
        values.put("policyReports.enabled", "true");
        // Then
        assertThatThrownBy(() -> from(values)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("policyReports.clusterId");
    }

    @Test
    void shouldNameTheKeyOfAnInvalidValue() {
        // Given
        Map<String, String> yes = minimal();
        yes.put("policyReports.enabled", "yes");
        Map<String, String> tooMany = minimal();
        tooMany.put("policyReports.maxResults", "100000");
        Map<String, String> typo = minimal();
        typo.put("policyReports.maxResult", "10");
        // Then
        assertThatThrownBy(() -> from(yes)).hasMessageContaining("policyReports.enabled");
        assertThatThrownBy(() -> from(tooMany)).hasMessageContaining("policyReports.maxResults");
        assertThatThrownBy(() -> from(typo)).hasMessageContaining("unknown key 'policyReports.maxResult'");
    }
}
