package dev.kubeproof.runtime;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made at test time (nothing secret is checked in): a CA, a server certificate for
 * 127.0.0.1/localhost and a client certificate signed by it, and a client certificate from an unrelated CA.
 * Written as PEM files, the way a collector reads them in production.
 */
public final class TestCertificates {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final Path dir;
    private final KeyPair caKeys;
    private final X509Certificate ca;
    private final KeyPair clientKeys;
    private final X509Certificate client;
    private final KeyPair rogueKeys;
    private final X509Certificate rogue;

    private TestCertificates(Path dir) throws Exception {
        this.dir = dir;
        caKeys = keyPair();
        ca = certificate("CN=kubeproof test CA", caKeys, "CN=kubeproof test CA", caKeys.getPrivate(), true, null, null);
        KeyPair serverKeys = keyPair();
        X509Certificate server = certificate("CN=127.0.0.1", serverKeys, "CN=kubeproof test CA", caKeys.getPrivate(), false,
                KeyPurposeId.id_kp_serverAuth, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                        new GeneralName(GeneralName.dNSName, "localhost")}));
        clientKeys = keyPair();
        client = certificate("CN=kube-apiserver,O=system:masters", clientKeys, "CN=kubeproof test CA", caKeys.getPrivate(),
                false, KeyPurposeId.id_kp_clientAuth, null);
        rogueKeys = keyPair();
        KeyPair rogueCa = keyPair();
        rogue = certificate("CN=kube-apiserver", rogueKeys, "CN=someone else's CA", rogueCa.getPrivate(), false,
                KeyPurposeId.id_kp_clientAuth, null);
        writePem(dir.resolve("ca.crt"), ca);
        writePem(dir.resolve("server.crt"), server, ca);
        writePem(dir.resolve("server.key"), new JcaPKCS8Generator(serverKeys.getPrivate(), null).generate());
    }

    /** Generates everything into {@code dir}. */
    public static TestCertificates generate(Path dir) {
        try {
            Files.createDirectories(dir);
            return new TestCertificates(dir);
        } catch (Exception e) {
            throw new IllegalStateException("cannot generate test certificates: " + e, e);
        }
    }

    /** The server's TLS config: server cert and key, and the CA as the client CA (mTLS). */
    public TlsConfig serverTls() {
        return new TlsConfig(dir.resolve("server.crt"), dir.resolve("server.key"), dir.resolve("ca.crt"));
    }

    /** The same without client certificate verification. */
    public TlsConfig serverTlsWithoutClientCa() {
        return new TlsConfig(dir.resolve("server.crt"), dir.resolve("server.key"), null);
    }

    public Path caFile() {
        return dir.resolve("ca.crt");
    }

    /** A client context that trusts the CA and presents no certificate. */
    public SSLContext clientWithoutCertificate() {
        return context(null, null);
    }

    /** A client context that presents the client certificate signed by the CA. */
    public SSLContext clientWithCertificate() {
        return context(clientKeys.getPrivate(), client);
    }

    /** A client context that presents a certificate from a CA the server does not trust. */
    public SSLContext clientWithUntrustedCertificate() {
        return context(rogueKeys.getPrivate(), rogue);
    }

    private SSLContext context(PrivateKey key, X509Certificate certificate) {
        try {
            char[] password = "changeit".toCharArray();
            KeyManagerFactory keys = null;
            if (key != null) {
                KeyStore keyStore = KeyStore.getInstance("PKCS12");
                keyStore.load(null, null);
                keyStore.setKeyEntry("client", key, password, new Certificate[] {certificate});
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(keyStore, password);
            }
            KeyStore trustStore = KeyStore.getInstance("PKCS12");
            trustStore.load(null, null);
            trustStore.setCertificateEntry("ca", ca);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trustStore);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), new SecureRandom());
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static X509Certificate certificate(String subject, KeyPair keys, String issuer, PrivateKey issuerKey,
                                               boolean isCa, KeyPurposeId purpose, GeneralNames names)
            throws IOException, OperatorCreationException, GeneralSecurityException {
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name(issuer),
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(2))), new X500Name(subject), keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(isCa
                ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        if (purpose != null) {
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
        }
        if (names != null) {
            builder.addExtension(Extension.subjectAlternativeName, false, names);
        }
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    }

    private static void writePem(Path file, Object... objects) throws IOException {
        try (Writer writer = Files.newBufferedWriter(file); JcaPEMWriter pem = new JcaPEMWriter(writer)) {
            for (Object object : objects) {
                pem.writeObject(object);
            }
        }
    }

}
