package dev.kubeproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Collection;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code run --kubeconfig} prepares so that a real kube-apiserver can send it audit events. */
class AuditWebhookSetupTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void shouldWriteAKubeconfigWhoseCaTrustsTheReceiverAndWhoseTokenTheReceiverAccepts(@TempDir Path dir) throws Exception {
        // When the webhook is prepared for host kubeproof.example on port 9443
        AuditWebhookSetup setup = AuditWebhookSetup.prepare(dir, "kubeproof.example", 9443);

        // Then the apiserver's kubeconfig points at it, with the CA that signed its certificate and the token it accepts
        JsonNode kubeconfig = YAML.readTree(setup.kubeconfigFile().toFile());
        assertThat(kubeconfig.at("/clusters/0/cluster/server").asText()).isEqualTo("https://kubeproof.example:9443/audit");
        CertificateFactory x509 = CertificateFactory.getInstance("X.509");
        X509Certificate ca = (X509Certificate) x509.generateCertificate(new ByteArrayInputStream(
                Base64.getDecoder().decode(kubeconfig.at("/clusters/0/cluster/certificate-authority-data").asText())));
        X509Certificate server = (X509Certificate) x509.generateCertificates(Files.newInputStream(setup.certFile()))
                .iterator().next();
        server.verify(ca.getPublicKey());
        Collection<List<?>> names = server.getSubjectAlternativeNames();
        assertThat(names).anySatisfy(name -> assertThat(name.get(1)).isEqualTo("kubeproof.example"));
        String token = Files.readString(setup.tokenFile()).strip();
        assertThat(token).hasSize(64);
        assertThat(kubeconfig.at("/users/0/user/token").asText()).isEqualTo(token);
        assertThat(setup.webhookConfig().bearerTokenFile()).isEqualTo(setup.tokenFile());
        assertThat(setup.apiserverFlags(Path.of("policy.yaml")))
                .contains("--audit-webhook-config-file=" + setup.kubeconfigFile(), "--audit-policy-file=policy.yaml");
        // ... and the secrets are readable by their owner only
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(setup.tokenFile()))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(setup.keyFile()))).isEqualTo("rw-------");
    }

    @Test
    void shouldKeepCertificatesAndTokenAcrossRunsAndRenewThemForAnotherHost(@TempDir Path dir) throws Exception {
        // Given a prepared webhook
        AuditWebhookSetup first = AuditWebhookSetup.prepare(dir, "a.example", 8443);
        byte[] certificate = Files.readAllBytes(first.certFile());
        String token = Files.readString(first.tokenFile());

        // When it is prepared again for the same host, then for another
        AuditWebhookSetup again = AuditWebhookSetup.prepare(dir, "a.example", 8443);
        byte[] sameHost = Files.readAllBytes(again.certFile());
        AuditWebhookSetup moved = AuditWebhookSetup.prepare(dir, "b.example", 8443);

        // Then the apiserver's configuration stays valid until the host changes; the token stays
        assertThat(sameHost).isEqualTo(certificate);
        assertThat(Files.readAllBytes(moved.certFile())).isNotEqualTo(certificate);
        assertThat(Files.readString(moved.tokenFile())).isEqualTo(token);
    }
}
