package dev.kubeproof.contract.evidence;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.kubeproof.contract.evidence.EvidenceKey;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.HashChain;

/**
 * The hash chain of one evidence key (cluster, control, resource uid): each record names its sequence number
 * and the hash of its predecessor, and its own hash covers its canonical encoding including that link. A
 * missing, reordered, duplicated or altered record therefore breaks {@link #verify(List)}.
 */
public final class EvidenceChain {
    public static final String ALGORITHM = "SHA-256";

    private EvidenceChain() {
    }



    /** Deterministic evidence id: hex SHA-256 of {@code key + "#" + sequence}, so a replay yields the same id. */
    public static String evidenceId(String key, long sequence) {
        return sha256Hex((key + "#" + sequence).getBytes(StandardCharsets.UTF_8));
    }

    /** The hash the record should carry: hex SHA-256 of its canonical encoding (everything but the hash itself). */
    public static String hashOf(EvidenceRecord record) {
        return sha256Hex(CanonicalEncoding.of(record));
    }

    /**
     * Completes a record whose fields are all set except its chain: links it after {@code previous} (null for
     * the key's first record), assigns the evidence id and computes the hash.
     */
    public static EvidenceRecord link(EvidenceRecord.Builder unlinked, String key, EvidenceRecord previous) {
        long sequence = previous == null ? 1 : previous.getChain().getSequence() + 1;
        unlinked.setEvidenceId(evidenceId(key, sequence));
        unlinked.setChain(HashChain.newBuilder()
                .setSequence(sequence)
                .setPreviousHash(previous == null ? null : previous.getChain().getHash())
                .setHash("")
                .setAlgorithm(ALGORITHM)
                .build());
        EvidenceRecord record = unlinked.build();
        record.getChain().setHash(hashOf(record));
        return record;
    }

    /**
     * Verifies the records of ONE key, in the order they were read (topic order), starting at sequence 1.
     *
     * @return {@link Verification#valid()} or the first bad sequence and why
     */
    public static Verification verify(List<EvidenceRecord> records) {
        Objects.requireNonNull(records, "records");
        if (records.isEmpty()) {
            return Verification.ok(null, 0);
        }
        String key = EvidenceKey.of(records.get(0));
        Head head = null;
        for (int i = 0; i < records.size(); i++) {
            EvidenceRecord record = records.get(i);
            long sequence = record.getChain().getSequence();
            long expected = head == null ? 1 : head.sequence() + 1;
            if (sequence != expected && EvidenceKey.of(record).equals(key)) {
                return sequenceProblem(key, records, i, expected, sequence);
            }
            Verification problem = follows(key, head, record);
            if (problem != null) {
                return problem;
            }
            head = Head.of(record);
        }
        return Verification.ok(key, records.size());
    }

    /**
     * The head of a chain as far as it was read: all a reader that streams a topic needs to keep per key.
     *
     * @param sequence the last sequence read
     * @param hash     its hash
     * @param status   its status (the next record's previousStatus)
     */
    public record Head(long sequence, String hash, dev.kubeproof.avro.EvidenceStatus status) {
        public static Head of(EvidenceRecord record) {
            return new Head(record.getChain().getSequence(), record.getChain().getHash(), record.getStatus());
        }
    }

