package dev.kubeproof.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.cli.support.PipelineHarness;
import dev.kubeproof.contract.registry.ConfluentRestSchemaRegistryClient;
import dev.kubeproof.contract.registry.RegistryClientConfig;
import dev.kubeproof.contract.serde.AvroDeserializer;
import dev.kubeproof.demo.SampleApiServer;
import dev.kubeproof.demo.SampleCluster;
import dev.kubeproof.stack.ServerKind;
import dev.kubeproof.testkit.RealServers;
import dev.kubeproof.testkit.RealStack;

/**
 * {@code run --kubeconfig}: besides watching the cluster, it starts the audit webhook, and a kube-apiserver configured
 * with the kubeconfig it wrote (its server, CA and token) gets its events judged. The "cluster" is the sample served by
 * the mock API; the apiserver's POST is made here with exactly what that kubeconfig says.
 */
@RealStack({ServerKind.KAFKA, ServerKind.SCHEMA_REGISTRY, ServerKind.ELASTICSEARCH})
class RunWithKubeconfigIT {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void shouldReceiveTheApiserversAuditEventsThroughTheWebhookItConfigured(RealServers servers, @TempDir Path dir)
            throws Exception {
        // Given a cluster's API (the sample, served by the mock) and a kubeconfig for it
        String prefix = servers.uniqueName("kubeconfig");
        try (SampleApiServer api = SampleCluster.load().startApiServer()) {
            Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), String.join("\n", "apiVersion: v1", "kind: Config",
                    "clusters: [{name: c, cluster: {server: '" + api.url() + "'}}]",
                    "users: [{name: u, user: {token: t}}]",
                    "contexts: [{name: c, context: {cluster: c, user: u, namespace: default}}]",
                    "current-context: c", ""));

            // When the pipeline runs against it, as `run --kubeconfig` starts it
            try (LocalPipeline pipeline = new LocalPipeline(new LocalPipeline.Settings(servers.endpoints(), dir.resolve("pipeline"),
                    "kc", prefix + ".", prefix, Optional.of(kubeconfig), Optional.empty(), Optional.empty(), List.of()))) {
                pipeline.start();

                // ... and the apiserver posts an exec with what the written kubeconfig says
                Path written = dir.resolve("pipeline/audit-webhook/audit-webhook-kubeconfig.yaml");
                JsonNode config = YAML.readTree(written.toFile());
                URI server = URI.create(config.at("/clusters/0/cluster/server").asText());
                String token = config.at("/users/0/user/token").asText();
                SSLContext trusting = trusting(config.at("/clusters/0/cluster/certificate-authority-data").asText());
                String exec = "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Request\",\"auditID\":"
                        + "\"6f1d2c3b-0a9e-4f8d-b7c6-5e4d3c2b1a42\",\"stage\":\"ResponseStarted\",\"verb\":\"create\","
                        + "\"requestURI\":\"/api/v1/namespaces/web/pods/cms-0/exec?command=sh&container=cms\","
                        + "\"user\":{\"username\":\"oncall@example.com\"},\"sourceIPs\":[\"10.0.0.8\"],"
                        + "\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"web\",\"name\":\"cms-0\",\"subresource\":\"exec\"},"
                        + "\"responseStatus\":{\"code\":101},\"requestReceivedTimestamp\":\"" + Instant.now() + "\","
                        + "\"stageTimestamp\":\"" + Instant.now() + "\"}";
                HttpResponse<String> posted = HttpClient.newBuilder().sslContext(trusting).build().send(HttpRequest.newBuilder(
                                URI.create("https://127.0.0.1:" + server.getPort() + server.getPath()))
                        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\","
                                + "\"items\":[" + exec + "]}")).build(), HttpResponse.BodyHandlers.ofString());

                // Then the webhook accepted it, and the exec is evidence naming who ran it
                assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
                assertThat(server.getScheme()).isEqualTo("https");
                assertThat(Files.readString(dir.resolve("pipeline/audit-webhook/token")).strip()).isEqualTo(token);
                try (PipelineHarness.Tail<EvidenceRecord> evidence = new PipelineHarness.Tail<>(servers,
                        pipeline.topics().evidence().name(), new AvroDeserializer<>(new ConfluentRestSchemaRegistryClient(
                        RegistryClientConfig.of(servers.schemaRegistryUrl())), EvidenceRecord.class))) {
                    await("the exec judged").atMost(Duration.ofSeconds(120)).until(() -> evidence.records().stream()
                            .map(ConsumerRecord::value).anyMatch(r -> r.getControlId().equals("KP-RUN-001")
                                    && "oncall@example.com".equals(r.getActor())
                                    && r.getResource().getClusterId().equals("kc")));
                }
            }
        }
    }

    private static SSLContext trusting(String caData) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(caData))));
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
