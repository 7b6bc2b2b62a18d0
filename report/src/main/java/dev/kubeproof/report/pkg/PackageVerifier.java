package dev.kubeproof.report.pkg;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.kubeproof.avro.Checkpoint;
import dev.kubeproof.contract.signing.Signing;
import dev.kubeproof.report.checkpoint.CheckpointLines;
import dev.kubeproof.report.checkpoint.CheckpointVerification;
import dev.kubeproof.report.model.ChainCheck;
import dev.kubeproof.report.model.Transition;

/**
 * Checks an evidence package offline, trusting nothing in it but what the given public key signed: the manifest's
 * signature, every file's SHA-256 and size, files added or missing, the record counts, and the hash chains of the
 * evidence appendix key by key against {@code chains.jsonl} and the state at the start. Reads the files a line at a
 * time; each problem names the file, line, key and sequence.
 */
public final class PackageVerifier {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What verification found: problems (the package fails) and notes (it passes, with a caveat). */
    public record Result(List<String> problems, List<String> notes, long records, long keys) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    private final List<String> problems = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    private PackageVerifier() {
    }

    /** @param publicKey the signer's Ed25519 public key (PEM); null to check an unsigned package or skip the signature */
    public static Result verify(Path dir, Path publicKey) throws IOException {
        return verify(dir, publicKey, null);
    }

    /** @param checkpointKey the pipeline's Ed25519 public key (PEM) for the checkpoints' signatures; null to skip them */
    public static Result verify(Path dir, Path publicKey, Path checkpointKey) throws IOException {
        return new PackageVerifier().run(dir, publicKey, checkpointKey);
    }

    private Result run(Path dir, Path publicKey, Path checkpointKey) throws IOException {
        Path manifestFile = dir.resolve(PackageFiles.MANIFEST);
        if (!Files.isRegularFile(manifestFile)) {
            problems.add(PackageFiles.MANIFEST + " is missing from " + dir);
            return new Result(problems, notes, 0, 0);
        }
        byte[] manifestBytes = Files.readAllBytes(manifestFile);
        JsonNode manifest;
        try {
            manifest = JSON.readTree(manifestBytes);
        } catch (IOException e) {
            problems.add(PackageFiles.MANIFEST + " is not valid JSON: " + e.getMessage());
            return new Result(problems, notes, 0, 0);
        }
        signature(dir, manifestBytes, publicKey);
        files(dir, manifest);
        long[] counted = chains(dir, manifest);
        checkpoints(dir, manifest, checkpointKey);
        return new Result(List.copyOf(problems), List.copyOf(notes), counted[0], counted[1]);
    }

    private void signature(Path dir, byte[] manifest, Path publicKey) throws IOException {
        Path signature = dir.resolve(PackageFiles.SIGNATURE);
        boolean signed = Files.isRegularFile(signature);
        if (publicKey == null) {
            notes.add(signed ? "the signature was not checked: give --public-key" : "the package is not signed");
            return;
        }
        if (!signed) {
            problems.add(PackageFiles.SIGNATURE + " is missing: the package is not signed");
        } else if (!Signing.verify(manifest, Files.readString(signature, StandardCharsets.US_ASCII), publicKey)) {
            problems.add(PackageFiles.SIGNATURE + " does not verify against " + publicKey + ": " + PackageFiles.MANIFEST
                    + " was changed after signing, or another key signed it");
        }
    }

    /**
     * The checkpoints as the package holds them: ids, signatures, links. Their roots were recomputed against the store
     * when the package was made (the manifest says with what result); the package holds only its filter's chains.
     */
    private void checkpoints(Path dir, JsonNode manifest, Path checkpointKey) throws IOException {
        Path file = dir.resolve(PackageFiles.CHECKPOINTS);
        if (!Files.isRegularFile(file)) {
            notes.add("the package has no " + PackageFiles.CHECKPOINTS + " (made before checkpoints existed)");
            return;
        }
        List<Checkpoint> checkpoints;
        try {
            checkpoints = CheckpointLines.read(file);
        } catch (IOException e) {
            problems.add(e.getMessage());
            return;
        }
        if (checkpoints.isEmpty()) {
            notes.add("no checkpoint covers the period: removal of a chain's last record would not be detectable");
        } else if (checkpointKey == null) {
            notes.add("the checkpoints' signatures were not checked: give --checkpoint-key");
        }
        CheckpointVerification offline = CheckpointVerification.of(checkpoints,
                checkpointKey == null ? null : Signing.publicKey(checkpointKey), null);
        offline.problems().forEach(problem -> problems.add(PackageFiles.CHECKPOINTS + ": " + problem));
        JsonNode recorded = manifest.path("checkpoints");
        if (recorded.path("count").asLong(-1) != checkpoints.size()) {
            problems.add(PackageFiles.CHECKPOINTS + ": " + checkpoints.size() + " checkpoints, the manifest says "
                    + recorded.path("count").asLong(-1));
        }
        if (!recorded.path("verified").asBoolean(false)) {
            problems.add(PackageFiles.CHECKPOINTS + ": failed verification when the package was made: "
                    + recorded.path("problems"));
        }
    }

