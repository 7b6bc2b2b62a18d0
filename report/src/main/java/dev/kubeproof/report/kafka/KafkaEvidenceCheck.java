package dev.kubeproof.report.kafka;

import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import dev.kubeproof.avro.Checkpoint;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.contract.evidence.EvidenceChain;
import dev.kubeproof.contract.evidence.EvidenceChain.Head;
import dev.kubeproof.contract.evidence.MerkleTree;
import dev.kubeproof.report.checkpoint.CheckpointVerification;
import dev.kubeproof.report.model.Period;

/**
 * {@code evidence verify --source kafka}: reads the evidence topic itself, partition by partition from its first
 * offset to its last committed one, and checks every record against the head of its key's chain; at each checkpoint
 * of the partition (its {@code throughOffset}) it recomputes the Merkle root over the heads read so far.
 *
 * <p>Memory: the heads of one partition at a time (key, sequence, hash, status: about 300 bytes each), never the
 * records. A cluster of 100,000 pods with some 2 million evidence keys over 6 partitions holds about 100 MB.
 */
public final class KafkaEvidenceCheck {
    private static final Duration POLL = Duration.ofMillis(500);
    private static final int SHOWN = 20;

    /**
     * What the check found.
     *
     * @param records      records read
     * @param keys         distinct keys
     * @param partitions   partitions read
     * @param problemCounts chain problems by kind (MISSING, DUPLICATE, ...)
     * @param problems     the first chain problems, by key and sequence
     * @param checkpoints  the checkpoints (ids, signatures, links) and every recomputed root in the period
     */
    public record Result(long records, long keys, int partitions, Map<String, Long> problemCounts, List<String> problems,
                         CheckpointVerification checkpoints) {
        public boolean ok() {
            return problemCounts.isEmpty() && checkpoints.ok();
        }
    }

    private KafkaEvidenceCheck() {
    }

    /**
     * @param evidence    a consumer of the evidence topic (read_committed, no group needed: partitions are assigned)
     * @param checkpoints a consumer of the checkpoints topic
     * @param period      the checkpoints whose roots are recomputed: those made in it
     * @param publicKey   the pipeline's checkpoint key, or null to leave signatures unchecked
     */
    public static Result run(Consumer<String, EvidenceRecord> evidence, String evidenceTopic,
                             Consumer<String, Checkpoint> checkpoints, String checkpointTopic, Period period,
                             PublicKey publicKey) {
        List<TopicPartition> partitions = evidence.partitionsFor(evidenceTopic).stream()
                .map(info -> new TopicPartition(evidenceTopic, info.partition())).sorted(java.util.Comparator
                        .comparingInt(TopicPartition::partition)).toList();
        // An absent topic is not an empty chain: "OK: 0 records" would read as a pass (a wrong topic prefix, say)
        if (partitions.isEmpty()) {
            throw new IllegalArgumentException("no evidence in Kafka: topic " + evidenceTopic + " does not exist (has the "
                    + "pipeline run? is topicPrefix its prefix?)");
        }
        List<Checkpoint> all = readAll(checkpoints, checkpointTopic);
        CheckpointVerification links = CheckpointVerification.of(all, publicKey);
        Map<Integer, List<Checkpoint>> toRecompute = new HashMap<>();
        for (Checkpoint checkpoint : all) {
            if (checkpoint.getTopic().equals(evidenceTopic) && !checkpoint.getCreatedAt().isBefore(period.from())
                    && checkpoint.getCreatedAt().isBefore(period.to())) {
                toRecompute.computeIfAbsent(checkpoint.getPartition(), p -> new ArrayList<>()).add(checkpoint);
            }
        }
        toRecompute.values().forEach(list -> list.sort(java.util.Comparator.comparingLong(Checkpoint::getThroughOffset)));

        Map<String, Long> counts = new TreeMap<>();
        List<String> problems = new ArrayList<>(links.problems());
        List<CheckpointVerification.Recomputed> recomputed = new ArrayList<>();
        List<String> chainProblems = new ArrayList<>();
        long records = 0;
        long keys = 0;
        for (TopicPartition partition : partitions) {
            // kept in key order: every checkpoint of the partition walks them as they are, without sorting
            Map<String, Head> heads = new TreeMap<>(MerkleTree.KEY_ORDER);
            List<Checkpoint> pending = new ArrayList<>(toRecompute.getOrDefault(partition.partition(), List.of()));
            evidence.assign(List.of(partition));
            evidence.seekToBeginning(List.of(partition));
            long end = evidence.endOffsets(List.of(partition)).get(partition);
            while (evidence.position(partition) < end) {
                for (ConsumerRecord<String, EvidenceRecord> record : evidence.poll(POLL)) {
                    while (!pending.isEmpty() && record.offset() > pending.get(0).getThroughOffset()) {
                        recompute(pending.remove(0), heads, recomputed, problems);
                    }
                    records++;
                    String key = record.key();
                    Head head = heads.get(key);
                    EvidenceChain.Verification problem = EvidenceChain.follows(key, head, record.value());
                    if (problem != null) {
                        counts.merge(problem.problem().name(), 1L, Long::sum);
                        if (chainProblems.size() < SHOWN) {
                            chainProblems.add("key " + key + " at offset " + partition.partition() + "/" + record.offset()
                                    + ": " + problem.reason());
                        }
                    }
                    // keep the highest sequence as the head, as the checkpointer does
                    if (head == null || record.value().getChain().getSequence() > head.sequence()) {
                        heads.put(key, Head.of(record.value()));
                    }
                }
            }
            for (Checkpoint checkpoint : pending) {
                recompute(checkpoint, heads, recomputed, problems);
            }
            keys += heads.size();
        }
        CheckpointVerification checked = new CheckpointVerification(all, List.copyOf(recomputed), List.copyOf(problems));
        return new Result(records, keys, partitions.size(), counts, chainProblems, checked);
    }

    private static void recompute(Checkpoint checkpoint, Map<String, Head> heads,
                                  List<CheckpointVerification.Recomputed> recomputed, List<String> problems) {
        MerkleTree tree = new MerkleTree();
        heads.forEach((key, head) -> tree.addHead(key, head.sequence(), head.hash()));
        CheckpointVerification.Recomputed result = CheckpointVerification.recomputed(checkpoint, tree);
        recomputed.add(result);
        if (!result.matches()) {
            problems.add(CheckpointVerification.mismatch(checkpoint, tree, "the topic's"));
        }
    }

    private static List<Checkpoint> readAll(Consumer<String, Checkpoint> consumer, String topic) {
        List<Checkpoint> all = new ArrayList<>();
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(info -> new TopicPartition(topic, info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
            consumer.poll(POLL).forEach(record -> all.add(record.value()));
        }
        all.sort(java.util.Comparator.comparing(Checkpoint::getPartition).thenComparing(Checkpoint::getCreatedAt));
        return all;
    }
}
