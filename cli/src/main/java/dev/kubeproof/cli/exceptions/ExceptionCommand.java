package dev.kubeproof.cli.exceptions;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import dev.kubeproof.avro.ControlException;
import dev.kubeproof.cli.KafkaOptions;
import dev.kubeproof.cli.TopicLedger;
import dev.kubeproof.controls.ControlDefinition;
import dev.kubeproof.controls.ControlEngine;
import dev.kubeproof.controls.exceptions.ControlExceptions;
import dev.kubeproof.controls.exceptions.ExceptionRule;
import dev.kubeproof.contract.time.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kubeproof exception add|list|show|revoke|apply}: accepted risks on the live pipeline's exceptions topic. */
@Command(name = "exception", mixinStandardHelpOptions = true,
        description = {"Manage control exceptions (accepted risks) on the compacted exceptions topic. The evidence "
                + "application reads it: a FAIL an exception in force covers becomes EXEMPT (with the exception, its "
                + "approver and expiry on record) and fails again by itself when the exception expires or is revoked.",
                "Every exception needs a justification, an approver and an expiry within the maximum validity."},
        subcommands = {ExceptionCommand.Add.class, ExceptionCommand.ListExceptions.class, ExceptionCommand.Show.class,
                ExceptionCommand.Revoke.class, ExceptionCommand.Apply.class})
public final class ExceptionCommand {
    /** The clock the commands judge expiry with (tests replace it). */
    static Clock clock = Clock.systemUTC();

    private ExceptionCommand() {
    }

    /** The built-in controls and the custom controls published on the topic can be excepted. */
    static ExceptionPolicy policy(Duration maxValidity, KafkaOptions kafka) {
        Set<String> known = ControlEngine.withDefaults().controls().stream().map(ControlDefinition::id)
                .collect(Collectors.toCollection(java.util.TreeSet::new));
        known.addAll(new TopicLedger<>(kafka, kafka.topics().customControls(), dev.kubeproof.avro.CustomControl.class)
                .currentIfExists().keySet());
        return new ExceptionPolicy(known, maxValidity);
    }

    /** Shared by the commands that write: the maximum validity they accept. */
    static final class Validity {
        @Option(names = "--max-validity", defaultValue = "180d", paramLabel = "DURATION",
                description = "Refuse exceptions that expire later than this from now (default: ${DEFAULT-VALUE}).")
        String maxValidity;