    private void files(Path dir, JsonNode manifest) throws IOException {
        Set<String> listed = new HashSet<>();
        for (JsonNode file : manifest.path("files")) {
            String name = file.path("name").asText();
            listed.add(name);
            Path path = dir.resolve(name);
            if (!Files.isRegularFile(path)) {
                problems.add(name + " is listed in the manifest but missing");
                continue;
            }
            long size = Files.size(path);
            if (size != file.path("bytes").asLong()) {
                problems.add(name + ": " + size + " bytes, the manifest says " + file.path("bytes").asLong());
            }
            String sha256 = PackageWriter.sha256(path);
            if (!sha256.equals(file.path("sha256").asText())) {
                problems.add(name + ": SHA-256 " + sha256 + " differs from the manifest's " + file.path("sha256").asText()
                        + " (the file was changed)");
            }
        }
        try (Stream<Path> entries = Files.list(dir)) {
            entries.map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals(PackageFiles.MANIFEST) && !n.equals(PackageFiles.SIGNATURE) && !listed.contains(n))
                    .sorted().forEach(n -> problems.add(n + " is not in the manifest (added after the package was made)"));
        }
    }

    /** Re-checks every key's chain from the appendix; returns {records, keys}. */
    private long[] chains(Path dir, JsonNode manifest) throws IOException {
        Path evidence = dir.resolve(PackageFiles.EVIDENCE);
        Path start = dir.resolve(PackageFiles.STATE_AT_START);
        Path chains = dir.resolve(PackageFiles.CHAINS);
        if (!Files.isRegularFile(evidence) || !Files.isRegularFile(start) || !Files.isRegularFile(chains)) {
            problems.add("the evidence appendix is incomplete: " + PackageFiles.EVIDENCE + ", " + PackageFiles.STATE_AT_START
                    + " and " + PackageFiles.CHAINS + " are all required");
            return new long[2];
        }
        long records = 0;
        long anchors = 0;
        long keys = 0;
        try (LineReader evidenceLines = new LineReader(evidence); LineReader anchorLines = new LineReader(start);
             LineReader chainLines = new LineReader(chains)) {
            JsonNode chain;
            while ((chain = chainLines.next()) != null) {
                keys++;
                String key = chain.path("key").asText();
                Transition anchor = null;
                if (chain.path("anchorSequence").asLong() > 0) {
                    anchor = anchorLines.transition(key);
                    anchors++;
                }
                List<Transition> ofKey = new ArrayList<>();
                for (long i = 0; i < chain.path("records").asLong(); i++) {
                    Transition record = evidenceLines.transition(key);
                    if (record == null) {
                        break;
                    }
                    ofKey.add(record);
                    records++;
                }
                if (ofKey.size() != chain.path("records").asLong()) {
                    continue;
                }
                ChainCheck check = ChainCheck.of(key, anchor, ofKey);
                if (!check.ok()) {
                    problems.add(PackageFiles.EVIDENCE + ": " + check.problem());
                } else if (check.lastSequence() != chain.path("lastSequence").asLong()
                        || !java.util.Objects.equals(check.lastHash(), chain.path("lastHash").asText(null))) {
                    problems.add(PackageFiles.EVIDENCE + ": key " + key + " ends at sequence " + check.lastSequence() + ", "
                            + PackageFiles.CHAINS + " says " + chain.path("lastSequence").asLong());
                }
                if (!chain.path("verified").asBoolean()) {
                    problems.add(PackageFiles.CHAINS + ": key " + key + " failed verification when the package was made: "
                            + chain.path("problem").asText());
                }
            }
            if (evidenceLines.next() != null) {
                problems.add(PackageFiles.EVIDENCE + " line " + evidenceLines.line + ": more records than " + PackageFiles.CHAINS
                        + " accounts for");
            }
            problems.addAll(evidenceLines.problems);
            problems.addAll(anchorLines.problems);
            problems.addAll(chainLines.problems);
        }
        JsonNode counts = manifest.path("counts");
        count(PackageFiles.EVIDENCE, records, counts);
        count(PackageFiles.STATE_AT_START, anchors, counts);
        count(PackageFiles.CHAINS, keys, counts);
        return new long[] {records, keys};
    }

    private void count(String file, long actual, JsonNode counts) {
        long expected = counts.path(file).asLong(-1);
        if (expected != actual) {
            problems.add(file + ": " + actual + " records, the manifest counts " + expected);
        }
    }

    /** Reads JSON lines one at a time, remembering the line number for messages. */
    private static final class LineReader implements AutoCloseable {
        private final BufferedReader reader;
        private final String name;
        private final List<String> problems = new ArrayList<>();
        private long line;
        private JsonNode pending;

        LineReader(Path file) throws IOException {
            this.reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
            this.name = file.getFileName().toString();
        }

        JsonNode next() throws IOException {
            if (pending != null) {
                JsonNode node = pending;
                pending = null;
                return node;
            }
            String text;
            while ((text = reader.readLine()) != null) {
                line++;
                if (text.isBlank()) {
                    continue;
                }
                try {
                    return JSON.readTree(text);
                } catch (IOException e) {
                    problems.add(name + " line " + line + " is not valid JSON");
                }
            }
            return null;
        }

        /** The next record if it belongs to {@code key}; otherwise notes what is there instead. */
        Transition transition(String key) throws IOException {
            JsonNode node = next();
            if (node == null) {
                problems.add(name + " ends before the record of key " + key + " that " + PackageFiles.CHAINS + " lists");
                return null;
            }
            String found = node.path("key").asText();
            if (!found.equals(key)) {
                problems.add(name + " line " + line + ": a record of key " + found + " where " + PackageFiles.CHAINS
                        + " expects key " + key + " (a record was removed, added or moved)");
                pending = node;
                return null;
            }
            try {
                Transition record = Transition.parse(node.path("canonical").asText(), node.path("hash").asText());
                if (record.sequence() != node.path("sequence").asLong() || !record.key().equals(found)) {
                    problems.add(name + " line " + line + ": key or sequence differ from the record's own");
                }
                return record;
            } catch (RuntimeException e) {
                problems.add(name + " line " + line + ": " + e.getMessage());
                return null;
            }
        }

        @Override
        public void close() throws IOException {
            reader.close();
        }
    }
}
