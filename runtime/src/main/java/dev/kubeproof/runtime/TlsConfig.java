package dev.kubeproof.runtime;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * TLS of a collector's HTTPS listener, from PEM files as Kubernetes tooling writes them (cert-manager,
 * kubeadm): the server certificate chain, its private key (PKCS#1, PKCS#8 or EC, unencrypted), and optionally the
 * CA bundle that signs the client certificates the listener accepts (mTLS).
 *
 * @param certFile     PEM server certificate chain, leaf first
 * @param keyFile      PEM private key of the leaf
 * @param clientCaFile PEM CA bundle for client certificates; null when the listener accepts no client certificates
 */
public record TlsConfig(
        @JsonPropertyDescription("PEM server certificate chain, leaf first.")
        Path certFile,
        @JsonPropertyDescription("PEM private key of the leaf.")
        Path keyFile,
        @JsonPropertyDescription("PEM CA bundle for client certificates; null when the listener accepts no client certificates.")
        Path clientCaFile) {

    public TlsConfig {
        requireReadable(certFile, "tls.certFile");
        requireReadable(keyFile, "tls.keyFile");
        if (clientCaFile != null) {
            requireReadable(clientCaFile, "tls.clientCaFile");
        }
    }

    /** Whether client certificates are requested and verified. */
    public boolean verifiesClientCertificates() {
        return clientCaFile != null;
    }

    /** A server SSL context: our key and chain, and (if configured) trust in the client CA only. */
    public SSLContext serverContext() {
        try {
            List<X509Certificate> chain = readCertificates(certFile);
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("tls.certFile " + certFile + " holds no certificate");
            }
            PrivateKey key = readPrivateKey(keyFile);
            char[] password = new char[0];
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry("server", key, password, chain.toArray(new Certificate[0]));
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(keyStore, password);

            TrustManagerFactory trust = null;
            if (clientCaFile != null) {
                List<X509Certificate> cas = readCertificates(clientCaFile);
                if (cas.isEmpty()) {
                    throw new IllegalArgumentException("tls.clientCaFile " + clientCaFile + " holds no certificate");
                }
                KeyStore trustStore = KeyStore.getInstance("PKCS12");
                trustStore.load(null, null);
                for (int i = 0; i < cas.size(); i++) {
                    trustStore.setCertificateEntry("client-ca-" + i, cas.get(i));
                }
                trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(trustStore);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot set up TLS from " + certFile + " and " + keyFile + ": " + e.getMessage(), e);
        }
    }

    static List<X509Certificate> readCertificates(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            return certificates.stream().map(X509Certificate.class::cast).toList();
        }
    }

    static PrivateKey readPrivateKey(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file); PEMParser parser = new PEMParser(reader)) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                if (object instanceof PEMKeyPair pair) {
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (object instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (object instanceof PEMEncryptedKeyPair) {
                    throw new IllegalArgumentException("tls.keyFile " + file + " is encrypted; give an unencrypted key"
                            + " (mounted from a Secret)");
                }
            }
        }
        throw new IllegalArgumentException("tls.keyFile " + file + " holds no private key");
    }

    private static void requireReadable(Path file, String key) {
        if (file == null) {
            throw new IllegalArgumentException(key + " must be set");
        }
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException(key + " " + file + " does not exist or is not readable");
        }
    }
}
