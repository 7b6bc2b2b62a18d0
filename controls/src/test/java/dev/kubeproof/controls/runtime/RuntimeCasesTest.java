package dev.kubeproof.controls.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.controls.ControlEngine;
import dev.kubeproof.controls.ControlSettings;
import dev.kubeproof.ingest.audit.AuditEventParser;
import dev.kubeproof.ingest.audit.AuditRedactor;
import dev.kubeproof.ingest.audit.RedactionConfig;

/**
 * Every fixture case under {@code runtime-cases/<CONTROL-ID>/}: a native audit event (as the API server writes it,
 * read by the collector's parser), optional {@code settings} overrides, and for a {@code detect*} case what the
 * control must report (subject, message, attempt); a {@code silent*} case must report nothing for that control. The
 * two stateful runtime controls (denial bursts, a silent audit stream) are specified in the streams module.
 */
class RuntimeCasesTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> STATEFUL = Set.of(AuditRules.DENIAL_BURST, AuditRules.AUDIT_SILENCE);

    record Case(String controlId, String file, JsonNode content) {
        boolean detects() {
            return file.startsWith("detect");
        }

        @Override
        public String toString() {
            return controlId + "/" + file;
        }
    }

    static Stream<Case> cases() throws IOException, URISyntaxException {
        Path root = Path.of(RuntimeCasesTest.class.getResource("/runtime-cases").toURI());
        List<Case> cases = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.sorted().toList()) {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path file : files.sorted().toList()) {
                        cases.add(new Case(dir.getFileName().toString(), file.getFileName().toString(),
                                YAML.readTree(file.toFile())));
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldReportWhatEachCaseExpects(Case c) {
        // Given the case's settings and its event as the collector publishes it
        ControlSettings settings = c.content().has("settings")
                ? ControlSettings.defaults().with(c.content().get("settings")) : ControlSettings.defaults();
        AuditRules rules = ControlEngine.load(settings).auditRules();
        AuditEvent event = new AuditEventParser("test", new AuditRedactor(RedactionConfig.none(), JSON), JSON)
                .parse(JSON.valueToTree(c.content().get("event")), "test").event();

        // When the runtime controls judge it (at its stage)
        List<Detection> found = AuditRules.judged(event) ? rules.evaluate(event).stream()
                .filter(d -> d.controlId().equals(c.controlId())).toList() : List.of();

        // Then a detect case finds exactly what it says, and a silent case nothing
        if (!c.detects()) {
            assertThat(found).as(c.toString()).isEmpty();
            return;
        }
        JsonNode expect = c.content().path("expect");
        assertThat(found).as(c.toString()).singleElement().satisfies(d -> {
            assertThat(d.subject().kind() + " " + (d.subject().namespace() == null ? "" : d.subject().namespace() + "/")
                    + d.subject().name()).isEqualTo(expect.path("subject").asText());
            assertThat(d.message()).isEqualTo(expect.path("message").asText());
            assertThat(d.attempt()).isEqualTo(expect.path("attempt").asBoolean(false));
            assertThat(d.findings()).isNotEmpty();
        });
    }

    @Test
    void shouldHaveADetectAndASilentCaseForEveryStatelessRuntimeControl() throws Exception {
        Set<String> detect = new TreeSet<>();
        Set<String> silent = new TreeSet<>();
        cases().forEach(c -> (c.detects() ? detect : silent).add(c.controlId()));
        Set<String> stateless = new TreeSet<>(AuditRules.CONTROL_IDS);
        stateless.removeAll(STATEFUL);
        assertThat(detect).isEqualTo(stateless);
        assertThat(silent).isEqualTo(stateless);
    }
}
