package dev.kubeproof.controls.k8s;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The {@code --flag=value} / {@code --flag value} arguments of a container's command and args, as control-plane
 * static pods (kube-apiserver, etcd) are configured.
 *
 * @param flags flag name (without dashes) to its value and the path of the argument that set it
 */
public record CommandLine(Map<String, Argument> flags, String executable) {

    /** One flag's value and where it is written. */
    public record Argument(String value, String path) {
    }

    /** Parses {@code command} then {@code args}; a later occurrence of a flag wins, as in Go's flag package. */
    public static CommandLine of(Container container) {
        List<JsonNode> words = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        for (String list : List.of("command", "args")) {
            JsonNode array = container.node().path(list);
            for (int i = 0; i < array.size(); i++) {
                words.add(array.get(i));
                paths.add(container.field(list + "[" + i + "]"));
            }
        }
        Map<String, Argument> flags = new LinkedHashMap<>();
        String executable = words.isEmpty() ? "" : words.get(0).asText();
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i).asText();
            if (!word.startsWith("-")) {
                continue;
            }
            String stripped = word.replaceFirst("^--?", "");
            int eq = stripped.indexOf('=');
            if (eq >= 0) {
                flags.put(stripped.substring(0, eq), new Argument(stripped.substring(eq + 1), paths.get(i)));
            } else if (i + 1 < words.size() && !words.get(i + 1).asText().startsWith("-")) {
                flags.put(stripped, new Argument(words.get(i + 1).asText(), paths.get(i)));
                i++;
            } else {
                flags.put(stripped, new Argument("true", paths.get(i))); // a bare boolean flag
            }
        }
        return new CommandLine(flags, executable);
    }

    public Optional<Argument> flag(String name) {
        return Optional.ofNullable(flags.get(name));
    }

    /** True when the command runs {@code binary} (by path or name), e.g. kube-apiserver. */
    public boolean runs(String binary) {
        return executable.equals(binary) || executable.endsWith("/" + binary);
    }
}
