package dev.kubeproof.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.kubeproof.ingest.audit.AuditCollectorConfig;
import dev.kubeproof.ingest.resources.ResourceCollectorConfig;
import dev.kubeproof.ingest.scans.ScanCollectorConfig;
import dev.kubeproof.runtime.ConfigKeys;
import dev.kubeproof.sink.config.SinkConfig;
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
                .append("Every service reads one YAML file (`--config FILE`) into the record below, then the environment ")
                .append("variables, then `--set KEY=VALUE` options; unknown keys are rejected, and every error names the ")
                .append("key and the file. Durations are `500ms`, `30s`, `5m`, `12h`, `90d` or ISO-8601 (`PT1H`). Secrets ")
                .append("are never literals: a secret key takes `{file: PATH}` or `{env: NAME}`. `--check-config` ")
                .append("validates and exits. A key inside a list has no environment variable; map entries are set as ")
                .append("`--set kafka.properties.security.protocol=SSL`.\n\n");
        appendRecord(out, "ingest audit", AuditCollectorConfig.class);
        appendRecord(out, "ingest scans", ScanCollectorConfig.class);
        appendRecord(out, "ingest resources", ResourceCollectorConfig.class);
        appendRecord(out, "streams", EvidenceServiceConfig.class);
        appendRecord(out, "sink", SinkConfig.class);
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

    private static void appendRecord(StringBuilder out, String service, Class<?> type) {
        out.append("### ").append(service).append(" (`kubeproof ").append(service).append(" --config FILE`)\n\n")
                .append("| key | type | default | environment variable | meaning |\n| --- | --- | --- | --- | --- |\n");
        for (ConfigKeys.ConfigKey key : ConfigKeys.of(type)) {
            out.append("| `").append(key.path()).append("` | ").append(key.type().replace("|", "\\|")).append(" | ")
                    .append(key.defaultValue().isEmpty() ? "" : "`" + key.defaultValue() + "`").append(" | ")
                    .append(key.environmentVariable().map(name -> "`" + name + "`").orElse("")).append(" | ")
                    .append(key.description().replace("|", "\\|")).append(" |\n");
        }
        out.append('\n');
    }
}
