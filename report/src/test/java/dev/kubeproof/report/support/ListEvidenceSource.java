package dev.kubeproof.report.support;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

import dev.kubeproof.report.model.KeyTimeline;
import dev.kubeproof.report.model.Period;
import dev.kubeproof.report.model.ReportFilter;
import dev.kubeproof.report.model.Transition;
import dev.kubeproof.report.source.EvidenceSource;

/** Evidence held in a list, selected as the Elasticsearch source selects it: for unit tests of what reads it. */
public final class ListEvidenceSource implements EvidenceSource {
    private final List<Transition> all = new ArrayList<>();

    public ListEvidenceSource add(Chains... chains) {
        for (Chains chain : chains) {
            all.addAll(chain.transitions());
        }
        return this;
    }

    @Override
    public void read(Period period, Set<String> controlIds, ReportFilter filter, Consumer<KeyTimeline> consumer,
                     Consumer<Long> onProgress) {
        Map<String, List<Transition>> byKey = new TreeMap<>();
        all.stream().filter(t -> controlIds.contains(t.controlId()) && filter.admits(t))
                .forEach(t -> byKey.computeIfAbsent(t.key(), k -> new ArrayList<>()).add(t));
        byKey.forEach((key, records) -> {
            records.sort(Comparator.comparingLong(Transition::sequence));
            KeyTimeline timeline = KeyTimeline.cut(key, records, period);
            if (timeline != null) {
                consumer.accept(timeline);
            }
        });
    }
}
