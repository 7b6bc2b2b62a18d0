package dev.kubeproof.report.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.kubeproof.contract.signing.Signing;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code kubeproof report keygen}: an Ed25519 key pair for signing evidence packages. */
@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = "Writes a new Ed25519 key pair (PEM): the private key signs packages (keep it secret), the public "
                + "key is what auditors verify them with.")
public final class ReportKeygenCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--private-key", defaultValue = "kubeproof-report.key", paramLabel = "FILE",
            description = "Where to write the private key (mode 600). Default: ${DEFAULT-VALUE}.")
    Path privateKey;

    @Option(names = "--public-key", defaultValue = "kubeproof-report.pub.pem", paramLabel = "FILE",
            description = "Where to write the public key. Default: ${DEFAULT-VALUE}.")
    Path publicKey;

    @Override
    public Integer call() throws Exception {
        Signing.keygen(privateKey, publicKey);
        spec.commandLine().getOut().printf("wrote %s (private: keep it secret) and %s (public: give it to auditors)%n",
                privateKey, publicKey);
        return 0;
    }
}
