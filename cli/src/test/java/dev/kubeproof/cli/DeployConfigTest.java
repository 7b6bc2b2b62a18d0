package dev.kubeproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import dev.kubeproof.ingest.audit.AuditCollectorConfig;
import dev.kubeproof.runtime.ConfigLoader;
import dev.kubeproof.runtime.HealthConfig;
import dev.kubeproof.ingest.resources.ResourceCollectorConfig;
import dev.kubeproof.ingest.scans.ScanCollectorConfig;
import dev.kubeproof.sink.config.SinkConfig;
import dev.kubeproof.streams.EvidenceServiceConfig;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration the Kubernetes manifests ship is valid for the components that read it: the same config
 * records, unknown keys rejected, as at start-up. Secret files are mounted in the cluster; here they are stand-ins.
 */
class DeployConfigTest {
    private static final Pattern MOUNTED_FILE = Pattern.compile("/etc/kubeproof/[A-Za-z0-9_./-]+");

    @Test
    void shouldShipAConfigEveryComponentAccepts(@TempDir Path mounts) throws Exception {
        // Given the ConfigMap of deploy/kubernetes/base, with its mounted files stood in under a temp folder
        JsonNode configMap = new ObjectMapper(new YAMLFactory()).readTree(
                DeployManifestsTest.repoRoot().resolve("deploy/kubernetes/base/config.yaml").toFile());
        Map<String, String> files = new HashMap<>();
        for (var entry : (Iterable<Map.Entry<String, JsonNode>>) configMap.path("data")::fields) {
            files.put(entry.getKey(), standIn(entry.getValue().asText(), mounts));
        }

        // When each component's config record reads its file, Then it is accepted
        assertThat(ConfigLoader.parse(files.get("audit-collector.yaml"), "audit-collector.yaml", AuditCollectorConfig.class)
                .webhook().port()).isEqualTo(8443);
        assertThat(ConfigLoader.parse(files.get("scan-collector.yaml"), "scan-collector.yaml", ScanCollectorConfig.class)
                .http().port()).isEqualTo(8444);
        assertThat(ConfigLoader.parse(files.get("resource-collector.yaml"), "resource-collector.yaml",
                ResourceCollectorConfig.class).health().port()).isEqualTo(8080);
        assertThat(ConfigLoader.parse(files.get("streams.yaml"), "streams.yaml", EvidenceServiceConfig.class)
                .topicPrefix()).isEqualTo("kubeproof.");
        assertThat(ConfigLoader.parse(files.get("sink.yaml"), "sink.yaml", SinkConfig.class).elasticsearch().urls())
                .hasSize(1);
    }

    @Test
    void shouldProbeOnlyPathsAndPortsTheServicesServe(@TempDir Path mounts) throws Exception {
        // Given every Deployment of the base and the config file its container reads
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        Path base = DeployManifestsTest.repoRoot().resolve("deploy/kubernetes/base");
        JsonNode configMap = yaml.readTree(base.resolve("config.yaml").toFile());
        Map<String, Class<?>> records = Map.of("audit-collector.yaml", AuditCollectorConfig.class,
                "scan-collector.yaml", ScanCollectorConfig.class, "resource-collector.yaml", ResourceCollectorConfig.class,
                "streams.yaml", EvidenceServiceConfig.class, "sink.yaml", SinkConfig.class);
        int probes = 0;
        for (String manifest : List.of("audit-collector.yaml", "resource-collector.yaml", "scan-collector.yaml",
                "streams.yaml", "sink.yaml")) {
            for (JsonNode document : yaml.readValues(yaml.createParser(base.resolve(manifest).toFile()), JsonNode.class)
                    .readAll()) {
                if (!document.path("kind").asText().equals("Deployment")) {
                    continue;
                }
                JsonNode container = document.at("/spec/template/spec/containers/0");
                String configPath = null;
                for (JsonNode arg : container.path("args")) {
                    if (arg.asText().startsWith("/etc/kubeproof/config/")) {
                        configPath = arg.asText().substring("/etc/kubeproof/config/".length());
                    }
                }
                assertThat(records).as(manifest + " reads a known config").containsKey(configPath);
                Object config = ConfigLoader.parse(standIn(configMap.path("data").path(configPath).asText(), mounts),
                        configPath, records.get(configPath));
                int healthPort = ((HealthConfig) config.getClass().getMethod("health").invoke(config)).port();

                // When its probes are read, Then each asks a served path on the port the config serves health on
                for (String probe : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
                    JsonNode get = container.path(probe).path("httpGet");
                    if (get.isMissingNode()) {
                        continue;
                    }
                    probes++;
                    assertThat(get.path("path").asText()).as(manifest + " " + probe).isIn("/healthz", "/readyz");
                    String port = get.path("port").asText();
                    int number = port.matches("\\d+") ? Integer.parseInt(port) : -1;
                    for (JsonNode declared : container.path("ports")) {
                        if (declared.path("name").asText().equals(port)) {
                            number = declared.path("containerPort").asInt();
                        }
                    }
                    assertThat(number).as(manifest + " " + probe + " port").isEqualTo(healthPort);
                }
            }
        }
        assertThat(probes).isGreaterThanOrEqualTo(10);
    }

    /** Replaces every /etc/kubeproof/... path with an existing stand-in file below {@code mounts}. */
    private static String standIn(String text, Path mounts) throws Exception {
        Matcher matcher = MOUNTED_FILE.matcher(text);
        StringBuilder replaced = new StringBuilder();
        while (matcher.find()) {
            Path file = mounts.resolve(matcher.group().substring(1));
            Files.createDirectories(file.getParent());
            if (Files.exists(file)) {
                // already stood in
            } else if (file.getFileName().toString().endsWith(".pem")) {
                // a key is read when the config is: the stand-in must be a real one
                dev.kubeproof.contract.signing.Signing.keygen(file, file.resolveSibling(file.getFileName() + ".pub"));
            } else {
                Files.writeString(file, "stand-in\n");
            }
            matcher.appendReplacement(replaced, Matcher.quoteReplacement(file.toString()));
        }
        matcher.appendTail(replaced);
        return replaced.toString();
    }


    @Test
    void shouldShipLocalConfigsForRunningEveryServiceByHand() {
        // Given the configs the README's "Running the services yourself" uses
        Path local = DeployManifestsTest.repoRoot().resolve("deploy/local");
        Map<String, Class<?>> records = Map.of("audit-collector.yaml", AuditCollectorConfig.class,
                "scan-collector.yaml", ScanCollectorConfig.class, "resource-collector.yaml", ResourceCollectorConfig.class,
                "streams.yaml", EvidenceServiceConfig.class, "sink.yaml", SinkConfig.class);

        // When each is read by its record, Then it is accepted, and no two services share a health port
        java.util.Set<Integer> ports = new java.util.HashSet<>();
        records.forEach((file, type) -> {
            Object config = ConfigLoader.load(local.resolve(file), type);
            try {
                int port = ((HealthConfig) type.getMethod("health").invoke(config)).port();
                assertThat(ports.add(port)).as(file + " health port " + port).isTrue();
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        });
        assertThat(ports).hasSize(5);
    }
}
