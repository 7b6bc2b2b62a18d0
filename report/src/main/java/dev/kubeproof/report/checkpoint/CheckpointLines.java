package dev.kubeproof.report.checkpoint;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.avro.Checkpoint;

/** Checkpoints as JSON lines ({@code checkpoints.jsonl} of a package), written and read back field by field. */
public final class CheckpointLines {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CheckpointLines() {
    }

    public static byte[] line(Checkpoint checkpoint) throws IOException {
        ObjectNode node = JSON.createObjectNode();
        node.put("checkpointId", checkpoint.getCheckpointId());
        node.put("topic", checkpoint.getTopic());
        node.put("partition", checkpoint.getPartition());
        node.put("throughOffset", checkpoint.getThroughOffset());
        node.put("heads", checkpoint.getHeads());
        node.put("merkleRoot", checkpoint.getMerkleRoot());
        node.put("createdAt", checkpoint.getCreatedAt().toString());
        node.put("previousCheckpointId", checkpoint.getPreviousCheckpointId());
        node.put("signatureAlgorithm", checkpoint.getSignatureAlgorithm());
        node.put("signature", checkpoint.getSignature());
        byte[] json = JSON.writeValueAsBytes(node);
        byte[] line = new byte[json.length + 1];
        System.arraycopy(json, 0, line, 0, json.length);
        line[json.length] = '\n';
        return line;
    }

    /** Reads a checkpoints file; a line that is not a checkpoint is an error naming its line number. */
    public static List<Checkpoint> read(Path file) throws IOException {
        List<Checkpoint> checkpoints = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                try {
                    checkpoints.add(parse(JSON.readTree(line)));
                } catch (RuntimeException | IOException e) {
                    throw new IOException(file.getFileName() + " line " + number + " is not a checkpoint: " + e.getMessage(), e);
                }
            }
        }
        return checkpoints;
    }

    static Checkpoint parse(JsonNode node) {
        return Checkpoint.newBuilder()
                .setCheckpointId(node.get("checkpointId").asText())
                .setTopic(node.get("topic").asText())
                .setPartition(node.get("partition").asInt())
                .setThroughOffset(node.get("throughOffset").asLong())
                .setHeads(node.get("heads").asLong())
                .setMerkleRoot(node.get("merkleRoot").asText())
                .setCreatedAt(Instant.parse(node.get("createdAt").asText()))
                .setPreviousCheckpointId(node.path("previousCheckpointId").asText(null))
                .setSignatureAlgorithm(node.path("signatureAlgorithm").asText(null))
                .setSignature(node.path("signature").asText(null))
                .build();
    }

    /** The sink's field names ({@code kubeproof.checkpoint.*}) and the line's. */
    private static final Map<String, String> DOCUMENT_FIELDS = Map.of("id", "checkpointId", "topic", "topic",
            "partition", "partition", "through_offset", "throughOffset", "heads", "heads", "merkle_root", "merkleRoot",
            "created_at", "createdAt", "previous_id", "previousCheckpointId", "signature_algorithm", "signatureAlgorithm",
            "signature", "signature");

    /** A checkpoint as the sink indexed it ({@code kubeproof.checkpoint.*}). */
    static Checkpoint fromDocument(JsonNode source) {
        ObjectNode line = JSON.createObjectNode();
        source.path("kubeproof").path("checkpoint").properties().forEach(field ->
                line.set(DOCUMENT_FIELDS.getOrDefault(field.getKey(), field.getKey()), field.getValue()));
        return parse(line);
    }
}
