package dev.kubeproof.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.kubeproof.controls.ControlDefinition;
import dev.kubeproof.controls.ControlEngine;
import dev.kubeproof.controls.runtime.RuntimeSettings;
import dev.kubeproof.ingest.audit.AuditCollectorConfig;
import dev.kubeproof.ingest.audit.AuditFormats;
import dev.kubeproof.ingest.resources.ResourceCollectorConfig;
import dev.kubeproof.ingest.scans.ScanCollectorConfig;
import dev.kubeproof.runtime.ConfigKeys;
import dev.kubeproof.report.ReportConfig;
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
        appendRecord(out, "report and evidence verify", ReportConfig.class);
        appendControls(out);
        appendAuditFormats(out);
        return out.toString();
    }

    /** The catalog: every control with its phase, severity and framework clauses. */
    private static void appendControls(StringBuilder out) {
        ControlEngine engine = ControlEngine.withDefaults();
        out.append("## Controls\n\n")
                .append("The built-in catalog (`controls/src/main/resources/.../controls.yaml`). Runtime controls judge audit ")
                .append("events; their settings are under `runtime` in the control settings file (`controlSettings`):\n\n")
                .append("| runtime setting | default |\n| --- | --- |\n");
        RuntimeSettings runtime = engine.settings().runtime();
        for (java.lang.reflect.RecordComponent component : RuntimeSettings.class.getRecordComponents()) {
            try {
                out.append("| `runtime.").append(component.getName()).append("` | `")
                        .append(component.getAccessor().invoke(runtime)).append("` |\n");
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        out.append("\nThe standards the `frameworks` column refers to, and the edition mapped:\n\n")
                .append("| key | standard | version |\n| --- | --- | --- |\n");
        engine.frameworks().values().forEach(f -> out.append("| `").append(f.key()).append("` | [").append(f.name())
                .append("](").append(f.url()).append(") | ").append(f.version() == null ? "not versioned" : f.version())
                .append(" |\n"));
        out.append("\n| id | title | phase | severity | frameworks |\n| --- | --- | --- | --- | --- |\n");
        for (ControlDefinition control : engine.controls()) {
            out.append("| ").append(control.id()).append(" | ").append(control.title().replace("|", "\\|")).append(" | ")
                    .append(control.phase()).append(control.observable() ? "" : " (attested)").append(" | ")
                    .append(control.severity().name().toLowerCase(java.util.Locale.ROOT)).append(" | ")
                    .append(control.frameworks().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                            .map(e -> e.getKey() + " " + String.join(", ", e.getValue())).reduce((a, b) -> a + "; " + b)
                            .orElse("").replace("|", "\\|"))
                    .append(" |\n");
        }
        out.append("\n");
    }

    /** The audit inputs the collector's files and webhook accept. */
    private static void appendAuditFormats(StringBuilder out) {
        out.append("## Audit inputs\n\n")
                .append("The audit collector's file sources and webhook recognise each input by its shape and record it ")
                .append("in `AuditEvent.format`; any other shape is dead-lettered with what was expected.\n\n")
                .append("| format | what it is |\n| --- | --- |\n");
        AuditFormats.DESCRIPTIONS.forEach((format, description) -> out.append("| `").append(format).append("` | ")
                .append(description).append(" |\n"));
        out.append("\n");
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
