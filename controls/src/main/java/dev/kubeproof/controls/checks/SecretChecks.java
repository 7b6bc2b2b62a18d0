package dev.kubeproof.controls.checks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.kubeproof.contract.redaction.CredentialValues;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kubeproof.controls.Finding;
import dev.kubeproof.controls.check.Check;
import dev.kubeproof.controls.check.Subject;
import dev.kubeproof.controls.check.Verdict;
import dev.kubeproof.controls.k8s.Container;
import dev.kubeproof.controls.k8s.Json;

import static dev.kubeproof.controls.checks.WorkloadChecks.eachContainer;

/**
 * Minimal exposure of secrets (KP-SEC-*). Findings never carry a secret or credential-looking value: only where it
 * is.
 */
final class SecretChecks {

    /** Key names that hold credentials, as words inside a longer name (db_password, aws-access-key-id). */
    static final Pattern CREDENTIAL_KEY = CredentialValues.DEFAULT_NAMES;
    /** A {@code key = value} or {@code key: value} line inside a properties/YAML/env-file value. */
    private static final Pattern ASSIGNMENT = CredentialValues.ASSIGNMENT;
    private static final Pattern PRIVATE_KEY_BLOCK = CredentialValues.PRIVATE_KEY_BLOCK;

    private SecretChecks() {
    }

    static void register(Map<String, Check> checks) {
        checks.put("KP-SEC-001", eachContainer((c, p) -> secretsInEnv(c), "no container reads a Secret into environment variables"));
        checks.put("KP-SEC-002", SecretChecks::credentialsInConfigMap);
        checks.put("KP-SEC-003", SecretChecks::automountedToken);
        checks.put("KP-SEC-004", SecretChecks::longLivedToken);
        checks.put("KP-SEC-005", eachContainer((c, p) -> literalCredentialsInEnv(c),
                "no container has a credential written as a literal environment value"));
    }

    /**
     * Env variables named like credentials with a literal value. The collectors replace such values before they
     * leave them ({@link CredentialValues#MARKER}): a finding says where one is, never what it is.
     */
    private static List<Finding> literalCredentialsInEnv(Container c) {
        List<Finding> out = new ArrayList<>();
        List<JsonNode> env = Json.elements(c.node(), "env");
        for (int i = 0; i < env.size(); i++) {
            String name = env.get(i).path("name").asText(null);
            JsonNode value = env.get(i).path("value");
            if (value.isTextual() && CredentialValues.isCredentialValue(value.asText())
                    && CredentialValues.isCredentialName(name, CredentialValues.DEFAULT_NAMES)) {
                out.add(new Finding(c.field("env[" + i + "].value"), c.name(), null, "container " + c.name()
                        + " has credential " + name + " written as a literal environment value"));
            }
        }
        return out;
    }

    private static List<Finding> secretsInEnv(Container c) {
        List<Finding> out = new ArrayList<>();
        List<JsonNode> env = Json.elements(c.node(), "env");
        for (int i = 0; i < env.size(); i++) {
            JsonNode ref = env.get(i).path("valueFrom").path("secretKeyRef");
            if (ref.isObject()) {
                out.add(new Finding(c.field("env[" + i + "].valueFrom.secretKeyRef"), c.name(), Json.show(ref),
                        "container " + c.name() + " reads key " + ref.path("key").asText() + " of Secret "
                                + ref.path("name").asText() + " into environment variable " + env.get(i).path("name").asText()));
            }
        }
        List<JsonNode> envFrom = Json.elements(c.node(), "envFrom");
        for (int i = 0; i < envFrom.size(); i++) {
            JsonNode ref = envFrom.get(i).path("secretRef");
            if (ref.isObject()) {
                out.add(new Finding(c.field("envFrom[" + i + "].secretRef"), c.name(), Json.show(ref),
                        "container " + c.name() + " loads every key of Secret " + ref.path("name").asText() + " into environment variables"));
            }
        }
        return out;
    }

    private static Verdict credentialsInConfigMap(Subject subject) {
        List<Finding> out = new ArrayList<>();
        var fields = subject.object().path("data").fields();
        while (fields.hasNext()) {
            var entry = fields.next();
            String key = entry.getKey();
            String value = entry.getValue().asText("");
            String path = Json.child("data", key);
            if (CredentialValues.isCredentialEntry(key, value, CREDENTIAL_KEY)) {
                out.add(new Finding(path, null, null, "ConfigMap key '" + key + "' looks like a credential"));
                continue;
            }
            if (PRIVATE_KEY_BLOCK.matcher(value).find()) {
                out.add(new Finding(path, null, null, "ConfigMap key '" + key + "' holds a private key"));
                continue;
            }
            String[] lines = value.split("\\R");
            for (int line = 0; line < lines.length; line++) {
                Matcher assignment = ASSIGNMENT.matcher(lines[line]);
                if (assignment.matches() && CREDENTIAL_KEY.matcher(assignment.group(1)).find()
                        && !CredentialValues.isReference(assignment.group(1), assignment.group(2))) {
                    out.add(new Finding(path, null, null, "ConfigMap key '" + key + "' line " + (line + 1)
                            + " sets credential-like '" + assignment.group(1) + "'"));
                }
            }
        }
        return Verdict.of(out, "no ConfigMap key or value looks like a credential");
    }

    private static Verdict automountedToken(Subject subject) {
        return subject.podSpec().map(pod -> {
            JsonNode podSetting = pod.node().path("automountServiceAccountToken");
            String path = pod.field("automountServiceAccountToken");
            if (podSetting.isBoolean()) {
                // The pod's own setting takes precedence over its service account's.
                return podSetting.asBoolean()
                        ? Verdict.fail(List.of(new Finding(path, null, "true", "the pod explicitly automounts its service-account token")))
                        : Verdict.pass("the pod disables service-account token automounting");
            }
            String account = pod.node().path("serviceAccountName").asText(pod.node().path("serviceAccount").asText("default"));
            boolean accountDisables = subject.view().objects("ServiceAccount", subject.namespaceOrDefault()).stream()
                    .filter(sa -> sa.path("metadata").path("name").asText().equals(account))
                    .anyMatch(sa -> sa.path("automountServiceAccountToken").isBoolean() && !sa.path("automountServiceAccountToken").asBoolean());
            if (accountDisables) {
                return Verdict.pass("service account " + account + " disables token automounting");
            }
            return Verdict.fail(List.of(new Finding(path, null, null, "the service-account token is automounted: neither the pod nor service account "
                    + account + " sets automountServiceAccountToken: false")));
        }).orElseGet(() -> Verdict.notApplicable("the object has no pod spec"));
    }

    private static Verdict longLivedToken(Subject subject) {
        // Only metadata and type are read: Secret data is never available to kubeproof.
        String type = subject.object().path("type").asText("Opaque");
        if (!type.equals("kubernetes.io/service-account-token")) {
            return Verdict.pass("not a long-lived service-account token Secret (type " + type + ")");
        }
        String account = subject.object().path("metadata").path("annotations").path("kubernetes.io/service-account.name").asText("?");
        return Verdict.fail(List.of(new Finding("type", null, "\"" + type + "\"",
                "Secret holds a long-lived, non-rotating token for service account " + account)));
    }
}
