package dev.kubeproof.controls.cel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.NullValue;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.SimpleType;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;

import dev.kubeproof.controls.catalog.CatalogException;
import dev.kubeproof.controls.Finding;
import dev.kubeproof.controls.check.Check;
import dev.kubeproof.controls.check.Subject;
import dev.kubeproof.controls.check.Verdict;

/**
 * A {@link CelControl} compiled with Google's CEL-Java, as a {@link Check}: the control's variables, then its match
 * conditions (any false: NOT_APPLICABLE), then its validations (any false: FAIL with its message). Expressions are
 * compiled and type-checked once, when the control is loaded; an error names the control, the expression and its line
 * and column. At run time an expression that fails (a missing field read without {@code has()}, a wrong type) or
 * exceeds its cost makes that result ERROR, which the engine records; nothing stops.
 *
 * <p>Cost: CEL-Java has no cost estimator, so the runtime cost is counted as Kubernetes counts it at run time, one
 * unit per evaluated sub-expression, and an expression stops at {@link #DEFAULT_COST_LIMIT} (the API server's
 * per-expression limit).
 */
public final class CelCheck implements Check {
    /** Kubernetes' runtime cost limit of one admission policy expression. */
    public static final long DEFAULT_COST_LIMIT = 1_000_000;

    private static final Cel CEL = CelFactory.standardCelBuilder()
            .setOptions(CelOptions.current().build())
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("object", SimpleType.DYN)
            .addVar("oldObject", SimpleType.DYN)
            .addVar("namespaceObject", SimpleType.DYN)
            .addVar("params", SimpleType.DYN)
            .addVar("variables", SimpleType.DYN)
            .addCompilerLibraries(CelExtensions.strings(), CelExtensions.math(CelOptions.current().build()),
                    CelExtensions.sets(CelOptions.current().build()))
            .addRuntimeLibraries(CelExtensions.strings(), CelExtensions.math(CelOptions.current().build()),
                    CelExtensions.sets(CelOptions.current().build()))
            .build();

    private record Compiled(String where, String name, CelRuntime.Program program) {
    }

    private final CelControl control;
    private final List<Compiled> variables;
    private final List<Compiled> conditions;
    private final List<Compiled> validations;
    private final List<Compiled> messages;
    private final Object params;
    private final long costLimit;

    private CelCheck(CelControl control, List<Compiled> variables, List<Compiled> conditions, List<Compiled> validations,
                     List<Compiled> messages, long costLimit) {
        this.control = control;
        this.variables = variables;
        this.conditions = conditions;
        this.validations = validations;
        this.messages = messages;
        this.params = CelValues.of(control.params());
        this.costLimit = costLimit;
    }

    /** Compiles every expression of the control; all problems at once, each with its position. */
    public static CelCheck compile(CelControl control) {
        return compile(control, DEFAULT_COST_LIMIT);
    }

    public static CelCheck compile(CelControl control, long costLimit) {
        List<String> problems = new ArrayList<>();
        List<Compiled> variables = new ArrayList<>();
        List<Compiled> conditions = new ArrayList<>();
        List<Compiled> validations = new ArrayList<>();
        List<Compiled> messages = new ArrayList<>();
        for (int i = 0; i < control.variables().size(); i++) {
            CelControl.Expression variable = control.variables().get(i);
            add(variables, "variables[" + i + "] (" + variable.name() + ")", variable.name(), variable.expression(), null,
                    control, problems);
        }
        for (int i = 0; i < control.matchConditions().size(); i++) {
            CelControl.Expression condition = control.matchConditions().get(i);
            add(conditions, "matchConditions[" + i + "] (" + condition.name() + ")", condition.name(), condition.expression(),
                    CelKind.BOOL, control, problems);
        }
        for (int i = 0; i < control.validations().size(); i++) {
            CelControl.Validation validation = control.validations().get(i);
            add(validations, "validations[" + i + "].expression", null, validation.expression(), CelKind.BOOL, control,
                    problems);
            if (validation.messageExpression() != null) {
                add(messages, "validations[" + i + "].messageExpression", null, validation.messageExpression(),
                        CelKind.STRING, control, problems);
            } else {
                messages.add(null);
            }
        }
        if (!problems.isEmpty()) {
            throw new CatalogException(control.source(), problems);
        }
        return new CelCheck(control, variables, conditions, validations, messages, costLimit);
    }

