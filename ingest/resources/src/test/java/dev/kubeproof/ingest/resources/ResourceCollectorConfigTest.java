package dev.kubeproof.ingest.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import dev.kubeproof.runtime.ConfigLoader;
import dev.kubeproof.ingest.resources.kinds.KindCatalog;
import dev.kubeproof.ingest.resources.kinds.WatchedKind;

import org.junit.jupiter.api.Test;

class ResourceCollectorConfigTest {

    @Test
    void shouldReadAFullConfigFromYaml() {
        // Given
        String yaml = """
                clusterId: prod-eu-1
                kubeconfig: /etc/kubeproof/kubeconfig
                context: prod
                kinds: [Pod, deployments, secret]
                kafka:
                  bootstrapServers: kafka:9092
                  schemaRegistryUrl: http://registry:8080/apis/ccompat/v7
                  properties:
                    security.protocol: SSL
                topicPrefix: kp.
                health: {port: 9000}
                resyncPeriod: PT30M
                maxObjectBytes: 524288
                startupTimeout: PT2M
                listPageSize: 250
                leaderElection:
                  namespace: compliance
                  leaseName: resources
                  identity: pod-1
                  leaseDuration: PT20S
                  renewDeadline: PT15S
                  retryPeriod: PT3S
                """;

        // When
        ResourceCollectorConfig config = ConfigLoader.parse(yaml, "resources.yaml", ResourceCollectorConfig.class);

        // Then
        assertThat(config.clusterId()).isEqualTo("prod-eu-1");
        assertThat(config.watchedKinds()).extracting(WatchedKind::kind).containsExactly("Pod", "Deployment", "Secret");
        assertThat(config.watchedKinds().get(2).metadataOnly()).isTrue();
        assertThat(config.topics().resourceChanges().name()).isEqualTo("kp.resource-changes");
        assertThat(config.resyncPeriod()).isEqualTo(Duration.ofMinutes(30));
        assertThat(config.listPageSize()).isEqualTo(250);
        assertThat(config.leaderElection().enabled()).isTrue();
        assertThat(config.leaderElection().namespace()).isEqualTo("compliance");
        assertThat(config.leaderElection().leaseDuration()).isEqualTo(Duration.ofSeconds(20));
        assertThat(config.publisherConfig().clientId()).isEqualTo("kubeproof-resources-pod-1");
        assertThat(config.toString()).contains("security.protocol").doesNotContain("SSL");
        assertThat(config.health().port()).isEqualTo(9000);
    }

    @Test
    void shouldDefaultToEveryKnownKindAndSafeSettings() {
        // When
        ResourceCollectorConfig config = ConfigLoader.parse("""
                clusterId: c1
                kafka: {bootstrapServers: "kafka:9092", schemaRegistryUrl: "http://registry:8080"}
                """, "resources.yaml", ResourceCollectorConfig.class);

        // Then
        assertThat(config.watchedKinds()).extracting(WatchedKind::kind).containsExactly("Pod", "Deployment",
                "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Namespace", "NetworkPolicy",
                "ResourceQuota", "LimitRange", "ServiceAccount", "Role", "ClusterRole", "RoleBinding",
                "ClusterRoleBinding", "Service", "Ingress", "Node", "ConfigMap", "Secret", KindCatalog.VULNERABILITY_REPORT);
        assertThat(config.health().port()).isEqualTo(8080);
        assertThat(config.maxObjectBytes()).isEqualTo(900 * 1024);
        assertThat(config.resyncPeriod()).isEqualTo(Duration.ofHours(1));
        assertThat(config.listPageSize()).as("lists in pages of client-go's size").isEqualTo(500);
        assertThat(config.leaderElection().identity()).isNotBlank();
        assertThat(config.topics().resourceChanges().name()).isEqualTo("kubeproof.resource-changes");
    }

    @Test
    void shouldRejectAnUnknownKeyNamingIt() {
        assertThatThrownBy(() -> ConfigLoader.parse("""
                clusterId: c1
                kafka: {bootstrapServers: "kafka:9092", schemaRegistryUrl: "http://registry:8080"}
                leaderElection:
                  leaseDurationSeconds: 15
                """, "resources.yaml", ResourceCollectorConfig.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown key 'leaseDurationSeconds'")
                .hasMessageContaining("leaderElection");
    }

    @Test
    void shouldRejectAnUnknownKindNamingItsIndex() {
        assertThatThrownBy(() -> ConfigLoader.parse("""
                clusterId: c1
                kafka: {bootstrapServers: "kafka:9092", schemaRegistryUrl: "http://registry:8080"}
                kinds: [Pod, Podz]
                """, "resources.yaml", ResourceCollectorConfig.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kinds[1]: unknown kind 'Podz'")
                .hasMessageContaining("known kinds: Pod, Deployment");
    }

    @Test
    void shouldRejectInvalidValuesNamingTheKey() {
        assertThatThrownBy(() -> ResourceCollectorConfig.of(null, "kafka:9092", "http://registry:8080"))
                .hasMessageContaining("clusterId must be set");
        assertThatThrownBy(() -> ResourceCollectorConfig.of("prod/eu", "kafka:9092", "http://registry:8080"))
                .hasMessageContaining("clusterId 'prod/eu' must match");
        assertThatThrownBy(() -> ResourceCollectorConfig.of("c1", " ", "http://registry:8080"))
                .hasMessageContaining("kafka.bootstrapServers must be set");
        assertThatThrownBy(() -> ResourceCollectorConfig.of("c1", "kafka:9092", "http://registry:8080")
                .withHealthPort(70000)).hasMessageContaining("health.port must be 0..65535");
        assertThatThrownBy(() -> ResourceCollectorConfig.of("c1", "kafka:9092", "http://registry:8080")
                .withResyncPeriod(Duration.ofMillis(10))).hasMessageContaining("resyncPeriod");
        assertThatThrownBy(() -> ConfigLoader.parse("""
                clusterId: c1
                kafka: {bootstrapServers: "kafka:9092", schemaRegistryUrl: "http://registry:8080"}
                listPageSize: -1
                """, "resources.yaml", ResourceCollectorConfig.class))
                .hasMessageContaining("listPageSize must be 0 (one request per kind) or positive, was -1");
        assertThatThrownBy(() -> new ResourceCollectorConfig.LeaderElection(true, null, null, "a",
                Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(1)))
                .hasMessageContaining("leaderElection.renewDeadline (PT10S) must be shorter than"
                        + " leaderElection.leaseDuration (PT10S)");
        assertThatThrownBy(() -> ConfigLoader.parse("""
                clusterId: c1
                kafka:
                  bootstrapServers: kafka:9092
                  schemaRegistryUrl: http://registry:8080
                  properties:
                    acks: "1"
                """, "resources.yaml", ResourceCollectorConfig.class))
                .hasMessageContaining("kafka.properties.acks must be 'all'");
    }
}
