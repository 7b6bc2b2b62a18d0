package dev.kubeproof.siem;

import java.util.Objects;

/**
 * One violation feed of a deployment: a topic, the format and minimum severity its SIEM wants. Several feeds let
 * one deployment serve, say, a SOC's OCSF pipeline with HIGH and CRITICAL only and an ECS-based Elastic with
 * everything.
 *
 * @param topic  the Kafka topic the documents go to
 * @param output format and minimum severity
 */
public record ViolationFeed(String topic, ViolationOutput output) {
    public ViolationFeed {
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("a violation feed needs a topic");
        }
        Objects.requireNonNull(output, "output");
    }
}
