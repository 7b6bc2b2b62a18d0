package dev.kubeproof.report.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.report.support.Chains;

class TransitionTest {
    static final Instant T1 = Instant.parse("2026-10-01T10:00:00Z");
    static final Instant T2 = Instant.parse("2026-10-02T10:00:00Z");

    @Test
    void shouldReadEveryFactFromTheCanonicalEncodingAndRecheckItsHash() {
        // Given an exempted failure as the topology links it
        Chains chain = Chains.of("KP-POD-001", "shop", "web").then(EvidenceStatus.FAIL, T1)
                .then(EvidenceStatus.EXEMPT, T2, "bob@example.com", Chains.exception("EXC-1", "ciso@example.com", null));

        // When
        Transition exempt = chain.transitions().get(1);

        // Then
        assertThat(exempt.key()).isEqualTo(chain.key());
        assertThat(exempt.sequence()).isEqualTo(2);
        assertThat(exempt.previousHash()).isEqualTo(chain.records().get(0).getChain().getHash());
        assertThat(exempt.status()).isEqualTo("EXEMPT");
        assertThat(exempt.previousStatus()).isEqualTo("FAIL");
        assertThat(exempt.since()).isEqualTo(T2);
        assertThat(exempt.openViolationSince()).isEqualTo(T1);
        assertThat(exempt.resourceLabel()).isEqualTo("Deployment shop/web");
        assertThat(exempt.actor()).isEqualTo("bob@example.com");
        assertThat(exempt.exemption().approvedBy()).isEqualTo("ciso@example.com");
        assertThat(exempt.exemption().expiresAt()).isNull();
        assertThat(exempt.hashMatches()).isTrue();
    }

    @Test
    void shouldNoticeAnAlteredEncoding() {
        // Given the canonical bytes with the status changed
        Transition original = Chains.of("KP-POD-001", "shop", "web").then(EvidenceStatus.FAIL, T1).transitions().get(0);

        // When
        Transition altered = Transition.parse(original.canonical().replace("\"FAIL\"", "\"PASS\""), original.hash());

        // Then
        assertThat(altered.status()).isEqualTo("PASS");
        assertThat(altered.hashMatches()).isFalse();
    }

    @Test
    void shouldRejectWhatIsNotAnEvidenceRecordWithTheReason() {
        assertThatThrownBy(() -> Transition.parse("{\"controlId\":\"KP-POD-001\"}", "00"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lacks controlId, resource.clusterId");
        assertThatThrownBy(() -> Transition.parse("{\"controlId\":", "00")).hasMessageContaining("not canonical JSON");
        assertThatThrownBy(() -> Transition.parse("[1]", "00")).hasMessageContaining("not a JSON object");
    }
}
