package dev.kubeproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import dev.kubeproof.ingest.audit.AuditCollectorConfig;
import dev.kubeproof.runtime.ConfigLoader;
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
                ResourceCollectorConfig.class).healthPort()).isEqualTo(8080);
        assertThat(EvidenceServiceConfig.fromMap(properties(files.get("streams.properties"))).topicPrefix())
                .isEqualTo("kubeproof.");
        assertThat(SinkConfig.from(properties(files.get("sink.properties"))).elasticsearch().urls()).hasSize(1);
    }

    /** Replaces every /etc/kubeproof/... path with an existing stand-in file below {@code mounts}. */
    private static String standIn(String text, Path mounts) throws Exception {
        Matcher matcher = MOUNTED_FILE.matcher(text);
        StringBuilder replaced = new StringBuilder();
        while (matcher.find()) {
            Path file = mounts.resolve(matcher.group().substring(1));
            Files.createDirectories(file.getParent());
            if (!Files.exists(file)) {
                Files.writeString(file, "stand-in\n");
            }
            matcher.appendReplacement(replaced, Matcher.quoteReplacement(file.toString()));
        }
        matcher.appendTail(replaced);
        return replaced.toString();
    }

    private static Map<String, String> properties(String text) throws Exception {
        Properties properties = new Properties();
        properties.load(new StringReader(text));
        Map<String, String> map = new HashMap<>();
        properties.stringPropertyNames().forEach(name -> map.put(name, properties.getProperty(name)));
        return map;
    }
}
