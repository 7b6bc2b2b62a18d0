package dev.kubeproof.report.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class HtmlReportTest {

    @Test
    void shouldKeepNumbersAndTheirUnitsTogether() {
        assertThat(HtmlReport.percent(100.0)).isEqualTo("100.0\u00a0%");
        assertThat(HtmlReport.percent(null)).isEqualTo("–");
        assertThat(HtmlReport.duration(Duration.ofSeconds(42).toMillis())).isEqualTo("42\u00a0s");
        assertThat(HtmlReport.duration(Duration.ofMinutes(3).plusSeconds(5).toMillis())).isEqualTo("3\u00a0min 5\u00a0s");
        assertThat(HtmlReport.duration(Duration.ofDays(18).plusHours(2).toMillis())).isEqualTo("18\u00a0d 2\u00a0h");
    }

    @Test
    void shouldEscapeWhatCouldBreakTheDocument() {
        assertThat(HtmlReport.esc("<script>\"a\" & b</script>\u0007")).isEqualTo("&lt;script&gt;&quot;a&quot; &amp; b&lt;/script&gt;");
    }
}
