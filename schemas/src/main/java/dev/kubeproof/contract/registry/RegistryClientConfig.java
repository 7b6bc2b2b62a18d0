package dev.kubeproof.contract.registry;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import dev.kubeproof.contract.retry.RetryPolicy;

/**
 * How to reach the registry. {@link #toString()} never shows credentials.
 *
 * @param url            base URL of the Confluent-compatible API, e.g. {@code http://127.0.0.1:8081} or
 *                       {@code http://host/apis/ccompat/v7} for Apicurio
 * @param basicAuth      {@code user:password}, when the registry needs basic authentication
 * @param bearerToken    a bearer token, when the registry needs one
 * @param requestTimeout timeout of one HTTP request
 * @param retry          retries of transport errors, 429 and 5xx
 */
public record RegistryClientConfig(URI url, Optional<String> basicAuth, Optional<String> bearerToken,
                                   Duration requestTimeout, RetryPolicy retry) {

    /** Kafka serde property: the registry URL (the name Confluent's serdes use). */
    public static final String URL = "schema.registry.url";
    /** Kafka serde property: {@code user:password} for basic authentication. */
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    /** Kafka serde property: a bearer token. */
    public static final String BEARER_TOKEN = "bearer.auth.token";
    private static final Set<String> KEYS = Set.of(URL, BASIC_AUTH_USER_INFO, BEARER_TOKEN);

    public RegistryClientConfig {
        Objects.requireNonNull(url, URL + " must be set");
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
            throw new IllegalArgumentException(URL + " must be an http or https URL, was " + url);
        }
        Objects.requireNonNull(basicAuth, BASIC_AUTH_USER_INFO);
        Objects.requireNonNull(bearerToken, BEARER_TOKEN);
        if (basicAuth.isPresent() && bearerToken.isPresent()) {
            throw new IllegalArgumentException("set either " + BASIC_AUTH_USER_INFO + " or " + BEARER_TOKEN + ", not both");
        }
        basicAuth.ifPresent(value -> {
            if (!value.contains(":")) {
                throw new IllegalArgumentException(BASIC_AUTH_USER_INFO + " must be user:password");
            }
        });
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(retry, "retry");
    }

    public static RegistryClientConfig of(String url) {
        return new RegistryClientConfig(URI.create(url), Optional.empty(), Optional.empty(), Duration.ofSeconds(10),
                RetryPolicy.defaults());
    }

    /** From Kafka serde configs ({@value #URL}, {@value #BASIC_AUTH_USER_INFO}, {@value #BEARER_TOKEN}); other keys are left to Kafka. */
    public static RegistryClientConfig fromSerdeConfigs(Map<String, ?> configs) {
        Object url = configs.get(URL);
        if (url == null) {
            throw new IllegalArgumentException(URL + " must be set for the kubeproof Avro serde");
        }
        return new RegistryClientConfig(URI.create(url.toString()),
                Optional.ofNullable(configs.get(BASIC_AUTH_USER_INFO)).map(Object::toString),
                Optional.ofNullable(configs.get(BEARER_TOKEN)).map(Object::toString),
                Duration.ofSeconds(10), RetryPolicy.defaults());
    }

    static Set<String> keys() {
        return KEYS;
    }

    @Override
    public String toString() {
        return "RegistryClientConfig[url=" + url + ", auth=" + (basicAuth.isPresent() ? "basic" : bearerToken.isPresent()
                ? "bearer" : "none") + ", requestTimeout=" + requestTimeout + ", retry=" + retry + "]";
    }
}
