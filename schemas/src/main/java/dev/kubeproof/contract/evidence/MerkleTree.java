package dev.kubeproof.contract.evidence;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.HexFormat;

/**
 * The Merkle tree hash of RFC 6962 (section 2.1, SHA-256: leaves hashed with a 0x00 prefix, nodes with 0x01),
 * computed as leaves arrive in order while holding only one hash per level: a full left subtree is folded as soon as
 * it is complete, so a checkpoint over millions of chain heads needs O(log n) memory.
 *
 * <p>A leaf is a chain head: {@code key NUL sequence NUL hash}. Heads are added in the order of their keys' UTF-8
 * bytes ({@link #KEY_ORDER}): the order of a RocksDB store of string keys and of an Elasticsearch keyword sort, so
 * every party that recomputes a root enumerates the same leaves in the same order.
 */
public final class MerkleTree {
    /**
     * Key order of the leaves: unsigned lexicographic over UTF-8 bytes, which is code-point order, compared without
     * encoding the strings (readers keep keys sorted in trees and compare them often).
     */
    public static final Comparator<String> KEY_ORDER = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(j);
            if (x != y) {
                return Integer.compare(x, y);
            }
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };

    private final Deque<Subtree> stack = new ArrayDeque<>();
    private final MessageDigest digest;
    private long leaves;

    private record Subtree(byte[] hash, long size) {
    }

    public MerkleTree() {
        try {
            digest = MessageDigest.getInstance(EvidenceChain.ALGORITHM);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks " + EvidenceChain.ALGORITHM, e);
        }
    }

    /** Adds the head of one chain; heads must come in {@link #KEY_ORDER}. */
    public MerkleTree addHead(String key, long sequence, String hash) {
        return addLeaf((key + '\0' + sequence + '\0' + hash).getBytes(StandardCharsets.UTF_8));
    }

    /** Adds one leaf's data. */
    public MerkleTree addLeaf(byte[] data) {
        byte[] hash = hash((byte) 0, data, null);
        long size = 1;
        while (!stack.isEmpty() && stack.peek().size() == size) {
            hash = hash((byte) 1, stack.pop().hash(), hash);
            size *= 2;
        }
        stack.push(new Subtree(hash, size));
        leaves++;
        return this;
    }

    public long leaves() {
        return leaves;
    }

    /** The root as hex: the hash of the empty string for no leaves, as RFC 6962 defines. */
    public String root() {
        if (stack.isEmpty()) {
            return HexFormat.of().formatHex(digest.digest(new byte[0]));
        }
        // The subtrees on the stack are perfect and shrink from bottom to top; RFC 6962 splits at the largest power
        // of two, so folding them from the smallest (top) to the largest (bottom) yields the same tree.
        byte[] hash = null;
        for (Subtree subtree : stack) {
            hash = hash == null ? subtree.hash() : hash((byte) 1, subtree.hash(), hash);
        }
        return HexFormat.of().formatHex(hash);
    }

    private byte[] hash(byte prefix, byte[] first, byte[] second) {
        digest.reset();
        digest.update(prefix);
        digest.update(first);
        if (second != null) {
            digest.update(second);
        }
        return digest.digest();
    }
}
