package dev.kubeproof.cli;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;

import dev.kubeproof.ingest.audit.AuditCollectorConfig;
import dev.kubeproof.ingest.resources.ResourceCollectorConfig;
import dev.kubeproof.ingest.scans.ScanCollectorConfig;
import dev.kubeproof.streams.EvidenceServiceConfig;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The one configuration reference, generated from the code: every command's options (the picocli model) and every
 * config file's keys (the config records), so that it cannot drift. {@code kubeproof docs --output docs/reference.md}
 * rewrites it; a test fails when the committed file is stale.
 */
@Command(name = "docs", mixinStandardHelpOptions = true,
        description = "Write the command and configuration reference (Markdown), generated from the code.")
final class ReferenceDoc implements Callable<Integer> {

    @Option(names = "--output", description = "File to write (default: standard output).")
    Path output;

    @Override
    public Integer call() throws Exception {
        String text = generate();
        if (output == null) {
            System.out.print(text);
        } else {
            Files.createDirectories(output.toAbsolutePath().getParent());
            Files.writeString(output, text);
        }
        return 0;
    }

    static String generate() {
        StringBuilder out = new StringBuilder();
        out.append("# kubeproof reference\n\n")
                .append("Generated from the code by `./kubeproof docs --output docs/reference.md`; do not edit by hand.\n\n")
                .append("## Commands\n\n");
        CommandLine root = Kubeproof.commandLine();
        root.setUsageHelpWidth(120);
        appendCommand(out, root, "");
        out.append("## Configuration files\n\n")
                .append("YAML files are read into the records below: unknown keys are rejected, and every error names ")
                .append("the key. Durations are ISO-8601 (`PT1H`).\n\n");
        appendRecord(out, "ingest audit (`--config`, YAML)", AuditCollectorConfig.class);
        appendRecord(out, "ingest scans (`--config`, YAML)", ScanCollectorConfig.class);
        appendRecord(out, "ingest resources (`--config`, YAML)", ResourceCollectorConfig.class);
        out.append("### streams (`--config`, properties)\n\n");
        for (String key : new TreeSet<>(EvidenceServiceConfig.KEYS)) {
            out.append("- `").append(key).append("`\n");
        }
        out.append("- `").append(EvidenceServiceConfig.KAFKA_PREFIX).append("*`: any Kafka Streams or client setting\n\n");
        out.append("### sink (`--config`, properties)\n\nSee `kubeproof sink --help` above for its keys.\n");
        return out.toString();
    }

    private static void appendCommand(StringBuilder out, CommandLine command, String parent) {
        String name = (parent + " " + command.getCommandName()).trim();
        if (!name.endsWith(" help")) {
            out.append("### `").append(name).append("`\n\n```\n").append(command.getUsageMessage(CommandLine.Help.Ansi.OFF))
                    .append("```\n\n");
        }
        for (CommandLine sub : command.getSubcommands().values().stream().distinct().toList()) {
            appendCommand(out, sub, name);
        }
    }

    private static void appendRecord(StringBuilder out, String title, Class<?> type) {
        out.append("### ").append(title).append("\n\n");
        appendComponents(out, type, "", List.of());
        out.append('\n');
    }

    private static void appendComponents(StringBuilder out, Class<?> type, String prefix, List<Class<?>> seen) {
        for (RecordComponent component : type.getRecordComponents()) {
            Class<?> componentType = component.getType();
            Type generic = component.getGenericType();
            String key = prefix + component.getName();
            if (componentType.isRecord() && !seen.contains(componentType)) {
                out.append("- `").append(key).append("`: object\n");
                appendComponents(out, componentType, key + ".", append(seen, componentType));
            } else if (List.class.isAssignableFrom(componentType) && generic instanceof ParameterizedType list
                    && list.getActualTypeArguments()[0] instanceof Class<?> element && element.isRecord()) {
                out.append("- `").append(key).append("[]`: list of objects\n");
                appendComponents(out, element, key + "[].", append(seen, element));
            } else {
                out.append("- `").append(key).append("`: ").append(describe(generic)).append('\n');
            }
        }
    }

    private static List<Class<?>> append(List<Class<?>> seen, Class<?> type) {
        java.util.ArrayList<Class<?>> copy = new java.util.ArrayList<>(seen);
        copy.add(type);
        return copy;
    }

    private static String describe(Type type) {
        return type.getTypeName().replaceAll("java\\.(lang|util|time|nio\\.file)\\.", "");
    }
}
