package dev.kubeproof.contract.signing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Ed25519 signatures over a package's manifest, with the JDK's own provider (RFC 8032): keys are PEM files (PKCS#8
 * private, X.509 SubjectPublicKeyInfo public), the signature is base64 text, so OpenSSL checks it too:
 * {@code openssl pkeyutl -verify -pubin -inkey public.pem -rawin -in manifest.json -sigfile <(base64 -d manifest.json.sig)}.
 */
public final class Signing {
    public static final String ALGORITHM = "Ed25519";

    private Signing() {
    }

    /** Writes a new key pair: {@code private} readable by the owner only. */
    public static void keygen(Path privateKey, Path publicKey) throws IOException {
        if (Files.exists(privateKey) || Files.exists(publicKey)) {
            throw new IOException("will not overwrite an existing key: " + (Files.exists(privateKey) ? privateKey : publicKey));
        }
        try {
            KeyPair pair = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
            Files.writeString(privateKey, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
            try {
                Files.setPosixFilePermissions(privateKey, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the operator protects the file
            }
            Files.writeString(publicKey, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no Ed25519", e);
        }
    }

    public static String sign(byte[] data, Path privateKey) throws IOException {
        return sign(data, privateKey(privateKey));
    }

    /** Signs with a key already read (a service signing repeatedly reads its key once). */
    public static String sign(byte[] data, PrivateKey key) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initSign(key);
            signature.update(data);
            return Base64.getEncoder().encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with an " + ALGORITHM + " key: " + e.getMessage(), e);
        }
    }

    /** Reads a PEM PKCS#8 Ed25519 private key; the message names the file when it is not one. */
    public static PrivateKey privateKey(Path file) throws IOException {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der(file, "PRIVATE KEY")));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException(file + " is not an Ed25519 private key (kubeproof report keygen makes one): "
                    + e.getMessage(), e);
        }
    }

    /** Reads a PEM X.509 Ed25519 public key; the message names the file when it is not one. */
    public static PublicKey publicKey(Path file) throws IOException {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der(file, "PUBLIC KEY")));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException(file + " is not an Ed25519 public key: " + e.getMessage(), e);
        }
    }

    public static boolean verify(byte[] data, String base64Signature, Path publicKey) throws IOException {
        return verify(data, base64Signature, publicKey(publicKey));
    }

    /** True when the base64 signature is the key's signature of the data; false for any other text. */
    public static boolean verify(byte[] data, String base64Signature, PublicKey key) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initVerify(key);
            signature.update(data);
            return signature.verify(Base64.getDecoder().decode(base64Signature.strip()));
        } catch (IllegalArgumentException | java.security.SignatureException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot verify with an " + ALGORITHM + " key: " + e.getMessage(), e);
        }
    }

    private static byte[] der(Path file, String type) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw new IOException(file + " is not a PEM " + type + " file");
        }
        return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
