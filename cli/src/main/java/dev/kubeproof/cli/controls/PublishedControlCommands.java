package dev.kubeproof.cli.controls;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;


import dev.kubeproof.avro.CustomControl;
import dev.kubeproof.cli.KafkaOptions;
import dev.kubeproof.cli.TopicLedger;
import dev.kubeproof.contract.evidence.EvidenceChain;
import dev.kubeproof.controls.ControlEngine;
import dev.kubeproof.controls.ControlSettings;
import dev.kubeproof.controls.catalog.CatalogException;
import dev.kubeproof.controls.cel.CelControl;
import dev.kubeproof.controls.cel.CelControlFiles;
import dev.kubeproof.controls.cel.ControlsCommand;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kubeproof controls publish|withdraw|published}: custom controls on the compacted custom-controls topic, which
 * every running evidence application reads, so a control takes effect without a restart (and every stored object it
 * applies to is judged by it at once). Added to {@code kubeproof controls} by {@link #register}: the controls module
 * knows CEL, not Kafka.
 */
public final class PublishedControlCommands {
    private PublishedControlCommands() {
    }

    /** Adds the topic commands under {@code controls}. */
    public static void register(CommandLine controls) {
        controls.addSubcommand(new Publish());
        controls.addSubcommand(new Withdraw());
        controls.addSubcommand(new Published());
    }

    @Command(name = "publish", mixinStandardHelpOptions = true,
            description = {"Tests custom control files (each control's own cases must pass), then publishes every "
                    + "control in them to the custom-controls topic in one transaction, keyed by control id (a "
                    + "control of the same id is replaced). Running evidence applications judge by them within "
                    + "seconds, every stored object they apply to included; no restart."})
    static final class Publish implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;
        @Mixin
        KafkaOptions kafka;

        @Parameters(paramLabel = "FILE", arity = "1..*",
                description = "Control files or ValidatingAdmissionPolicy manifests (or directories of them).")
        List<Path> paths;

        @Option(names = "--by", paramLabel = "NAME", defaultValue = "${sys:user.name}",
                description = "Who publishes, recorded with the control and as the actor of the evidence it changes "
                        + "(default: the user running the command).")
        String publishedBy;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            int tested = ControlsCommand.test(paths, out, err);
            if (tested != 0) {
                err.println("kubeproof controls publish: nothing published; fix the file(s) first");
                return tested;
            }
            Map<String, CustomControl> records = new LinkedHashMap<>();
            Instant now = Instant.now();
            for (CelControlFiles.Published control : CelControlFiles.published(paths)) {
                String file = control.control().source();
                records.put(control.control().id(), CustomControl.newBuilder().setControlId(control.control().id())
                        .setDocument(control.document()).setSource(file).setSha256(EvidenceChain.sha256Hex(control.document().getBytes(StandardCharsets.UTF_8)))
                        .setPublishedBy(publishedBy).setPublishedAt(now).build());
            }
            TopicLedger<CustomControl> ledger = new TopicLedger<>(kafka, kafka.topics().customControls(),
                    CustomControl.class);
            // Everything published must load together (ids unique, none of kubeproof's): checked before writing.
            Map<String, CustomControl> together = new LinkedHashMap<>(ledger.current());
            together.putAll(records);
            List<CelControl> all = new ArrayList<>();
            for (CustomControl control : together.values()) {
                all.addAll(CelControlFiles.parse(control.getDocument(), control.getSource()));
            }
            try {
                ControlEngine.load(ControlSettings.defaults(), all);
            } catch (CatalogException e) {
                err.println("kubeproof controls publish: nothing published: " + e.getMessage());
                return 2;
            }
            ledger.write(records);
            for (CustomControl control : records.values()) {
                out.printf("published %s (sha256 %s) from %s to %s%n", control.getControlId(),
                        control.getSha256().substring(0, 12), control.getSource(), kafka.topics().customControls().name());
            }
            out.printf("%d control(s) published; %d custom control(s) on the topic%n", records.size(), together.size());
            return 0;
        }
    }

    @Command(name = "withdraw", mixinStandardHelpOptions = true,
            description = {"Withdraws published custom controls (a tombstone per id on the custom-controls topic): "
                    + "running evidence applications stop judging by them and close their open evidence."})
    static final class Withdraw implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;
        @Mixin
        KafkaOptions kafka;

        @Parameters(paramLabel = "ID", arity = "1..*", description = "Ids of published controls.")
        List<String> ids;

        @Override
        public Integer call() {
            TopicLedger<CustomControl> ledger = new TopicLedger<>(kafka, kafka.topics().customControls(),
                    CustomControl.class);
            Map<String, CustomControl> published = ledger.current();
            List<String> unknown = ids.stream().filter(id -> !published.containsKey(id)).toList();
            if (!unknown.isEmpty()) {
                spec.commandLine().getErr().println("kubeproof controls withdraw: not published: "
                        + String.join(", ", unknown) + " (published: " + String.join(", ", published.keySet()) + ")");
                return 2;
            }
            Map<String, CustomControl> tombstones = new LinkedHashMap<>();
            ids.forEach(id -> tombstones.put(id, null));
            ledger.write(tombstones);
            ids.forEach(id -> spec.commandLine().getOut().println("withdrew " + id));
            return 0;
        }
    }

    @Command(name = "published", mixinStandardHelpOptions = true,
            description = "Lists the custom controls on the custom-controls topic: id, who published it, when, from "
                    + "which file, and the digest of its document.")
    static final class Published implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;
        @Mixin
        KafkaOptions kafka;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Map<String, CustomControl> published = new TopicLedger<>(kafka, kafka.topics().customControls(),
                    CustomControl.class).current();
            for (CustomControl control : published.values()) {
                out.printf("%-16s %-12s %s  %s  sha256 %s%n", control.getControlId(), control.getPublishedBy(),
                        control.getPublishedAt(), control.getSource(), control.getSha256().substring(0, 12));
            }
            out.printf("%d custom control(s) published%n", published.size());
            return 0;
        }
    }
}
