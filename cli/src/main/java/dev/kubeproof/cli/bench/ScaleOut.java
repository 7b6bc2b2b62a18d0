package dev.kubeproof.cli.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import dev.kubeproof.cli.KafkaLag;
import dev.kubeproof.contract.registry.ConfluentRestSchemaRegistryClient;
import dev.kubeproof.contract.registry.RegistryClientConfig;
import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.contract.topics.TopicProvisioner;
import dev.kubeproof.contract.topics.TopicSpec;
import dev.kubeproof.runtime.ConfigLoader;
import dev.kubeproof.stack.StackEndpoints;
import dev.kubeproof.streams.EvidenceMetrics;
import dev.kubeproof.streams.EvidenceService;
import dev.kubeproof.streams.EvidenceServiceConfig;

/**
 * The evaluation alone, scaled out: the cold start's inputs (changes, scans, audit events), copied byte for byte to
 * fresh topics, evaluated from scratch by one instance with one stream thread and then with two. The rate is input
 * records per second until nothing is left to read or hold; the ratio says how much a second thread (or instance:
 * partitions are the unit either way) adds on this machine.
 */
final class ScaleOut {
    record Result(long inputs, double oneThreadSeconds, double twoThreadsSeconds) {
        Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("inputs", inputs);
            map.put("oneThreadSeconds", oneThreadSeconds);
            map.put("oneThreadInputsPerSecond", BenchCommand.round(inputs / oneThreadSeconds, 1));
            map.put("twoThreadsSeconds", twoThreadsSeconds);
            map.put("twoThreadsInputsPerSecond", BenchCommand.round(inputs / twoThreadsSeconds, 1));
            map.put("scaleOutRatio", BenchCommand.round(oneThreadSeconds / twoThreadsSeconds, 2));
            return map;
        }
    }

    private final StackEndpoints endpoints;
    private final TopicCatalog source;
    private final Path workDir;
    private final Duration timeout;
    private final PrintStream console;

    ScaleOut(StackEndpoints endpoints, String topicPrefix, Path workDir, Duration timeout, PrintStream console) {
        this.endpoints = endpoints;
        this.source = new TopicCatalog(topicPrefix);
        this.workDir = workDir;
        this.timeout = timeout;
        this.console = console;
    }

    Result run() throws Exception {
        double[] seconds = new double[2];
        long inputs = 0;
        for (int threads = 1; threads <= 2; threads++) {
            String run = "bench-scale-" + threads + "-" + UUID.randomUUID().toString().substring(0, 6);
            TopicCatalog target = new TopicCatalog(run + ".");
            try (Admin admin = admin()) {
                TopicProvisioner.provision(admin, new ConfluentRestSchemaRegistryClient(
                        RegistryClientConfig.of(endpoints.schemaRegistryUrl())), target, (short) 1);
            }
            inputs = copy(source.resourceChanges(), target.resourceChanges())
                    + copy(source.imageScans(), target.imageScans())
                    + copy(source.auditEvents(), target.auditEvents());
            seconds[threads - 1] = evaluate(run, target, threads);
            console.printf("  %d stream thread%s: %,d inputs in %.1f s (%,.0f/s)%n", threads, threads == 1 ? "" : "s",
                    inputs, seconds[threads - 1], inputs / seconds[threads - 1]);
        }
        return new Result(inputs, BenchCommand.round(seconds[0], 2), BenchCommand.round(seconds[1], 2));
    }

    /** Runs the evidence service until its lag and held changes are 0 twice in a row; returns the seconds taken. */
    private double evaluate(String applicationId, TopicCatalog topics, int threads) throws Exception {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("kafka.bootstrapServers", endpoints.kafkaBootstrapServers());
        settings.put("kafka.schemaRegistryUrl", endpoints.schemaRegistryUrl());
        settings.put("topicPrefix", topics.prefix());
        settings.put("applicationId", applicationId);
        settings.put("stateDir", workDir.resolve(applicationId).toString());
        settings.put("standbyReplicas", "0");
        settings.put("replicationFactor", "1");
        settings.put("streamThreads", Integer.toString(threads));
        long start = System.nanoTime();
        try (EvidenceService service = EvidenceService.create(ConfigLoader.load(null, EvidenceServiceConfig.class,
                settings, Map.of()), new EvidenceMetrics(new SimpleMeterRegistry()));
             Admin admin = admin()) {
            service.start();
            return Measure.secondsUntilSettled(start, timeout, "scale-out with " + threads + " threads", () -> {
                if (service.failed()) {
                    throw new IllegalStateException("the evidence service failed during the scale-out run");
                }
                return KafkaLag.lag(admin, applicationId, java.util.Set.of(topics.auditEvents().name())) == 0
                        && KafkaLag.streamsLag(admin, applicationId, topics) == 0 && service.heldChanges() == 0;
            });
        }
    }

    /** Copies a topic's records byte for byte, partition for partition; returns how many. */
    private long copy(TopicSpec from, TopicSpec to) throws Exception {
        Properties producerProperties = new Properties();
        producerProperties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers());
        producerProperties.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        long copied = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = RawRates.consumer(endpoints);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties, new ByteArraySerializer(),
                     new ByteArraySerializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(from.name()).stream()
                    .map(p -> new TopicPartition(from.name(), p.partition())).toList();
            int targetPartitions = producer.partitionsFor(to.name()).size();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    producer.send(new ProducerRecord<>(to.name(), record.partition() % targetPartitions, record.key(),
                            record.value()));
                    copied++;
                }
            }
            producer.flush();
        }
        return copied;
    }

    private Admin admin() {
        Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers());
        return Admin.create(properties);
    }
}
