package dev.kubeproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsConfigTest {

    @Test
    void shouldBuildAServerContextFromPemFiles(@TempDir Path dir) {
        // Given
        TestCertificates certificates = TestCertificates.generate(dir);

        // When
        SSLContext context = certificates.serverTls().serverContext();

        // Then
        assertThat(context.getProtocol()).isEqualTo("TLS");
        assertThat(certificates.serverTls().verifiesClientCertificates()).isTrue();
        assertThat(certificates.serverTlsWithoutClientCa().verifiesClientCertificates()).isFalse();
    }

    @Test
    void shouldNameTheMissingFile(@TempDir Path dir) {
        assertThatThrownBy(() -> new TlsConfig(dir.resolve("nope.crt"), dir.resolve("nope.key"), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tls.certFile").hasMessageContaining("nope.crt");
    }

    @Test
    void shouldRejectAKeyFileWithoutAKey(@TempDir Path dir) {
        // Given: the CA certificate given as the key
        TestCertificates certificates = TestCertificates.generate(dir);
        TlsConfig wrong = new TlsConfig(dir.resolve("server.crt"), certificates.caFile(), null);

        // Then
        assertThatThrownBy(wrong::serverContext).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no private key");
    }
}
