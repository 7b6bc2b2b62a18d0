package dev.kubeproof.controls.cel;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kubeproof.controls.ControlDefinition;
import dev.kubeproof.controls.Status;

/**
 * A control written in CEL, as a control file (or an imported ValidatingAdmissionPolicy) declares it: its catalog
 * definition, the conditions that select the objects it judges, the validations every selected object must pass,
 * its parameters and its own test cases.
 *
 * @param source where it was read (file, and document when the file has several)
 */
public record CelControl(ControlDefinition definition, boolean excludeSystemNamespaces, List<Expression> variables,
                         List<Expression> matchConditions, List<Validation> validations, JsonNode params, List<Case> cases,
                         String source) {

    /** A named expression: a variable (read as {@code variables.name}) or a match condition (all must be true). */
    public record Expression(String name, String expression) {
    }

    /**
     * A boolean expression the object must satisfy; {@code message} (or the string {@code messageExpression}) says
     * what is wrong when it is false.
     */
    public record Validation(String expression, String message, String messageExpression) {
    }

    /**
     * One of the file's own examples and the result it must give.
     *
     * @param namespaceObject the namespace the object is in, for expressions that read it (may be null)
     */
    public record Case(String name, Status expect, JsonNode object, JsonNode oldObject, JsonNode namespaceObject) {
    }

    public String id() {
        return definition.id();
    }

}
