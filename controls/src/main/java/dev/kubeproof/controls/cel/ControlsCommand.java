package dev.kubeproof.controls.cel;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import dev.kubeproof.controls.ControlDefinition;
import dev.kubeproof.controls.ControlEngine;
import dev.kubeproof.controls.ControlSettings;
import dev.kubeproof.controls.catalog.CatalogException;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kubeproof controls list|test|add}: the catalog, and an organisation's own controls in CEL (control files or
 * ValidatingAdmissionPolicy manifests as they are) tested against their own cases before they are used.
 */
@Command(name = "controls", mixinStandardHelpOptions = true,
        description = {"The control catalog, and custom controls in CEL: control files or ValidatingAdmissionPolicy "
                + "manifests. scan --controls and the evidence service's customControls load them from files; "
                + "`controls publish` puts them on the custom-controls topic, which running evidence services "
                + "follow without a restart."},
        subcommands = {ControlsCommand.ListCommand.class, ControlsCommand.TestCommand.class,
                ControlsCommand.AddCommand.class})
public final class ControlsCommand implements Runnable {
    /** Where {@code controls add} puts files by default (the evidence service's customControls in a local run). */
    public static final String DEFAULT_DIRECTORY = ".kubeproof/controls";

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Lists every control: the built-in catalog and the custom controls of --controls.")
    public static final class ListCommand implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--controls", paramLabel = "PATH", description = "Custom control files or directories.")
        List<Path> paths = new ArrayList<>();

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            List<CelControl> custom = CelControlFiles.read(paths);
            Set<String> customIds = custom.stream().map(CelControl::id).collect(Collectors.toSet());
            ControlEngine engine = ControlEngine.load(ControlSettings.defaults(), custom);
            for (ControlDefinition control : engine.controls()) {
                out.printf("%-16s %-8s %-60s %s%n", control.id(), control.severity().name().toLowerCase(),
                        control.title(), customIds.contains(control.id()) ? "custom: " + custom.stream()
                                .filter(c -> c.id().equals(control.id())).findFirst().orElseThrow().source() : "built-in");
            }
            out.printf("%d controls (%d custom)%n", engine.controls().size(), custom.size());
            return 0;
        }
    }

    @Command(name = "test", mixinStandardHelpOptions = true,
            description = {"Compiles custom controls and runs each one's own cases (a control file's `cases`): exit 0 "
                    + "when every case gives its expected status, 1 otherwise, 2 when a file cannot be used (with the "
                    + "file, control and expression position)."})
    public static final class TestCommand implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "FILE", arity = "1..*", description = "Control files or directories.")
        List<Path> paths;

        @Override
        public Integer call() throws IOException {
            return test(paths, spec.commandLine().getOut(), spec.commandLine().getErr());
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Tests a control file, then copies it into the custom controls directory.")
    public static final class AddCommand implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "A control file or ValidatingAdmissionPolicy manifest.")
        Path file;

        @Option(names = "--to", paramLabel = "DIR", defaultValue = DEFAULT_DIRECTORY,
                description = "The custom controls directory. Default: ${DEFAULT-VALUE}.")
        Path directory;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            int tested = test(List.of(file), out, spec.commandLine().getErr());
            if (tested != 0) {
                return tested;
            }
            Path target = directory.resolve(file.getFileName());
            if (Files.exists(target)) {
                spec.commandLine().getErr().println("kubeproof controls add: " + target + " exists; remove it first");
                return 2;
            }
            // the new file must not clash with the ones already there
            List<Path> together = new ArrayList<>();
            if (Files.isDirectory(directory)) {
                together.add(directory);
            }
            together.add(file);
            try {
                ControlEngine.load(ControlSettings.defaults(), CelControlFiles.read(together));
            } catch (CatalogException e) {
                spec.commandLine().getErr().println("kubeproof controls add: " + e.getMessage());
                return 2;
            }
            Files.createDirectories(directory);
            Files.copy(file, target);
            out.println("added " + target);
            return 0;
        }
    }

    /** Compiles the files' controls and runs their cases; 0: all pass, 1: a case fails, 2: a file cannot be used. */
    public static int test(List<Path> paths, PrintWriter out, PrintWriter err) throws IOException {
        List<CelControl> controls;
        try {
            controls = CelControlFiles.read(paths);
            ControlEngine.load(ControlSettings.defaults(), controls);
        } catch (CatalogException e) {
            err.println("kubeproof controls: " + e.getMessage());
            return 2;
        }
        int failed = 0;
        for (CelControl control : controls) {
            if (control.cases().isEmpty()) {
                out.printf("%-16s no cases: add at least one object it passes and one it fails (%s)%n", control.id(),
                        control.source());
            }
        }
        for (CelControlCases.Outcome outcome : CelControlCases.run(controls, ControlSettings.defaults())) {
            if (!outcome.passed()) {
                failed++;
            }
            out.printf("%-4s %-16s %s: expected %s, got %s%s%n", outcome.passed() ? "ok" : "FAIL", outcome.control().id(),
                    outcome.testCase().name(), outcome.testCase().expect(), outcome.actual(),
                    outcome.passed() || outcome.message().isEmpty() ? "" : " (" + outcome.message() + ")");
        }
        long cases = controls.stream().mapToLong(c -> c.cases().size()).sum();
        out.printf("%d control(s), %d case(s), %d failed%n", controls.size(), cases, failed);
        return failed == 0 ? 0 : 1;
    }
}
