package dev.kubeproof.sink.delivery;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** The records of one poll, kept until every one is finished; then their offsets are committed together. */
public final class Batch {
    private final List<BatchItem> items = new ArrayList<>();

    public Batch(List<BatchItem> items) {
        this.items.addAll(items);
    }

    public List<BatchItem> items() {
        return items;
    }

    public boolean isFinished() {
        return items.stream().allMatch(BatchItem::isFinished);
    }

    /** Forgets the records of partitions this consumer lost: uncommitted, they go to the partitions' new owner. */
    public void dropPartitions(Collection<TopicPartition> revoked) {
        items.removeIf(item -> revoked.contains(new TopicPartition(item.topic(), item.partition())));
    }

    /** The offsets to commit: per partition, one past the highest offset of the batch. */
    public Map<TopicPartition, OffsetAndMetadata> offsets() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (BatchItem item : items) {
            TopicPartition partition = new TopicPartition(item.topic(), item.partition());
            OffsetAndMetadata next = new OffsetAndMetadata(item.offset() + 1);
            offsets.merge(partition, next, (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        return offsets;
    }

    public long count(BatchItem.State state) {
        return items.stream().filter(i -> i.state() == state).count();
    }
}
