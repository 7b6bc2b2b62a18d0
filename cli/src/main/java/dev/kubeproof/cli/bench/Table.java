package dev.kubeproof.cli.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** The results as a readable table: section by section, one figure per line. */
final class Table {
    private Table() {
    }

    static void print(PrintStream out, Map<String, Object> results) {
        out.println("== kubeproof bench results");
        for (Map.Entry<String, Object> section : results.entrySet()) {
            print(out, section.getKey(), section.getValue(), "");
        }
    }

    private static void print(PrintStream out, String name, Object value, String indent) {
        if (value instanceof Map<?, ?> map) {
            out.println(indent + name);
            map.forEach((key, inner) -> print(out, String.valueOf(key), inner, indent + "  "));
        } else if (value instanceof List<?> list) {
            out.println(indent + name);
            for (Object item : list) {
                if (item instanceof Map<?, ?> map && map.containsKey("target")) {
                    out.printf("%s  %-4s %s: goal %s, measured %s%n", indent,
                            Boolean.TRUE.equals(map.get("met")) ? "MET" : "NOT", map.get("target"), map.get("goal"),
                            map.get("measured"));
                } else {
                    print(out, "-", item, indent + "  ");
                }
            }
        } else {
            String text = value instanceof Double d ? String.format(Math.abs(d) < 1 ? "%.4f" : "%,.2f", d)
                    : value instanceof Long || value instanceof Integer ? String.format("%,d", value) : String.valueOf(value);
            out.printf("%s%-34s %s%n", indent, name, text);
        }
    }
}
