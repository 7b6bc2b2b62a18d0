package dev.kubeproof.controls.runtime;

import java.util.List;
import java.util.Objects;

import dev.kubeproof.controls.Finding;

/**
 * What a runtime control found in one audit event: the evidence subject it is about, in words and in fields.
 *
 * @param controlId       the runtime control
 * @param subject         what the finding is about: the object acted on, or the principal who acted
 * @param message         one line naming who did what to what
 * @param findings        the facts behind it (verb, response, command, rule...)
 * @param attempt         true when the API server denied the request: recorded as an attempt, never as done
 * @param everyOccurrence true when each occurrence is its own finding (an exec session, a privileged pod created);
 *                        false when an identical finding already open is not repeated (the same person reading the
 *                        same secret again)
 */
public record Detection(String controlId, Subject subject, String message, List<Finding> findings, boolean attempt,
                        boolean everyOccurrence) {
    public Detection {
        Objects.requireNonNull(controlId, "controlId");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(message, "message");
        findings = List.copyOf(findings);
    }

    /** The subject of runtime evidence: a Kubernetes object, a principal (kind {@code User}) or the cluster. */
    public record Subject(String kind, String apiVersion, String namespace, String name, String uid) {
        public static final String USER_KIND = "User";
        public static final String USER_API_VERSION = "rbac.authorization.k8s.io/v1";

        public Subject {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(apiVersion, "apiVersion");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(uid, "uid");
        }

        /** A principal; its uid is stable across events ({@code user:<name>}), as an evidence key needs. */
        public static Subject user(String username) {
            return new Subject(USER_KIND, USER_API_VERSION, null, username, "user:" + username);
        }
    }
}
