package dev.kubeproof.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TargetsTest {

    @Test
    void shouldSayWhenTheColdStartFigureIsScaledAndWhenThatOverstatesIt() {
        // When measured at the target's size, Then it is the measurement
        assertThat(Targets.coldStartMeasured(628.0, 100_000)).isEqualTo("628.0 s (measured 628.0 s for 100000 pods)");
        // When measured on 20,000 pods, Then it is scaled linearly, and says so
        assertThat(Targets.coldStartMeasured(177.0, 20_000))
                .isEqualTo("885.0 s (measured 177.0 s for 20000 pods, scaled linearly)");
        // When measured on a small cluster, Then the reader is told that fixed costs make it an overestimate
        assertThat(Targets.coldStartMeasured(16.26, 100)).startsWith("16260.0 s (measured 16.26 s for 100 pods, scaled "
                + "linearly; a small cluster's fixed costs").endsWith("make this an overestimate)");
    }
}
