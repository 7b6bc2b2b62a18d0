package dev.kubeproof.ingest.audit;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The JSON mapper for audit input: strict about trailing garbage, so that a damaged line is not half-read. */
final class AuditJson {
    private AuditJson() {
    }

    static ObjectMapper mapper() {
        return JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    }
}