    /**
     * Checks that one record continues its key's chain after {@code head} (null: it must be the first): its key,
     * sequence, hash, link and id. For readers that stream records and keep only each key's {@link Head}.
     *
     * @return null when it follows, else the problem (a sequence problem says whether records are missing or repeated)
     */
    public static Verification follows(String key, Head head, EvidenceRecord record) {
        long sequence = record.getChain().getSequence();
        if (!EvidenceKey.of(record).equals(key)) {
            return Verification.bad(key, sequence, Problem.WRONG_KEY,
                    "record " + record.getEvidenceId() + " belongs to key " + EvidenceKey.of(record) + ", not " + key);
        }
        long expected = head == null ? 1 : head.sequence() + 1;
        if (sequence > expected) {
            return Verification.bad(key, expected, Problem.MISSING, "sequence " + expected
                    + (sequence - expected > 1 ? " to " + (sequence - 1) : "") + " missing before " + sequence);
        }
        if (sequence < expected) {
            return Verification.bad(key, sequence, sequence == expected - 1 && record.getChain().getHash().equals(head.hash())
                    ? Problem.DUPLICATE : Problem.REORDERED, sequence == expected - 1
                    && record.getChain().getHash().equals(head.hash()) ? "sequence " + sequence + " appears twice"
                    : "sequence " + sequence + " came after " + (expected - 1));
        }
        String actualHash = hashOf(record);
        if (!actualHash.equals(record.getChain().getHash())) {
            return Verification.bad(key, sequence, Problem.ALTERED, "sequence " + sequence
                    + ": content does not match its hash (recomputed " + actualHash + ", recorded "
                    + record.getChain().getHash() + ")");
        }
        String expectedPrevious = head == null ? null : head.hash();
        if (!Objects.equals(expectedPrevious, record.getChain().getPreviousHash())) {
            return Verification.bad(key, sequence, Problem.BROKEN_LINK, "sequence " + sequence
                    + ": previousHash " + record.getChain().getPreviousHash() + " is not the hash of sequence "
                    + (sequence - 1) + " (" + expectedPrevious + ")");
        }
        if (!evidenceId(key, sequence).equals(record.getEvidenceId())) {
            return Verification.bad(key, sequence, Problem.ALTERED, "sequence " + sequence
                    + ": evidenceId " + record.getEvidenceId() + " is not the one derived from key and sequence");
        }
        if (head != null && head.status() != record.getPreviousStatus()) {
            return Verification.bad(key, sequence, Problem.BROKEN_LINK, "sequence " + sequence
                    + ": previousStatus " + record.getPreviousStatus() + " but sequence " + (sequence - 1)
                    + " has status " + head.status());
        }
        return null;
    }

    /** Verifies records of many keys (each key's records in topic order), key by key. */
    public static Map<String, Verification> verifyAll(List<EvidenceRecord> records) {
        Map<String, List<EvidenceRecord>> byKey = new LinkedHashMap<>();
        for (EvidenceRecord record : records) {
            byKey.computeIfAbsent(EvidenceKey.of(record), k -> new ArrayList<>()).add(record);
        }
        Map<String, Verification> results = new LinkedHashMap<>();
        byKey.forEach((key, chain) -> results.put(key, verify(chain)));
        return results;
    }

    private static Verification sequenceProblem(String key, List<EvidenceRecord> records, int index, long expected,
                                                 long actual) {
        for (int earlier = 0; earlier < index; earlier++) {
            EvidenceRecord seen = records.get(earlier);
            if (seen.getChain().getSequence() == actual && seen.getChain().getHash().equals(records.get(index).getChain().getHash())) {
                return Verification.bad(key, actual, Problem.DUPLICATE, "sequence " + actual + " appears twice");
            }
        }
        for (int later = index + 1; later < records.size(); later++) {
            if (records.get(later).getChain().getSequence() == expected) {
                return Verification.bad(key, actual, Problem.REORDERED, "sequence " + actual + " came where "
                        + expected + " was expected; " + expected + " comes later");
            }
        }
        if (actual > expected) {
            return Verification.bad(key, expected, Problem.MISSING, "sequence " + expected
                    + (actual - expected > 1 ? " to " + (actual - 1) : "") + " missing before " + actual);
        }
        return Verification.bad(key, actual, Problem.REORDERED, "sequence " + actual + " came after "
                + (expected - 1));
    }

    /** What is wrong with a chain. */
    public enum Problem {
        /** One or more sequence numbers are absent. */
        MISSING,
        /** Records are out of sequence order. */
        REORDERED,
        /** The same record appears twice. */
        DUPLICATE,
        /** A record's content (or id) differs from what was hashed. */
        ALTERED,
        /** A record does not link to its predecessor (previousHash or previousStatus). */
        BROKEN_LINK,
        /** A record of another key was mixed in. */
        WRONG_KEY
    }

    /**
     * The result of verifying one key's chain.
     *
     * @param key              the key verified (null for an empty list)
     * @param valid            true when the whole chain verified
     * @param records          number of records verified (when valid)
     * @param firstBadSequence the first sequence number found bad (when not valid)
     * @param problem          what is wrong (when not valid)
     * @param reason           the problem in words (when not valid)
     */
    public record Verification(String key, boolean valid, long records, Long firstBadSequence, Problem problem,
                               String reason) {
        static Verification ok(String key, long records) {
            return new Verification(key, true, records, null, null, null);
        }

        static Verification bad(String key, long sequence, Problem problem, String reason) {
            return new Verification(key, false, 0, sequence, problem, reason);
        }

        @Override
        public String toString() {
            return valid ? key + ": " + records + " records verified"
                    : key + ": bad at sequence " + firstBadSequence + " (" + problem + "): " + reason;
        }
    }

    public static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(ALGORITHM).digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks " + ALGORITHM, e);
        }
    }
}
