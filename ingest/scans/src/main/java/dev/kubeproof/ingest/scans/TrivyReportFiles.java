package dev.kubeproof.ingest.scans;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.contract.image.ImageScanReader;
import dev.kubeproof.runtime.InvalidInputException;

/**
 * Trivy reports from files, for {@code kubeproof scan --trivy-report}: an image report ({@code trivy image -f json}),
 * a cluster report ({@code trivy k8s --format json}) or a Trivy Operator VulnerabilityReport, read exactly as the
 * scan collector reads them.
 */
public final class TrivyReportFiles implements ImageScanReader {

    private final ObjectMapper mapper = new ObjectMapper();
    private final TrivyReportParser parser = new TrivyReportParser(Clock.systemUTC());

    @Override
    public List<ImageScan> read(Path file) throws IOException {
        JsonNode report;
        try {
            report = mapper.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not a JSON Trivy report: " + e.getOriginalMessage(), e);
        }
        String source = "file:" + file;
        try {
            if (TrivyClusterReports.isClusterReport(report)) {
                return TrivyClusterReports.toImageScans(report, parser, null, source);
            }
            if (TrivyOperatorReports.isVulnerabilityReport(report)) {
                return List.of(TrivyOperatorReports.toImageScan(report, "-", source));
            }
            return List.of(parser.parse(report, null, source));
        } catch (InvalidInputException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }
}
