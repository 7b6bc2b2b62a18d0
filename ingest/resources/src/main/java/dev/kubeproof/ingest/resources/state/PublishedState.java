package dev.kubeproof.ingest.resources.state;

import java.util.Map;
import java.util.function.Predicate;

/**
 * What kubeproof has published so far: the latest record per key of the compacted resource-changes topic, with
 * tombstoned keys absent. Read once when a collector starts leading, to tell unchanged objects (SYNC) from
 * changed ones (MODIFIED) and to find objects deleted while no collector was watching.
 */
@FunctionalInterface
public interface PublishedState {
    /**
     * Reads the state up to the current end of the topic.
     *
     * @param keyFilter which keys to keep (this cluster's, of the watched kinds)
     * @return a mutable map, key to what was last published
     */
    Map<String, KnownObject> load(Predicate<String> keyFilter);
}
