package dev.kubeproof.controls.check;

/**
 * The evaluation code of one control: small, pure, registered under the control's id. A check that throws is
 * turned into an ERROR result by the engine.
 */
@FunctionalInterface
public interface Check {

    Verdict evaluate(Subject subject);
}
