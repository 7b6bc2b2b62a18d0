package dev.kubeproof.ingest.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class AuditRedactorTest {
    private final AuditHarness harness = new AuditHarness();
    private final AuditRedactor redactor = harness.redactor;
    private final String secretLine = AuditFixtures.events(AuditFixtures.trace("create_secret.json")).get(0);
    private final String secret = AuditFixtures.secretValue();

    private String clean(String raw) {
        return new String(redactor.cleanForDeadLetter(raw.getBytes(StandardCharsets.UTF_8)).bytes(), StandardCharsets.UTF_8);
    }

    @Test
    void shouldRemoveSecretBodiesFromParseableDeadLetters() {
        // Given: a Secret event that is bad for another reason (unknown stage)
        String bad = secretLine.replace("\"ResponseComplete\"", "\"Done\"");

        // When
        AuditRedactor.CleanPayload payload = redactor.cleanForDeadLetter(bad.getBytes(StandardCharsets.UTF_8));

        // Then
        String text = new String(payload.bytes(), StandardCharsets.UTF_8);
        assertThat(text).doesNotContain(secret).contains("\"stage\":\"Done\"").contains("sysdig-agent");
        assertThat(payload.note()).contains("2 sensitive part(s) removed");
    }

    @Test
    void shouldKeepBodiesOfHarmlessDeadLetters() {
        // Given
        String configMap = AuditFixtures.events(AuditFixtures.trace("create_configmap_no_sensitive_values.json")).get(0);
        String bad = configMap.replace("\"RequestResponse\"", "\"Verbose\"");

        // Then
        assertThat(clean(bad)).contains("ui.properties");
    }

    @Test
    void shouldCutUnparseableInputAtTheErrorAndSkipBodies() {
        // Given: every way of cutting the Secret line in two
        for (int cut = 1; cut < secretLine.length(); cut += 7) {
            // When
            String cleaned = clean(secretLine.substring(0, cut));

            // Then
            assertThat(cleaned).as("cut at %d", cut).doesNotContain(secret);
        }
        assertThat(clean(secretLine.substring(0, 200))).startsWith("{\"kind\":\"Event\"");
    }

    @Test
    void shouldWithholdInputThatIsNotJson() {
        // Given: the line cut at the front, so that it starts inside the Secret's data
        String front = secretLine.substring(secretLine.indexOf(secret) - 5);

        // When
        AuditRedactor.CleanPayload payload = redactor.cleanForDeadLetter(front.getBytes(StandardCharsets.UTF_8));

        // Then
        assertThat(payload.bytes()).isEmpty();
        assertThat(payload.note()).contains("withheld");
    }

    @Test
    void shouldScrubSecretObjectsNestedAnywhere() {
        // Given
        String list = "{\"items\":[{\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\"},\"data\":{\"k\":\"" + secret + "\"}}]}";

        // Then
        assertThat(clean(list)).doesNotContain(secret).contains("\"name\":\"s\"");
    }
}
