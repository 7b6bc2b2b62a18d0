package dev.kubeproof.ingest.scans;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import dev.kubeproof.avro.Severity;
import dev.kubeproof.runtime.ErrorTypes;
import dev.kubeproof.runtime.InvalidInputException;

/** Field access shared by the Trivy parsers: typed, with the error type a bad field earns. */
final class ScanJson {
    private ScanJson() {
    }

    static ObjectMapper mapper() {
        return JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    }

    static String requiredText(JsonNode node, String field, String path) {
        String value = optionalText(node, field, path);
        if (value == null || value.isEmpty()) {
            throw new InvalidInputException(ErrorTypes.MISSING_FIELD, "required field '" + path + field + "' is missing");
        }
        return value;
    }

    /** The text, or null when absent, null or empty. */
    static String optionalText(JsonNode node, String field, String path) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new InvalidInputException(ErrorTypes.INVALID_VALUE, "'" + path + field + "' must be a string, was "
                    + value.getNodeType());
        }
        return value.asText().isEmpty() ? null : value.asText();
    }

    static Double optionalNumber(JsonNode node, String field, String path) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber()) {
            throw new InvalidInputException(ErrorTypes.INVALID_VALUE, "'" + path + field + "' must be a number");
        }
        return value.asDouble();
    }

    static Instant optionalTime(JsonNode node, String field, String path) {
        String text = optionalText(node, field, path);
        if (text == null) {
            return null;
        }
        try {
            // ImageScan times are timestamp-millis
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        } catch (DateTimeParseException e) {
            throw new InvalidInputException(ErrorTypes.INVALID_VALUE, "'" + path + field + "' is not an RFC 3339 time");
        }
    }

    /** Trivy's severities; NONE (Trivy Operator's summary has it) counts as UNKNOWN, anything else is refused. */
    static Severity severity(JsonNode node, String field, String path) {
        String text = optionalText(node, field, path);
        if (text == null) {
            return Severity.UNKNOWN;
        }
        String upper = text.toUpperCase(Locale.ROOT);
        if ("NONE".equals(upper)) {
            return Severity.UNKNOWN;
        }
        try {
            return Severity.valueOf(upper);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(ErrorTypes.UNKNOWN_ENUM, "'" + path + field + "' has unknown severity '"
                    + (text.length() > 32 ? text.substring(0, 32) + "..." : text) + "'");
        }
    }

    static JsonNode optionalArray(JsonNode node, String field, String path) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isArray()) {
            throw new InvalidInputException(ErrorTypes.INVALID_VALUE, "'" + path + field + "' must be an array");
        }
        return value;
    }

    static JsonNode optionalObject(JsonNode node, String field, String path) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            throw new InvalidInputException(ErrorTypes.INVALID_VALUE, "'" + path + field + "' must be an object");
        }
        return value;
    }
}
