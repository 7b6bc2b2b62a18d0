package dev.kubeproof.siem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kubeproof.avro.ControlSeverity;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;

import org.junit.jupiter.api.Test;

class ViolationFormatsTest {

    @Test
    void shouldSelectTheFormatByItsConfiguredName() {
        // When the formats are asked for by name, in any case
        ViolationFormatter ecs = ViolationFormats.named("ecs");
        ViolationFormatter ocsf = ViolationFormats.named(" OCSF ");
        // Then each is the named format
        assertThat(ecs).isInstanceOf(EcsViolationFormatter.class);
        assertThat(ecs.name()).isEqualTo("ecs");
        assertThat(ocsf).isInstanceOf(OcsfComplianceFindingFormatter.class);
        assertThat(ocsf.name()).isEqualTo("ocsf");
    }

    @Test
    void shouldRejectAnUnknownFormatNamingTheChoices() {
        assertThatThrownBy(() -> ViolationFormats.named("cef"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'cef'").hasMessageContaining("ecs").hasMessageContaining("ocsf");
    }

    @Test
    void shouldOutputOnlyTransitionsAtOrAboveTheMinimumSeverity() {
        // Given an OCSF output for HIGH and above
        ViolationOutput output = ViolationOutput.of("ocsf", "high", ControlCatalog.empty());
        EvidenceRecord high = SampleEvidence.privilegedPodFails().build();
        EvidenceRecord critical = SampleEvidence.vulnerableImage();
        EvidenceRecord medium = SampleEvidence.privilegedPodFails().setSeverity(ControlSeverity.MEDIUM).build();
        // Then HIGH and CRITICAL yield documents and MEDIUM none
        assertThat(output.format(high)).hasValueSatisfying(json -> assertThat(json).contains("\"class_uid\":2003"));
        assertThat(output.format(critical)).isPresent();
        assertThat(output.format(medium)).isEmpty();
    }

    @Test
    void shouldOutputEverySeverityByDefaultAndRejectAnUnknownMinimum() {
        EvidenceRecord info = SampleEvidence.firstEvaluationClusterScoped();
        assertThat(ViolationOutput.of("ecs").format(info)).isPresent();
        assertThat(ViolationOutput.of("ecs", null, ControlCatalog.empty()).minimumSeverity()).isEqualTo(ControlSeverity.INFO);
        assertThatThrownBy(() -> ViolationOutput.of("ecs", "severe", ControlCatalog.empty()))
                .hasMessageContaining("'severe'").hasMessageContaining("critical, high, medium, low, info");
    }

    @Test
    void shouldTellViolationTransitionsAndRemediations() {
        EvidenceRecord failing = SampleEvidence.privilegedPodFails().build();
        EvidenceRecord passing = SampleEvidence.privilegedPodFails().setStatus(EvidenceStatus.PASS)
                .setPreviousStatus(EvidenceStatus.NOT_APPLICABLE).build();
        assertThat(Transitions.isViolationTransition(failing)).isTrue();
        assertThat(Transitions.isViolationTransition(SampleEvidence.remediated())).isTrue();
        assertThat(Transitions.isViolationTransition(passing)).isFalse();
        assertThat(Transitions.isRemediation(SampleEvidence.remediated())).isTrue();
        assertThat(Transitions.isRemediation(SampleEvidence.deleted())).isTrue();
        assertThat(Transitions.isRemediation(SampleEvidence.exempted())).isFalse();
        assertThat(Transitions.isRemediation(failing)).isFalse();
    }

    @Test
    void shouldRejectATwiceListedControlInTheCatalog() {
        assertThatThrownBy(() -> ControlCatalog.of(java.util.List.of(SampleEvidence.catalogEntry(), SampleEvidence.catalogEntry())))
                .hasMessageContaining("KP-POD-001");
    }
}
