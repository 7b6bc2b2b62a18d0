package dev.kubeproof.report.model;

import java.util.List;
import java.util.Objects;

/**
 * Checks one key's records of a period against its hash chain: every record's hash is the SHA-256 of its canonical
 * encoding, sequences follow each other without gap or repeat from the anchor's, and every record links to the
 * hash of the one before it (the first one to the anchor's). Records before the anchor are out of scope: the
 * period's evidence is proved continuous from the hash it starts at, which the manifest names.
 *
 * @param key           the evidence key
 * @param firstSequence the period's first sequence (0 when the period has only the anchor)
 * @param lastSequence  the last sequence in the period (0 likewise)
 * @param anchorHash    the hash the period's first record links to: the previous record's (null for sequence 1)
 * @param lastHash      the hash of the key's last record in or before the period
 * @param records       the period's records
 * @param problem       what is wrong, naming the key and sequence; null when the chain holds
 */
public record ChainCheck(String key, long firstSequence, long lastSequence, String anchorHash, String lastHash, int records,
                         String problem) {

    public boolean ok() {
        return problem == null;
    }

    /** Checks a key's period records (in the order given) after its anchor (null when there is none). */
    public static ChainCheck of(String key, Transition anchor, List<Transition> records) {
        Objects.requireNonNull(key, "key");
        String lastHash = anchor == null ? null : anchor.hash();
        if (anchor != null && !anchor.hashMatches()) {
            return result(key, anchor, records, "key " + key + " sequence " + anchor.sequence()
                    + " (the record before the period): content does not match its hash " + anchor.hash());
        }
        Transition previous = anchor;
        for (int i = 0; i < records.size(); i++) {
            Transition record = records.get(i);
            String at = "key " + key + " sequence " + record.sequence() + " (" + record.evidenceId() + ")";
            long expected = previous == null ? 1 : previous.sequence() + 1;
            if (record.sequence() != expected && comesLater(records, i, expected)) {
                return result(key, anchor, records, at + " comes before sequence " + expected + " (records out of order)");
            }
            if (!record.key().equals(key)) {
                return result(key, anchor, records, at + " belongs to key " + record.key());
            }
            if (!record.hashMatches()) {
                return result(key, anchor, records, at + ": content does not match its hash " + record.hash()
                        + " (the record was altered)");
            }
            if (previous == null && record.sequence() != 1) {
                return result(key, anchor, records, at + ": the records before sequence " + record.sequence() + " are missing");
            }
            if (previous != null) {
                if (record.sequence() == previous.sequence()) {
                    return result(key, anchor, records, at + " appears twice");
                }
                if (record.sequence() < expected) {
                    return result(key, anchor, records, at + " comes after sequence " + previous.sequence()
                            + " (records out of order)");
                }
                if (record.sequence() > expected) {
                    return result(key, anchor, records, "key " + key + " sequence " + expected
                            + (record.sequence() - expected > 1 ? " to " + (record.sequence() - 1) : "")
                            + " missing before sequence " + record.sequence());
                }
                if (!Objects.equals(previous.hash(), record.previousHash())) {
                    return result(key, anchor, records, at + ": links to " + record.previousHash()
                            + ", not to the hash of sequence " + previous.sequence() + " (" + previous.hash() + ")");
                }
            }
            previous = record;
            lastHash = record.hash();
        }
        return new ChainCheck(key, records.isEmpty() ? 0 : records.get(0).sequence(),
                records.isEmpty() ? 0 : records.get(records.size() - 1).sequence(),
                records.isEmpty() ? null : records.get(0).previousHash(), lastHash, records.size(), null);
    }

    private static boolean comesLater(List<Transition> records, int index, long sequence) {
        for (int later = index + 1; later < records.size(); later++) {
            if (records.get(later).sequence() == sequence) {
                return true;
            }
        }
        return false;
    }

    private static ChainCheck result(String key, Transition anchor, List<Transition> records, String problem) {
        return new ChainCheck(key, records.isEmpty() ? 0 : records.get(0).sequence(),
                records.isEmpty() ? 0 : records.get(records.size() - 1).sequence(),
                records.isEmpty() ? null : records.get(0).previousHash(),
                records.isEmpty() ? (anchor == null ? null : anchor.hash()) : records.get(records.size() - 1).hash(),
                records.size(), problem);
    }
}
