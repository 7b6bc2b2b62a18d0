package dev.kubeproof.ingest.scans;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.kubeproof.avro.ScannerFinding;
import dev.kubeproof.runtime.InvalidInputException;

class TrivyMisconfigurationsTest {
    private static final Instant READ_AT = Instant.parse("2026-11-30T09:00:00Z");

    /** The shape `trivy k8s --format json --report all` writes, with a secret result that must never be kept. */
    private static final String REPORT = """
            {"ClusterName": "kind-prod", "Resources": [
              {"Namespace": "shop", "Kind": "Deployment", "Name": "web", "Results": [
                {"Target": "Deployment/web", "Class": "config", "Type": "kubernetes", "Misconfigurations": [
                  {"Type": "Kubernetes Security Check", "ID": "KSV017", "AVDID": "AVD-KSV-0017",
                   "Title": "Privileged container", "Message": "Container 'web' should set 'securityContext.privileged' to false",
                   "Resolution": "Change 'containers[].securityContext.privileged' to 'false'.", "Severity": "HIGH",
                   "PrimaryURL": "https://avd.aquasec.com/misconfig/ksv017", "Status": "FAIL"},
                  {"ID": "KSV008", "Title": "Access to host IPC namespace", "Severity": "HIGH", "Status": "PASS"}]},
                {"Target": "Deployment/web", "Class": "secret", "Secrets": [
                  {"RuleID": "aws-access-key-id", "Match": "AWS_ACCESS_KEY_ID=AKIA****************"}]}]},
              {"Namespace": "", "Kind": "ClusterRole", "Name": "ops", "Results": [
                {"Class": "config", "Misconfigurations": [{"ID": "KSV044", "Title": "No wildcard verb and resource roles",
                  "Severity": "critical", "Status": "FAIL"}]}]},
              {"Kind": "", "Name": "", "Results": [{"Class": "config", "Misconfigurations": [{"ID": "KCV0001"}]}]}]}
            """;

    @Test
    void shouldKeepEveryConfigurationResultOfAClusterReportAndNoSecret() {
        // When the report is read
        List<ScannerFinding> findings = TrivyMisconfigurations.ofClusterReport(json(REPORT), null, "http",
                READ_AT);

        // Then each configuration check on a resource is a finding, passed or not, and the secret result is not read
        assertThat(findings).extracting(f -> f.getFindingId() + " " + f.getSeverity() + " " + f.getPassed())
                .containsExactly("kind-prod/Deployment/shop/web/KSV017 HIGH false",
                        "kind-prod/Deployment/shop/web/KSV008 HIGH true",
                        "kind-prod/ClusterRole//ops/KSV044 CRITICAL false");
        assertThat(findings.get(0).getMessages()).containsExactly("Container 'web' should set 'securityContext.privileged' to false");
        assertThat(findings.get(0).getResolution()).startsWith("Change");
        assertThat(findings.get(2).getNamespace()).isNull();
        assertThat(findings).allSatisfy(f -> {
            assertThat(f.getScanner()).isEqualTo("trivy");
            assertThat(f.getReportedAt()).isEqualTo(READ_AT);
            assertThat(f.toString()).doesNotContain("AKIA");
        });
    }

    @Test
    void shouldReadTheOlderMisconfigurationsListAndRefuseAResultWithoutACheckId() {
        // Given the older shape, and one result without its ID
        String older = "{\"ClusterName\": \"c\", \"Misconfigurations\": [{\"Namespace\": \"a\", \"Kind\": \"Pod\","
                + " \"Name\": \"p\", \"Results\": [{\"Class\": \"config\", \"Misconfigurations\": [{\"ID\": \"KSV012\","
                + " \"Status\": \"FAIL\"}]}]}]}";
        String broken = older.replace("\"ID\": \"KSV012\", ", "");

        // Then the first is read under the given cluster, the second refused naming the field
        assertThat(TrivyMisconfigurations.ofClusterReport(json(older), "prod", "http", READ_AT))
                .extracting(ScannerFinding::getFindingId).containsExactly("prod/Pod/a/p/KSV012");
        assertThatThrownBy(() -> TrivyMisconfigurations.ofClusterReport(json(broken), "prod", "http", READ_AT))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("Misconfigurations[0].Misconfigurations[].ID");
    }

    private static com.fasterxml.jackson.databind.JsonNode json(String text) {
        try {
            return ScanJson.mapper().readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
