package dev.kubeproof.controls.cel;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.controls.ClusterView;
import dev.kubeproof.controls.ControlEngine;
import dev.kubeproof.controls.ControlResult;
import dev.kubeproof.controls.ControlSettings;

/** Runs a custom control's own cases through the engine, as scan and the evidence topology would judge them. */
public final class CelControlCases {
    private CelControlCases() {
    }

    /**
     * The outcome of one case.
     *
     * @param actual  the status the engine gave
     * @param message its message (the failure's, or why it errored)
     */
    public record Outcome(CelControl control, CelControl.Case testCase, String actual, String message) {
        public boolean passed() {
            return testCase.expect().name().equals(actual);
        }
    }

    public static List<Outcome> run(List<CelControl> controls, ControlSettings settings) {
        ControlEngine engine = ControlEngine.load(settings, controls);
        List<Outcome> outcomes = new ArrayList<>();
        for (CelControl control : controls) {
            for (CelControl.Case testCase : control.cases()) {
                ClusterView view = namespaceView(testCase.namespaceObject());
                ControlResult result = engine.evaluate(testCase.object(), view).stream()
                        .filter(r -> r.control().id().equals(control.id())).findFirst().orElse(null);
                outcomes.add(new Outcome(control, testCase, result == null ? "NOT_EVALUATED (kind "
                        + testCase.object().path("kind").asText() + " is not in appliesTo)" : result.status().name(),
                        result == null ? "" : result.message()));
            }
        }
        return outcomes;
    }

    private static ClusterView namespaceView(JsonNode namespace) {
        return new ClusterView() {
            @Override
            public List<JsonNode> objects(String kind, String inNamespace) {
                return namespace != null && kind.equals("Namespace") ? List.of(namespace) : List.of();
            }

            @Override
            public Optional<ImageScan> imageScan(String image) {
                return Optional.empty();
            }
        };
    }
}
