package dev.kubeproof.controls.pss;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

class PssCommandTest {

    /** A namespace enforcing restricted at v1.33, a compliant Deployment, and a Pod with a host probe and NET_RAW. */
    private static final String MANIFESTS = """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: shop
              labels: {pod-security.kubernetes.io/enforce: restricted, pod-security.kubernetes.io/enforce-version: v1.33}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: shop}
            spec:
              template:
                spec:
                  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
                  containers:
                  - name: app
                    image: ghcr.io/acme/web:1
                    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: probe, namespace: shop}
            spec:
              securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
              containers:
              - name: app
                image: ghcr.io/acme/web:1
                livenessProbe: {httpGet: {host: 10.0.0.1, port: 80}}
                securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL], add: [NET_RAW]}}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: elsewhere, namespace: other}
            spec:
              containers: [{name: app, image: ghcr.io/acme/web:1}]
            """;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine command = new CommandLine(new PssCommand()
                .withStdin(new ByteArrayInputStream(MANIFESTS.getBytes(StandardCharsets.UTF_8))));
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        return command.execute(args);
    }

    @Test
    void shouldJudgeEachWorkloadByItsNamespaceLabelsAsAdmissionWould() {
        // When the manifests are judged by their namespaces' labels
        int exit = run("-");

        // Then the compliant Deployment is allowed and the Pod forbidden by restricted:v1.33 for NET_RAW only (host
        // probes are checked from v1.34); the namespace not in the input is not judged, and says what to give
        assertThat(exit).as(err.toString()).isEqualTo(1);
        assertThat(out.toString())
                .contains("ALLOWED   restricted:v1.33  Deployment shop/web  (namespace shop enforces restricted:v1.33)")
                .contains("FORBIDDEN restricted:v1.33  Pod shop/probe")
                .contains("restricted Capabilities (KP-PSS-018):")
                .contains("container \"app\" must not include \"NET_RAW\" in securityContext.capabilities.add (only NET_BIND_SERVICE)  [spec.containers[0].securityContext.capabilities.add[0]]")
                .doesNotContain("Host Probes")
                .contains("NO LEVEL                    Pod other/elsewhere  (namespace other is not among the manifests; give --level)")
                .contains("3 workloads: 1 allowed, 1 forbidden, 1 without a level to judge by");
    }

    @Test
    void shouldJudgeAtTheGivenLevelAndVersionInJson() throws Exception {
        // When every workload is judged at baseline, latest
        int exit = run("--level", "baseline", "--version", "latest", "--format", "json", "-");

        // Then the Pod is forbidden at baseline by its host probe and NET_RAW, and the others are allowed
        assertThat(exit).isEqualTo(1);
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertThat(json).hasSize(3);
        assertThat(json.get(1).path("policy").asText()).isEqualTo("baseline:v1.35");
        assertThat(json.get(1).path("violations")).extracting(v -> v.path("check").asText())
                .containsExactly("capabilities_baseline", "hostProbesAndHostLifecycle");
        assertThat(json.get(0).path("allowed").asBoolean()).isTrue();
        assertThat(json.get(2).path("allowed").asBoolean()).as("baseline allows an unhardened pod").isTrue();
    }

    @Test
    void shouldPrintItsHelp() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("Usage: pss").contains("--version=VERSION").contains("-h, --help");
    }

    @Test
    void shouldRefuseAnUnknownLevelOrVersion() {
        assertThat(run("--level", "privileged", "-")).isEqualTo(2);
        assertThat(err.toString()).contains("kubeproof pss: Pod Security Standards level 'privileged' is not one of baseline, restricted");
        assertThat(run("--version", "v1.20", "-")).isEqualTo(2);
        assertThat(err.toString()).contains("older than v1.23");
    }
}
