package dev.kubeproof.siem;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.Test;

/** The README's examples are what the formatters really produce, and they validate against the schemas. */
class ReadmeExamplesTest {
    private static final ControlCatalog CATALOG = ControlCatalog.of(List.of(SampleEvidence.catalogEntry()));

    @Test
    void shouldDocumentTheEcsExampleExactlyAsFormatted() throws IOException {
        // Given the README's ECS example
        String example = example("ecs");
        // When the same transition is formatted
        JsonNode formatted = new EcsViolationFormatter(CATALOG, EcsViolationFormatter.VIOLATIONS_DATASET,
                EcsViolationFormatter.DEFAULT_RULE_REFERENCE_BASE).toJson(SampleEvidence.privilegedPodFails().build());
        // Then the example is that document, and valid
        // (compared as parsed text: the tree built in memory holds ints where parsing yields the same numbers as longs)
        assertThat(SchemaValidation.tree(example)).isEqualTo(SchemaValidation.tree(formatted.toString()));
        assertThat(SchemaValidation.validate(SchemaValidation.load("ecs-violation.schema.json"), example)).isEmpty();
    }

    @Test
    void shouldDocumentTheOcsfExampleExactlyAsFormattedApartFromTheProductVersion() throws IOException {
        String example = example("ocsf");
        ObjectNode formatted = new OcsfComplianceFindingFormatter(CATALOG).toJson(SampleEvidence.privilegedPodFails().build());
        ObjectNode documented = (ObjectNode) SchemaValidation.tree(example);
        // the product version is the build's own; compare the rest
        ((ObjectNode) documented.at("/metadata/product")).remove("version");
        ((ObjectNode) formatted.at("/metadata/product")).remove("version");
        assertThat(documented).isEqualTo(SchemaValidation.tree(formatted.toString()));
        assertThat(SchemaValidation.validate(SchemaValidation.load("ocsf-compliance-finding.schema.json"), example)).isEmpty();
    }

    private static String example(String name) throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        Matcher matcher = Pattern.compile("<!-- example:" + name + " -->\\s*```json\\n(.*?)\\n```", Pattern.DOTALL)
                .matcher(readme);
        assertThat(matcher.find()).as("README.md has an example:" + name + " block").isTrue();
        return matcher.group(1);
    }
}
