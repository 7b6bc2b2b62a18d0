package dev.kubeproof.report.pkg;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.contract.signing.Signing;
import dev.kubeproof.report.checkpoint.CheckpointVerification;
import dev.kubeproof.contract.build.KubeproofBuild;
import dev.kubeproof.report.ReportRequest;
import dev.kubeproof.report.analysis.ControlScope;
import dev.kubeproof.report.analysis.PeriodSummary;

/**
 * {@code manifest.json}: what the package is (period, filters, versions), every other file's SHA-256 and size, the
 * record counts and the chain verification of the evidence it holds (per key in {@code chains.jsonl}); signed with
 * Ed25519 into {@code manifest.json.sig} when a key is given. Written last.
 */
public final class Manifest {
    public static final int FORMAT = 1;

    private Manifest() {
    }

    /** Writes the manifest (and its signature); returns the package's file names. */
    static List<String> write(Path dir, ReportRequest request, PeriodSummary summary, CheckpointVerification checkpoints,
                              ControlScope scope, Instant generatedAt, Map<String, Long> counts) throws IOException {
        ObjectNode manifest = PackageWriter.JSON.createObjectNode();
        manifest.put("format", "kubeproof-evidence-package/" + FORMAT);
        manifest.put("generatedAt", generatedAt.toString());
        manifest.put("kubeproofVersion", KubeproofBuild.version());
        manifest.put("controlCatalogVersion", scope.catalogVersion());
        ObjectNode period = manifest.putObject("period");
        period.put("from", request.period().from().toString());
        period.put("to", request.period().to().toString());
        period.put("endExcluded", true);
        ObjectNode filters = manifest.putObject("filters");
        filters.set("frameworks", PackageWriter.strings(request.filter().frameworks()));
        filters.set("controls", PackageWriter.strings(request.filter().controls()));
        filters.set("clusters", PackageWriter.strings(request.filter().clusters()));
        filters.set("namespaces", PackageWriter.strings(request.filter().namespaces()));
        ObjectNode recordCounts = manifest.putObject("counts");
        recordCounts.put(PackageFiles.EVIDENCE, counts.getOrDefault("records", 0L));
        recordCounts.put(PackageFiles.STATE_AT_START, counts.getOrDefault("stateAtStart", 0L));
        recordCounts.put(PackageFiles.CHAINS, counts.getOrDefault("keys", 0L));
        recordCounts.put("violations", counts.getOrDefault("violations", 0L));
        recordCounts.put("exemptions", counts.getOrDefault("exemptions", 0L));
        ObjectNode chains = manifest.putObject("chainVerification");
        chains.put("keys", summary.keys());
        chains.put("verified", summary.chainProblemCount() == 0);
        chains.put("keysWithProblems", summary.chainProblemCount());
        chains.set("firstProblems", PackageWriter.strings(summary.chainProblems()));
        chains.put("perKey", PackageFiles.CHAINS);
        chains.put("scope", "each key's records of the period are checked against their hashes and linked, the first one "
                + "to the last record before the period (in " + PackageFiles.STATE_AT_START + ")");
        ObjectNode checked = manifest.putObject("checkpoints");
        checked.put("file", PackageFiles.CHECKPOINTS);
        checked.put("count", checkpoints.checkpoints().size());
        checked.put("signaturesChecked", request.checkpointKey() != null);
        checked.put("verified", checkpoints.ok());
        checked.set("problems", PackageWriter.strings(checkpoints.problems()));
        ArrayNode roots = checked.putArray("rootsRecomputed");
        for (CheckpointVerification.Recomputed root : checkpoints.recomputed()) {
            roots.addObject().put("partition", root.partition()).put("throughOffset", root.throughOffset())
                    .put("createdAt", root.createdAt()).put("heads", root.heads()).put("root", root.root())
                    .put("storeHeads", root.storeHeads()).put("storeRoot", root.storeRoot()).put("matches", root.matches());
        }
        checked.put("scope", "the pipeline's checkpoints made in the period and the first after it, per evidence partition; "
                + "each one's id and signature, its link to the partition's previous one, and the root of each partition's "
                + "last one recomputed from the store's chain heads at its offset");
        ArrayNode files = manifest.putArray("files");
        List<String> names;
        try (Stream<Path> entries = Files.list(dir)) {
            names = entries.map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals(PackageFiles.MANIFEST) && !n.equals(PackageFiles.SIGNATURE)).sorted().toList();
        }
        for (String name : names) {
            Path file = dir.resolve(name);
            files.addObject().put("name", name).put("sha256", PackageWriter.sha256(file)).put("bytes", Files.size(file));
        }
        manifest.put("signature", request.signKey() == null ? "none" : Signing.ALGORITHM + " over the bytes of "
                + PackageFiles.MANIFEST + ", base64 in " + PackageFiles.SIGNATURE);
        byte[] bytes = PackageWriter.JSON.writeValueAsBytes(manifest);
        Files.write(dir.resolve(PackageFiles.MANIFEST), bytes);
        if (request.signKey() != null) {
            Files.writeString(dir.resolve(PackageFiles.SIGNATURE), Signing.sign(bytes, request.signKey()) + "\n",
                    StandardCharsets.US_ASCII);
        }
        return Stream.concat(names.stream(), Stream.of(PackageFiles.MANIFEST)).toList();
    }
}
