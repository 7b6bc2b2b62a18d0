package dev.kubeproof.controls.cel;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kubeproof.controls.ClusterView;
import dev.kubeproof.controls.ControlDefinition;
import dev.kubeproof.controls.ControlEngine;
import dev.kubeproof.controls.ControlResult;
import dev.kubeproof.controls.ControlSettings;
import dev.kubeproof.controls.Evaluator;
import dev.kubeproof.controls.catalog.CatalogException;
import dev.kubeproof.controls.catalog.Framework;
import dev.kubeproof.controls.runtime.AuditRules;

/**
 * The evaluator of a running pipeline whose custom controls change while it runs: the built-in catalog, the custom
 * controls it started with (a directory) and those published since (the custom-controls topic), swapped as one
 * compiled {@link ControlEngine} whenever a published control arrives, changes or is withdrawn.
 *
 * <p>One thread publishes (Kafka Streams' global thread), the stream threads read: each evaluation uses the engine
 * current when it starts, and {@link #controls()} changes identity exactly when the engine does, so a reader that
 * caches per-control data can tell when to refresh. A published control that cannot be used (it does not compile,
 * or its id clashes) is refused with the reason and the engine stays as it was: one bad document never stops the
 * others.
 */
public final class LiveControls implements Evaluator {
    private final ControlSettings settings;
    private final List<CelControl> fixed;
    /** Published controls by id, as compiled from their documents. Written only by the publishing thread. */
    private final Map<String, CelControl> published = new TreeMap<>();
    private volatile ControlEngine engine;
    private volatile Map<String, Revision> revisions = Map.of();

    /**
     * Which version of a published control is in force: the digest of its document, who published it and when.
     * Evidence it changes names the publisher as its actor.
     */
    public record Revision(String digest, String publishedBy, Instant publishedAt) {
    }

    /**
     * @param fixed the custom controls read at start (a directory); published controls may not reuse their ids
     */
    public LiveControls(ControlSettings settings, List<CelControl> fixed) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.fixed = List.copyOf(fixed);
        this.engine = ControlEngine.load(settings, this.fixed);
    }

    /**
     * Publishes (or replaces) the control of {@code id}: the document must declare exactly that one control, compile,
     * and load beside every other control.
     *
     * @throws CatalogException naming the source and what is wrong; the controls in force do not change
     */
    public synchronized void publish(String id, String document, String source, Revision revision) {
        List<CelControl> parsed = CelControlFiles.parse(document, source);
        if (parsed.size() != 1 || !parsed.get(0).id().equals(id)) {
            throw new CatalogException(source, List.of("a published control must be one document declaring " + id
                    + ", found " + parsed.stream().map(CelControl::id).toList()));
        }
        Map<String, CelControl> next = new TreeMap<>(published);
        next.put(id, parsed.get(0));
        Map<String, Revision> nextRevisions = new TreeMap<>(revisions);
        nextRevisions.put(id, Objects.requireNonNull(revision, "revision"));
        swap(next, nextRevisions);
    }

    /** Withdraws the published control of {@code id}; false when none was published under it. */
    public synchronized boolean withdraw(String id) {
        if (!published.containsKey(id)) {
            return false;
        }
        Map<String, CelControl> next = new TreeMap<>(published);
        next.remove(id);
        Map<String, Revision> nextRevisions = new TreeMap<>(revisions);
        nextRevisions.remove(id);
        swap(next, nextRevisions);
        return true;
    }

    /** Ids of the controls published (not those read at start). */
    public synchronized Set<String> publishedIds() {
        return Set.copyOf(published.keySet());
    }

    /**
     * The revision of every published control in force. Read after {@link #controls()}, it is at least as new: a
     * reader that compares revisions may see a change early, never miss one.
     */
    public Map<String, Revision> revisions() {
        return revisions;
    }

    /** The engine in force: built-in, fixed and published controls. */
    public ControlEngine engine() {
        return engine;
    }

    private void swap(Map<String, CelControl> next, Map<String, Revision> nextRevisions) {
        List<CelControl> all = new ArrayList<>(fixed);
        all.addAll(next.values());
        ControlEngine loaded = ControlEngine.load(settings, all); // throws before anything changes
        published.clear();
        published.putAll(next);
        revisions = Map.copyOf(nextRevisions); // before the engine: see revisions()
        engine = loaded;
    }

    @Override
    public List<ControlDefinition> controls() {
        return engine.controls();
    }

    @Override
    public Map<String, Framework> frameworks() {
        return engine.frameworks();
    }

    @Override
    public List<ControlResult> evaluate(JsonNode object, ClusterView view) {
        return engine.evaluate(object, view);
    }

    @Override
    public Set<String> kindsToReevaluate(String changedKind) {
        return engine.kindsToReevaluate(changedKind);
    }

    @Override
    public List<ControlResult> reevaluate(JsonNode object, ClusterView view, String changedKind) {
        return engine.reevaluate(object, view, changedKind);
    }

    @Override
    public AuditRules auditRules() {
        return engine.auditRules();
    }
}
