package dev.kubeproof.cli;

import dev.kubeproof.ingest.audit.AuditCollectorCommand;
import dev.kubeproof.ingest.resources.ResourceCollectorCommand;
import dev.kubeproof.ingest.scans.ScanCollectorCommand;

import picocli.CommandLine.Command;

/** {@code kubeproof ingest audit|resources|scans}: the collectors, each a long-running service. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Run a collector that publishes to Kafka: audit events (webhook and log files), resource changes "
                + "(shared informers) or image scans (Trivy reports). Each serves /healthz, /readyz and /metrics.",
        subcommands = {AuditCollectorCommand.class, ResourceCollectorCommand.class, ScanCollectorCommand.class})
final class IngestCommand {
}
