package dev.kubeproof.report.cli;

import picocli.CommandLine.Command;

/** {@code kubeproof evidence}: operations on the stored evidence itself. */
@Command(name = "evidence", mixinStandardHelpOptions = true, subcommands = EvidenceVerifyCommand.class,
        description = "Operations on the stored evidence: verify checks its hash chains.")
public final class EvidenceCommand {
}
