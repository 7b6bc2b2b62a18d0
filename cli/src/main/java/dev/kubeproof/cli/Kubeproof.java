package dev.kubeproof.cli;

import dev.kubeproof.cli.attestations.AttestCommand;
import dev.kubeproof.cli.bench.BenchCommand;
import dev.kubeproof.cli.exceptions.ExceptionCommand;
import dev.kubeproof.controls.scan.ScanCommand;
import dev.kubeproof.report.cli.EvidenceCommand;
import dev.kubeproof.report.cli.ReportCommand;
import dev.kubeproof.sink.SinkCommand;
import dev.kubeproof.streams.StreamsCommand;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code kubeproof} command: one entry point for every kubeproof service and tool. */
@Command(name = "kubeproof",
        mixinStandardHelpOptions = true,
        versionProvider = KubeproofVersion.class,
        description = {"Continuous, event-driven compliance evidence for Kubernetes.", ""},
        subcommands = {
                StackCommand.class,
                TopicsCommand.class,
                ExceptionCommand.class,
                AttestCommand.class,
                ScanCommand.class,
                dev.kubeproof.controls.cel.ControlsCommand.class,
                dev.kubeproof.controls.pss.PssCommand.class,
                IngestCommand.class,
                RunCommand.class,
                StreamsCommand.class,
                SinkCommand.class,
                ReportCommand.class,
                EvidenceCommand.class,
                BenchCommand.class,
                ReferenceDoc.class,
                CommandLine.HelpCommand.class
        },
        footer = {"", "Run 'kubeproof COMMAND --help' for a command's options."})
public final class Kubeproof {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with every subcommand registered (tests use it too). */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new Kubeproof());
        dev.kubeproof.cli.controls.PublishedControlCommands.register(commandLine.getSubcommands().get("controls"));
        commandLine.setExecutionExceptionHandler((exception, cmd, parseResult) -> {
            // Operators get the message, not a stack trace; --verbose style debugging is in the logs.
            cmd.getErr().println(cmd.getColorScheme().errorText("kubeproof: " + exception.getMessage()));
            return 1;
        });
        return commandLine;
    }
}
