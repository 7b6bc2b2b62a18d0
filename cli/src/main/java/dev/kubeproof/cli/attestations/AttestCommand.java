package dev.kubeproof.cli.attestations;

import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import dev.kubeproof.avro.Attestation;
import dev.kubeproof.cli.KafkaOptions;
import dev.kubeproof.cli.TopicLedger;
import dev.kubeproof.controls.ControlDefinition;
import dev.kubeproof.controls.ControlEngine;
import dev.kubeproof.contract.time.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kubeproof attest}: a person's attestation of a practice no cluster data shows, on the attestations topic. */
@Command(name = "attest", mixinStandardHelpOptions = true,
        description = {"Attest a practice that no cluster data can show (an attestation control: periodic RBAC review, "
                + "MFA at the identity provider, etcd restore tested, patch cadence, API endpoint not public). The "
                + "control is PASS for the cluster (or every cluster) while the attestation is valid and FAIL again, by "
                + "itself, when it expires. Renew by attesting again; --list shows the attestations."})
public final class AttestCommand implements Callable<Integer> {
    /** Attestations older than this are not accepted: evidence of a practice must be renewed. */
    public static final Duration DEFAULT_MAX_VALIDITY = Duration.ofDays(365);
    static Clock clock = Clock.systemUTC();

    @Spec
    CommandSpec spec;
    @Mixin
    KafkaOptions kafka;

    @Parameters(arity = "0..1", paramLabel = "CONTROL", description = "The attestation control, e.g. KP-ATT-001.")
    String controlId;
    @Option(names = "--by", description = "Who attests (name and role).")
    String by;
    @Option(names = "--evidence-url", description = "Where the evidence is: review record, report, ticket.")
    String evidenceUrl;
    @Option(names = "--valid-for", paramLabel = "DURATION", description = "How long it counts, e.g. 90d.")
    String validFor;
    @Option(names = "--cluster", description = "The cluster it is about (default: every cluster).")
    String cluster;
    @Option(names = "--note", description = "Scope, findings or caveats.")
    String note;
    @Option(names = "--max-validity", defaultValue = "365d", paramLabel = "DURATION",
            description = "Refuse attestations valid longer than this (default: ${DEFAULT-VALUE}).")
    String maxValidity;
    @Option(names = "--list", description = "List the attestations instead, and whether each is valid.")
    boolean list;

    @Override
    public Integer call() {
        TopicLedger<Attestation> ledger = new TopicLedger<>(kafka, kafka.topics().attestations(), Attestation.class);
        PrintWriter out = spec.commandLine().getOut();
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        if (list) {
            return list(ledger, out, now);
        }
        Attestation attestation = attestation(now);
        ledger.write(Map.of(attestation.getAttestationId(), attestation));
        out.printf("attestation %s recorded: %s for %s by %s, valid until %s%n", attestation.getAttestationId(),
                attestation.getControlId(), cluster == null ? "every cluster" : "cluster " + cluster, by,
                attestation.getValidUntil());
        return 0;
    }

    private Attestation attestation(Instant now) {
        if (controlId == null) {
            throw new IllegalArgumentException("name the attestation control, e.g. kubeproof attest KP-ATT-001 ... (or --list)");
        }
        Map<String, ControlDefinition> attestable = ControlEngine.withDefaults().controls().stream()
                .filter(ControlDefinition::attestation).collect(Collectors.toMap(ControlDefinition::id, c -> c));
        if (!attestable.containsKey(controlId)) {
            throw new IllegalArgumentException(controlId + " is not an attestation control; those are "
                    + attestable.keySet().stream().sorted().toList());
        }
        require("--by", by);
        require("--evidence-url", evidenceUrl);
        require("--valid-for", validFor);
        try {
            URI uri = new URI(evidenceUrl);
            if (uri.getScheme() == null) {
                throw new URISyntaxException(evidenceUrl, "no scheme");
            }
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--evidence-url must be a URL (https://...), was " + evidenceUrl);
        }
        Duration validity = Durations.parse(validFor);
        Duration maximum = Durations.parse(maxValidity);
        if (validity.isNegative() || validity.isZero() || validity.compareTo(maximum) > 0) {
            throw new IllegalArgumentException("--valid-for must be positive and at most " + maximum.toDays()
                    + " days (--max-validity), was " + validFor);
        }
        String id = "att-" + controlId.toLowerCase() + "-" + (cluster == null ? "all" : cluster) + "-"
                + now.toString().replaceAll("[^0-9]", "").substring(0, 14);
        return Attestation.newBuilder().setAttestationId(id).setControlId(controlId).setClusterId(cluster)
                .setAttestedBy(by).setEvidenceUrl(evidenceUrl).setNote(note).setAttestedAt(now)
                .setValidUntil(now.plus(validity)).build();
    }

    private static int list(TopicLedger<Attestation> ledger, PrintWriter out, Instant now) {
        Map<String, Attestation> all = ledger.current();
        out.printf("%-48s %-10s %-12s %-12s %-28s %-22s %s%n", "ID", "CONTROL", "CLUSTER", "STATE", "BY", "VALID UNTIL",
                "EVIDENCE");
        for (Attestation a : all.values()) {
            String state = a.getRevoked() ? "revoked" : now.isBefore(a.getValidUntil()) ? "valid" : "expired";
            out.printf("%-48s %-10s %-12s %-12s %-28s %-22s %s%n", a.getAttestationId(), a.getControlId(),
                    Optional.ofNullable(a.getClusterId()).orElse("(every)"), state, a.getAttestedBy(), a.getValidUntil(),
                    a.getEvidenceUrl());
        }
        out.printf("%d attestations%n", all.size());
        return 0;
    }

    private static void require(String option, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(option + " is required");
        }
    }
}
