package dev.kubeproof.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kubeproof.avro.ChangeType;
import dev.kubeproof.controls.ControlEngine;
import dev.kubeproof.controls.exceptions.ExceptionRule;
import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.siem.ControlCatalog;
import dev.kubeproof.siem.ViolationFeed;
import dev.kubeproof.siem.ViolationOutput;
import dev.kubeproof.streams.support.Resources;
import dev.kubeproof.streams.support.TopologyHarness;

/**
 * One deployment, two SIEMs: every violation in ECS on the catalog's topic, and only HIGH and CRITICAL ones in
 * OCSF on another; a transition caused by an exception carries it.
 */
class ViolationFeedsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SOC_TOPIC = "soc.kubeproof-findings";
    private static final Instant T1 = Instant.parse("2026-03-01T10:00:00Z");

    @TempDir
    Path stateDir;

    private TopologyHarness topology;

    @AfterEach
    void close() {
        topology.close();
    }

    @Test
    void shouldFeedEachSiemItsFormatAndSeveritiesAndCarryTheExceptionThatCausedATransition() throws Exception {
        // Given two feeds
        ControlEngine engine = ControlEngine.withDefaults();
        ControlCatalog catalog = ControlCatalog.of(engine);
        topology = new TopologyHarness(stateDir, engine, List.of(
                new ViolationFeed(TopicCatalog.defaults().violations().name(), ViolationOutput.of("ecs", null, catalog)),
                new ViolationFeed(SOC_TOPIC, ViolationOutput.of("ocsf", "high", catalog))), Optional.empty());
        TestOutputTopic<String, String> soc = topology.textTopic(SOC_TOPIC);

        // When a privileged pod (critical, and several medium and low failures) appears, then is exempted
        topology.pipe(Resources.change("prod", ChangeType.ADDED,
                Resources.pod("tools", "debug", "uid-debug", true, "nginx:1.27"), "1", T1));
        topology.exception("ex-debug", new ExceptionRule("ex-debug", Set.of("KP-POD-001"), null, "tools", "Pod",
                Set.of("debug"), Map.of(), "incident INC-9", null, null, "security-lead", "alice", TopologyHarness.NOW,
                TopologyHarness.NOW.plus(Duration.ofDays(7)), false).toRecord(TopologyHarness.NOW));

        // Then the ECS feed has every failure, the OCSF feed only HIGH and CRITICAL ones
        List<JsonNode> ecs = read(topology.violations.readValuesToList());
        List<JsonNode> ocsf = read(soc.readValuesToList());
        assertThat(ecs).hasSizeGreaterThan(ocsf.size());
        assertThat(ecs).anySatisfy(doc -> assertThat(doc.at("/event/severity").asInt()).isLessThan(73));
        assertThat(ocsf).isNotEmpty().allSatisfy(doc -> {
            assertThat(doc.at("/class_uid").asInt()).as("OCSF Compliance Finding").isEqualTo(2003);
            assertThat(doc.at("/severity_id").asInt()).as("High or Critical").isGreaterThanOrEqualTo(4);
        });
        // And the transition out of FAIL into EXEMPT names the exception, in both formats
        assertThat(ecs).filteredOn(doc -> doc.at("/kubeproof/status").asText().equals("EXEMPT")).singleElement()
                .satisfies(doc -> {
                    assertThat(doc.at("/kubeproof/exception/id").asText()).isEqualTo("ex-debug");
                    assertThat(doc.at("/kubeproof/cause/exception_id").asText()).isEqualTo("ex-debug");
                });
        assertThat(ocsf).filteredOn(doc -> doc.at("/unmapped/kubeproof/status").asText().equals("EXEMPT")).singleElement()
                .satisfies(doc -> assertThat(doc.at("/unmapped/kubeproof/exception/approved_by").asText())
                        .isEqualTo("security-lead"));
    }

    private static List<JsonNode> read(List<String> documents) throws Exception {
        List<JsonNode> nodes = new java.util.ArrayList<>();
        for (String document : documents) {
            nodes.add(JSON.readTree(document));
        }
        return nodes;
    }
}
