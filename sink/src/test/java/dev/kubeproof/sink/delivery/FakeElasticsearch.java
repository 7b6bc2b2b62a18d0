package dev.kubeproof.sink.delivery;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import dev.kubeproof.sink.documents.IndexAction;

/**
 * A scripted stand-in for Elasticsearch in unit tests: stores what is written (creates conflict on an existing id,
 * like Elasticsearch), can be made unreachable, and can answer chosen documents with a chosen failure.
 */
public final class FakeElasticsearch implements DocumentWriter {
    public final Map<String, Map<String, IndexAction>> indices = new LinkedHashMap<>();
    public final List<List<IndexAction>> requests = new ArrayList<>();
    public boolean down;
    public Function<IndexAction, WriteResult> override = a -> null;
    /** What the sink did, in order: "send N" when it handed over request N, "wait N" when it waited for its answers. */
    public final List<String> events = new ArrayList<>();

    /** Answers at once, as Elasticsearch would when the request arrives; the sink takes the answers later. */
    @Override
    public Pending send(List<IndexAction> actions) {
        int request = requests.size() + 1;
        events.add("send " + request);
        List<WriteResult> results = answer(actions);
        return () -> {
            events.add("wait " + request);
            return results;
        };
    }

    private List<WriteResult> answer(List<IndexAction> actions) {
        requests.add(List.copyOf(actions));
        List<WriteResult> results = new ArrayList<>();
        for (IndexAction action : actions) {
            if (down) {
                results.add(WriteResult.retry("UNAVAILABLE", "ConnectException: Connection refused"));
                continue;
            }
            WriteResult scripted = override.apply(action);
            if (scripted != null) {
                results.add(scripted);
                continue;
            }
            Map<String, IndexAction> index = indices.computeIfAbsent(action.index(), i -> new LinkedHashMap<>());
            if (action instanceof IndexAction.Create && index.containsKey(action.id())) {
                results.add(WriteResult.alreadyDone("version_conflict_engine_exception"));
            } else if (action instanceof IndexAction.Delete) {
                results.add(index.remove(action.id()) == null ? WriteResult.alreadyDone("not_found") : WriteResult.written());
            } else {
                index.put(action.id(), action);
                results.add(WriteResult.written());
            }
        }
        return results;
    }

    public int count(String index) {
        return indices.getOrDefault(index, Map.of()).size();
    }

    @Override
    public void close() {
    }
}