        ExceptionPolicy policy(KafkaOptions kafka) {
            return ExceptionCommand.policy(Durations.parse(maxValidity), kafka);
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Record a new exception (or replace one with the same id).")
    static final class Add implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        KafkaOptions kafka;
        @Mixin
        Validity validity;

        @Option(names = "--id", description = "Exception id (default: ex-<first control>-<date>-<random>).")
        String id;
        @Option(names = "--control", required = true, paramLabel = "ID", description = "Control it exempts from (repeatable).")
        List<String> controls;
        @Option(names = "--cluster", description = "Only this cluster (default: every cluster).")
        String cluster;
        @Option(names = "--namespace", description = "Only this namespace (default: any).")
        String namespace;
        @Option(names = "--kind", description = "Only this kind, e.g. Deployment (default: any).")
        String kind;
        @Option(names = "--name", paramLabel = "NAME", description = "Only objects of this name (repeatable; default: any).")
        List<String> names = new ArrayList<>();
        @Option(names = "--label", paramLabel = "KEY=VALUE", description = "Only objects with this label (repeatable: all of them).")
        Map<String, String> labels = new LinkedHashMap<>();
        @Option(names = "--reason", required = true, description = "Justification: why the risk is accepted.")
        String reason;
        @Option(names = "--approved-by", required = true, description = "Who approved it.")
        String approvedBy;
        @Option(names = "--requested-by", description = "Who asked for it.")
        String requestedBy;
        @Option(names = "--ticket", description = "The approval record, e.g. a ticket or change request URL.")
        String ticket;
        @Option(names = "--expires-at", description = "When it ends (ISO-8601, e.g. 2027-01-31T00:00:00Z).")
        String expiresAt;
        @Option(names = "--valid-for", paramLabel = "DURATION", description = "Or: how long it lasts from now, e.g. 30d.")
        String validFor;
        @Option(names = "--created-by", description = "Who records it (default: the user running the command).")
        String createdBy = System.getProperty("user.name");

        @Override
        public Integer call() {
            Instant now = clock.instant();
            Instant expiry = expiry(now);
            String exceptionId = id != null ? id : ("ex-" + controls.get(0).toLowerCase() + "-"
                    + now.toString().substring(0, 10).replace("-", "") + "-" + Long.toHexString(now.toEpochMilli() % 0xfffff));
            ExceptionRule rule = new ExceptionRule(exceptionId, new LinkedHashSet<>(controls), cluster, namespace, kind,
                    new LinkedHashSet<>(names), labels, reason, ticket, requestedBy, approvedBy, createdBy, now, expiry, false);
            validity.policy(kafka).check(rule, now);
            ledger(kafka).write(Map.of(exceptionId, rule.toRecord(now)));
            spec.commandLine().getOut().printf("exception %s recorded: %s, approved by %s, expires %s%n", exceptionId,
                    describe(rule), approvedBy, expiry);
            return 0;
        }

        private Instant expiry(Instant now) {
            if ((expiresAt == null) == (validFor == null)) {
                throw new IllegalArgumentException("give exactly one of --expires-at and --valid-for");
            }
            if (validFor != null) {
                return now.plus(Durations.parse(validFor));
            }
            try {
                return Instant.parse(expiresAt);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("--expires-at must be an ISO-8601 instant such as "
                        + "2027-01-31T00:00:00Z, was " + expiresAt);
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the exceptions and whether each is in force.")
    static final class ListExceptions implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        KafkaOptions kafka;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Map<String, ExceptionRule> rules = current(kafka);
            Instant now = clock.instant();
            out.printf("%-36s %-9s %-24s %-40s %-20s %s%n", "ID", "STATE", "CONTROLS", "SCOPE", "APPROVED BY", "EXPIRES");
            for (ExceptionRule rule : rules.values()) {
                out.printf("%-36s %-9s %-24s %-40s %-20s %s%n", rule.exceptionId(), state(rule, now),
                        String.join(",", sorted(rule.controlIds())), describe(rule), rule.approvedBy(),
                        rule.expiresAt() == null ? "never" : rule.expiresAt());
            }
            out.printf("%d exceptions, %d in force%n", rules.size(),
                    rules.values().stream().filter(r -> r.activeAt(now)).count());
            return 0;
        }
    }

    /** A subcommand about one exception, named by its id. */
    abstract static class OneException implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        KafkaOptions kafka;
        @Parameters(paramLabel = "ID", description = "The exception id.")
        String id;
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one exception in full.")
    static final class Show extends OneException {
        @Override
        public Integer call() {
            ExceptionRule rule = find(kafka, id);
            PrintWriter out = spec.commandLine().getOut();
            Instant now = clock.instant();
            out.printf("id:           %s%nstate:        %s%ncontrols:     %s%nscope:        %s%nreason:       %s%n"
                            + "ticket:       %s%nrequested by: %s%napproved by:  %s%ncreated by:   %s%ncreated at:   %s%n"
                            + "expires at:   %s%n",
                    rule.exceptionId(), state(rule, now), String.join(", ", sorted(rule.controlIds())), describe(rule),
                    rule.reason(), orDash(rule.ticket()), orDash(rule.requestedBy()), rule.approvedBy(),
                    orDash(rule.createdBy()), rule.createdAt(), rule.expiresAt() == null ? "never" : rule.expiresAt());
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Withdraw an exception now: what it exempted is FAIL again at once (the record stays, revoked).")
    static final class Revoke extends OneException {
        @Override
        public Integer call() {
            ExceptionRule rule = find(kafka, id);
            if (rule.revoked()) {
                spec.commandLine().getOut().printf("exception %s is already revoked%n", id);
                return 0;
            }
            ledger(kafka).write(Map.of(id, rule.revoke().toRecord(clock.instant())));
            spec.commandLine().getOut().printf("exception %s revoked%n", id);
            return 0;
        }
    }

    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = "Record every ControlException document of a YAML file (the format of "
                    + "deploy/control-exceptions.yaml, for GitOps): all are checked first, then written in one "
                    + "transaction; nothing is written when one is invalid.")
    static final class Apply implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        KafkaOptions kafka;
        @Mixin
        Validity validity;
        @Option(names = {"-f", "--file"}, required = true, description = "YAML file of ControlException documents.")
        Path file;

        @Override
        public Integer call() throws IOException {
            Instant now = clock.instant();
            ExceptionPolicy policy = validity.policy(kafka);
            Map<String, ControlException> records = new LinkedHashMap<>();
            Set<String> ids = new LinkedHashSet<>();
            for (JsonNode document : documents(file)) {
                if (!ControlExceptions.isExceptionDocument(document)) {
                    throw new IllegalArgumentException(file + ": document " + (records.size() + 1) + " is not a "
                            + ControlExceptions.API_VERSION + " " + ControlExceptions.KIND);
                }
                ExceptionRule rule = ControlExceptions.parse(document);
                policy.check(rule, now);
                if (!ids.add(rule.exceptionId())) {
                    throw new IllegalArgumentException(file + ": control exception " + rule.exceptionId() + " is listed twice");
                }
                records.put(rule.exceptionId(), rule.toRecord(now));
            }
            if (records.isEmpty()) {
                throw new IllegalArgumentException(file + " holds no ControlException document");
            }
            ledger(kafka).write(records);
            spec.commandLine().getOut().printf("applied %d exceptions from %s: %s%n", records.size(), file,
                    String.join(", ", ids));
            return 0;
        }

        private static List<JsonNode> documents(Path file) throws IOException {
            List<JsonNode> documents = new ArrayList<>();
            try (MappingIterator<JsonNode> all = new YAMLMapper().readerFor(JsonNode.class)
                    .readValues(Files.newBufferedReader(file))) {
                while (all.hasNext()) {
                    JsonNode document = all.next();
                    if (document != null && !document.isNull() && !document.isMissingNode()) {
                        documents.add(document);
                    }
                }
            }
            return documents;
        }
    }

    static TopicLedger<ControlException> ledger(KafkaOptions kafka) {
        return new TopicLedger<>(kafka, kafka.topics().controlExceptions(), ControlException.class);
    }

    static Map<String, ExceptionRule> current(KafkaOptions kafka) {
        Map<String, ExceptionRule> rules = new java.util.TreeMap<>();
        ledger(kafka).current().forEach((id, record) -> rules.put(id, ExceptionRule.of(record)));
        return rules;
    }

    static ExceptionRule find(KafkaOptions kafka, String id) {
        ExceptionRule rule = current(kafka).get(id);
        if (rule == null) {
            throw new IllegalArgumentException("no control exception " + id + " (see `kubeproof exception list`)");
        }
        return rule;
    }

    static String state(ExceptionRule rule, Instant now) {
        return rule.revoked() ? "revoked" : rule.activeAt(now) ? "in force" : "expired";
    }

    static String describe(ExceptionRule rule) {
        List<String> parts = new ArrayList<>();
        parts.add(rule.clusterId() == null ? "any cluster" : "cluster " + rule.clusterId());
        if (rule.namespace() != null) {
            parts.add("namespace " + rule.namespace());
        }
        if (rule.kind() != null) {
            parts.add(rule.kind());
        }
        if (!rule.names().isEmpty()) {
            parts.add(String.join("|", sorted(rule.names())));
        }
        rule.labels().forEach((key, value) -> parts.add(key + "=" + value));
        return String.join(" ", parts);
    }

    private static List<String> sorted(Set<String> values) {
        return values.stream().sorted().toList();
    }

    private static String orDash(String value) {
        return value == null ? "-" : value;
    }
}
