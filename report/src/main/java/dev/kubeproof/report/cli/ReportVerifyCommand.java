package dev.kubeproof.report.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.kubeproof.report.pkg.PackageVerifier;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code kubeproof report verify DIR}: checks an evidence package offline; exit 0 only when everything holds. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Checks an evidence package without Kafka or Elasticsearch: the manifest's Ed25519 signature, every "
                + "file's SHA-256 and size, the record counts and the hash chain of every key. Exit 0 when all hold, 1 "
                + "with each problem named (file, line, key, sequence) when not.")
public final class ReportVerifyCommand implements Callable<Integer> {
    static final int SHOWN = 20;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "DIR", description = "The package directory.")
    Path dir;

    @Option(names = "--public-key", paramLabel = "FILE", description = "The signer's Ed25519 public key (PEM); without "
            + "it the signature is not checked.")
    Path publicKey;

    @Option(names = "--checkpoint-key", paramLabel = "FILE", description = "The pipeline's Ed25519 public key (PEM) for "
            + "the checkpoints' signatures; without it they are not checked.")
    Path checkpointKey;

    @Override
    public Integer call() throws Exception {
        PackageVerifier.Result result = PackageVerifier.verify(dir, publicKey, checkpointKey);
        PrintWriter out = spec.commandLine().getOut();
        result.notes().forEach(note -> out.println("note: " + note));
        if (result.ok()) {
            out.printf("OK: %s verified: %d evidence records on %d keys, every file as the manifest lists it%s%n", dir,
                    result.records(), result.keys(), publicKey == null ? "" : ", signature valid");
            return 0;
        }
        out.printf("FAILED: %s: %d problem(s)%n", dir, result.problems().size());
        result.problems().stream().limit(SHOWN).forEach(problem -> out.println("  " + problem));
        if (result.problems().size() > SHOWN) {
            out.printf("  ... and %d more%n", result.problems().size() - SHOWN);
        }
        return 1;
    }
}