    private static void add(List<Compiled> into, String where, String name, String expression, CelKind expected,
                            CelControl control, List<String> problems) {
        String prefix = "control " + control.id() + " " + where;
        try {
            CelAbstractSyntaxTree ast = CEL.compile(expression).getAst();
            CelKind kind = ast.getResultType().kind();
            if (expected != null && kind != expected && kind != CelKind.DYN) {
                problems.add(prefix + ": must be a " + expected.name().toLowerCase() + " expression, is "
                        + ast.getResultType().name() + ": " + expression);
                return;
            }
            into.add(new Compiled(where, name, CEL.createProgram(ast)));
        } catch (CelEvaluationException e) {
            problems.add(prefix + ": cannot be planned: " + e.getMessage());
        } catch (CelValidationException e) {
            for (CelIssue issue : e.getErrors()) {
                problems.add(prefix + " line " + issue.getSourceLocation().getLine() + ", column "
                        + (issue.getSourceLocation().getColumn() + 1) + ": " + issue.getMessage() + ": " + expression);
            }
        } catch (RuntimeException e) {
            problems.add(prefix + ": " + e.getMessage());
        }
    }

    @Override
    public Verdict evaluate(Subject subject) {
        Map<String, Object> bindings = new LinkedHashMap<>();
        bindings.put("object", CelValues.of(subject.object()));
        bindings.put("oldObject", NullValue.NULL_VALUE); // kubeproof judges states, not requests
        bindings.put("namespaceObject", CelValues.of(namespaceOf(subject)));
        bindings.put("params", params);
        Map<String, Object> variableValues = new LinkedHashMap<>();
        bindings.put("variables", variableValues);
        for (Compiled variable : variables) {
            variableValues.put(variable.name(), eval(variable, bindings));
        }
        for (Compiled condition : conditions) {
            if (!bool(condition, eval(condition, bindings))) {
                return Verdict.notApplicable("match condition " + condition.name() + " is false");
            }
        }
        List<Finding> findings = new ArrayList<>();
        for (int i = 0; i < validations.size(); i++) {
            Compiled validation = validations.get(i);
            if (!bool(validation, eval(validation, bindings))) {
                CelControl.Validation declared = control.validations().get(i);
                String message = messages.get(i) != null ? String.valueOf(eval(messages.get(i), bindings))
                        : declared.message() != null ? declared.message() : "failed: " + declared.expression();
                findings.add(new Finding("validations[" + i + "]", null, null, message));
            }
        }
        return Verdict.of(findings, "every validation holds");
    }

    /** The object's Namespace as the cluster view knows it; null for cluster-scoped objects or when unknown. */
    private static JsonNode namespaceOf(Subject subject) {
        String namespace = subject.object().path("metadata").path("namespace").asText("");
        if (namespace.isEmpty()) {
            return null;
        }
        return subject.view().namespace(namespace).orElse(null);
    }

    private Object eval(Compiled compiled, Map<String, Object> bindings) {
        long[] cost = {0};
        try {
            return compiled.program().trace(bindings, (expr, result) -> {
                if (++cost[0] > costLimit) {
                    throw new CostLimitExceeded();
                }
            });
        } catch (CostLimitExceeded e) {
            throw new IllegalStateException(compiled.where() + " exceeded the cost limit of " + costLimit);
        } catch (CelEvaluationException | RuntimeException e) {
            for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                if (cause instanceof CostLimitExceeded) {
                    throw new IllegalStateException(compiled.where() + " exceeded the cost limit of " + costLimit);
                }
            }
            throw new IllegalStateException(compiled.where() + ": " + e.getMessage(), e);
        }
    }

    private static boolean bool(Compiled compiled, Object value) {
        if (value instanceof Boolean b) {
            return b;
        }
        throw new IllegalStateException(compiled.where() + " gave " + value + ", not a bool");
    }

    /** Thrown from the evaluation listener to stop an expression that costs too much. */
    private static final class CostLimitExceeded extends RuntimeException {
        CostLimitExceeded() {
            super("cost limit exceeded", null, false, false);
        }
    }
}
