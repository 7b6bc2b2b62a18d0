package dev.kubeproof.cli;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import dev.kubeproof.ingest.audit.WebhookConfig;
import dev.kubeproof.runtime.TlsConfig;

/**
 * What {@code run --kubeconfig} needs to receive a real cluster's audit events: a private CA and a server certificate
 * for the receiver, a generated bearer token (owner-only file), and the kubeconfig the kube-apiserver's webhook
 * backend reads ({@code --audit-webhook-config-file}). Kept in the run's work folder and reused, so that the
 * apiserver's configuration stays valid across runs (the certificate lasts a year).
 *
 * @param directory  where the files are
 * @param host       the name or address the apiserver reaches this machine by (in the server certificate)
 * @param port       the receiver's port
 */
record AuditWebhookSetup(Path directory, String host, int port) {
    static final String PATH = "/audit";
    private static final Duration VALIDITY = Duration.ofDays(365);

    Path caFile() {
        return directory.resolve("ca.crt");
    }

    Path certFile() {
        return directory.resolve("server.crt");
    }

    Path keyFile() {
        return directory.resolve("server.key");
    }

    Path tokenFile() {
        return directory.resolve("token");
    }

    Path kubeconfigFile() {
        return directory.resolve("audit-webhook-kubeconfig.yaml");
    }

    String url() {
        return "https://" + host + ":" + port + PATH;
    }

    /** Creates what is missing (certificates, token) and writes the apiserver's kubeconfig for this host and port. */
    static AuditWebhookSetup prepare(Path directory, String host, int port) throws IOException {
        AuditWebhookSetup setup = new AuditWebhookSetup(directory, host, port);
        Files.createDirectories(directory);
        Path hostFile = directory.resolve("host");
        boolean current = Files.isRegularFile(setup.certFile()) && Files.isRegularFile(setup.keyFile())
                && Files.isRegularFile(setup.caFile()) && Files.isRegularFile(hostFile)
                && Files.readString(hostFile).equals(host);
        if (!current) {
            try {
                setup.generateCertificates();
            } catch (GeneralSecurityException | OperatorCreationException e) {
                throw new IOException("cannot generate the audit webhook's certificates: " + e.getMessage(), e);
            }
            Files.writeString(hostFile, host);
        }
        if (!Files.isRegularFile(setup.tokenFile())) {
            byte[] token = new byte[32];
            new SecureRandom().nextBytes(token);
            writeOwnerOnly(setup.tokenFile(), HexFormat.of().formatHex(token) + "\n");
        }
        String ca = Base64.getEncoder().encodeToString(Files.readAllBytes(setup.caFile()));
        String token = Files.readString(setup.tokenFile()).strip();
        writeOwnerOnly(setup.kubeconfigFile(), String.join("\n",
                "# kubeconfig of the kube-apiserver's audit webhook backend: --audit-webhook-config-file=" + setup.kubeconfigFile(),
                "apiVersion: v1",
                "kind: Config",
                "clusters:",
                "  - name: kubeproof-audit",
                "    cluster:",
                "      server: " + setup.url(),
                "      certificate-authority-data: " + ca,
                "users:",
                "  - name: kube-apiserver",
                "    user:",
                "      token: " + token,
                "contexts:",
                "  - name: kubeproof-audit",
                "    context: {cluster: kubeproof-audit, user: kube-apiserver}",
                "current-context: kubeproof-audit",
                ""));
        return setup;
    }

    /** The receiver's configuration: HTTPS with the generated certificate, bearer tokens from the token file. */
    WebhookConfig webhookConfig() {
        return new WebhookConfig("0.0.0.0", port, PATH, new TlsConfig(certFile(), keyFile(), null), tokenFile(), null,
                null, null, null);
    }

    /** The kube-apiserver flags that send its audit events here. */
    List<String> apiserverFlags(Path policy) {
        return List.of("--audit-policy-file=" + policy, "--audit-webhook-config-file=" + kubeconfigFile(),
                "--audit-webhook-batch-max-wait=5s");
    }

    /** The names this machine is reached by, for the certificate: the given host, its name, and loopback. */
    private Set<String> names() {
        Set<String> names = new LinkedHashSet<>(List.of(host, "localhost", "127.0.0.1"));
        try {
            names.add(InetAddress.getLocalHost().getHostName());
        } catch (IOException e) {
            // no resolvable host name: the given host and loopback are enough
        }
        return names;
    }

    private void generateCertificates() throws IOException, GeneralSecurityException, OperatorCreationException {
        KeyPair caKeys = keyPair();
        X509Certificate ca = certificate("CN=kubeproof audit receiver CA", caKeys, "CN=kubeproof audit receiver CA", caKeys,
                true, null);
        KeyPair serverKeys = keyPair();
        List<GeneralName> sans = new ArrayList<>();
        for (String name : names()) {
            sans.add(new GeneralName(name.matches("[0-9.]+|[0-9a-fA-F:]+") ? GeneralName.iPAddress : GeneralName.dNSName, name));
        }
        X509Certificate server = certificate("CN=" + host, serverKeys, "CN=kubeproof audit receiver CA", caKeys, false,
                new GeneralNames(sans.toArray(GeneralName[]::new)));
        writePem(caFile(), ca);
        writePem(certFile(), server, ca);
        writePem(keyFile(), new JcaPKCS8Generator(serverKeys.getPrivate(), null).generate());
        restrict(keyFile());
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static X509Certificate certificate(String subject, KeyPair keys, String issuer, KeyPair issuerKeys, boolean ca,
                                               GeneralNames names)
            throws IOException, GeneralSecurityException, OperatorCreationException {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name(issuer),
                new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofMinutes(5))),
                Date.from(now.plus(VALIDITY)), new X500Name(subject), keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign
                : KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        if (!ca) {
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(Extension.subjectAlternativeName, false, names);
        }
        return new JcaX509CertificateConverter().getCertificate(builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
    }

    private static void writePem(Path file, Object... objects) throws IOException {
        try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.US_ASCII); JcaPEMWriter pem = new JcaPEMWriter(writer)) {
            for (Object object : objects) {
                pem.writeObject(object);
            }
        }
    }

    private static void writeOwnerOnly(Path file, String text) throws IOException {
        Files.writeString(file, text);
        restrict(file);
    }

    private static void restrict(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the folder's own permissions apply
        }
    }
}
