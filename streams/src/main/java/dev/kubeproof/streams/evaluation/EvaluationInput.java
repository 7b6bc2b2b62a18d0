package dev.kubeproof.streams.evaluation;

import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.avro.ResourceChange;

/** What the evaluation processor reads: a resource change or an image scan, merged into one stream. */
public record EvaluationInput(ResourceChange change, ImageScan scan) {
    public EvaluationInput {
        if ((change == null) == (scan == null)) {
            throw new IllegalArgumentException("exactly one of change and scan must be set");
        }
    }

    public static EvaluationInput of(ResourceChange change) {
        return new EvaluationInput(change, null);
    }

    public static EvaluationInput of(ImageScan scan) {
        return new EvaluationInput(null, scan);
    }
}
