package dev.kubeproof.controls;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ControlSettingsTest {

    @Test
    void shouldKeepDefaultsForKeysNotGiven() {
        // When settings override two keys
        ControlSettings settings = ControlSettings.parse("""
                trustedRegistries: [registry.example.com]
                minimumKubernetesVersion: "1.31"
                """, "settings.yaml");

        // Then those change and the rest keep their defaults
        assertThat(settings.trustedRegistries()).containsExactly("registry.example.com");
        assertThat(settings.minimumKubernetesVersion()).isEqualTo("1.31");
        assertThat(settings.systemNamespaces()).isEqualTo(ControlSettings.defaults().systemNamespaces());
        assertThat(ControlSettings.parse("", "empty.yaml")).isEqualTo(ControlSettings.defaults());
    }

    @Test
    void shouldRejectUnknownKeysByName() {
        assertThatThrownBy(() -> ControlSettings.parse("{\"trustedRegistry\": [\"a\"]}", "settings.json"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("settings.json")
                .hasMessageContaining("unknown control settings key(s) [trustedRegistry]")
                .hasMessageContaining("trustedRegistries");
    }

    @Test
    void shouldRejectWrongTypesAndValuesNamingTheKey() {
        assertThatThrownBy(() -> ControlSettings.parse("requiredOwnerLabels: owner", "s.yaml"))
                .hasMessageContaining("control settings key 'requiredOwnerLabels' must be a list of strings");
        assertThatThrownBy(() -> ControlSettings.parse("minimumKubernetesVersion: latest", "s.yaml"))
                .hasMessageContaining("control settings key 'minimumKubernetesVersion' must be a version like 1.32");
        assertThatThrownBy(() -> ControlSettings.parse("minimumKubernetesVersion: 1.30", "s.yaml"))
                .hasMessageContaining("control settings key 'minimumKubernetesVersion' must be a quoted string");
        assertThatThrownBy(() -> ControlSettings.parse("allowedCapabilities: [CAP_NET_ADMIN]", "s.yaml"))
                .hasMessageContaining("control settings key 'allowedCapabilities'");
        assertThatThrownBy(() -> ControlSettings.parse("sensitiveHostPathPrefixes: [etc]", "s.yaml"))
                .hasMessageContaining("control settings key 'sensitiveHostPathPrefixes' 'etc' must be an absolute path");
        assertThatThrownBy(() -> ControlSettings.parse("minimalImageMaxOsPackages: many", "s.yaml"))
                .hasMessageContaining("control settings key 'minimalImageMaxOsPackages' must be an integer");
        assertThatThrownBy(() -> ControlSettings.parse("blockingVulnerabilitySeverities: [severe]", "s.yaml"))
                .hasMessageContaining("control settings key 'blockingVulnerabilitySeverities' 'SEVERE' is not one of");
        assertThatThrownBy(() -> ControlSettings.parse("[1, 2", "s.yaml"))
                .hasMessageContaining("control settings s.yaml: not valid YAML/JSON");
    }

    @Test
    void shouldBeImmutable() {
        // Given a settings record built from a mutable list
        List<String> registries = new ArrayList<>(List.of("registry.example.com"));
        ControlSettings defaults = ControlSettings.defaults();
        ControlSettings settings = new ControlSettings(registries, defaults.requiredOwnerLabels(), defaults.systemNamespaces(),
                defaults.minimumKubernetesVersion(), defaults.allowedCapabilities(), defaults.sensitiveHostPathPrefixes(),
                defaults.sensitiveWorkloadSelector(), defaults.unnecessaryPackages(), defaults.minimalImageMaxOsPackages(),
                defaults.blockingVulnerabilitySeverities(), defaults.judgeOwnedWorkloads(), defaults.podSecurityVersion(),
                defaults.runtime(), java.util.Set.of());

        // When the caller's list changes afterwards
        registries.add("evil.example.com");

        // Then the settings do not
        assertThat(settings.trustedRegistries()).containsExactly("registry.example.com");
        assertThatThrownBy(() -> settings.trustedRegistries().add("x")).isInstanceOf(UnsupportedOperationException.class);
    }
}
