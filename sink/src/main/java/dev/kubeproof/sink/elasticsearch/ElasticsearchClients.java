package dev.kubeproof.sink.elasticsearch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest5_client.Rest5ClientTransport;
import co.elastic.clients.transport.rest5_client.low_level.Rest5Client;
import co.elastic.clients.transport.rest5_client.low_level.Rest5ClientBuilder;

import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.util.Timeout;

import dev.kubeproof.sink.config.ElasticsearchConfig;

/**
 * Builds the Elasticsearch client from configuration: one path for API-key and user/password authentication
 * (an {@code Authorization} default header), TLS trusting a PEM CA file. Secrets are read here, when the client
 * is built, and go nowhere but that header.
 */
public final class ElasticsearchClients {
    private ElasticsearchClients() {
    }

    public static ElasticsearchClient create(ElasticsearchConfig config) {
        return create(config, System::getenv);
    }

    public static ElasticsearchClient create(ElasticsearchConfig config, UnaryOperator<String> environment) {
        Rest5ClientBuilder builder = Rest5Client.builder(config.urls());
        authorization(config, environment).ifPresent(header -> builder.setDefaultHeaders(new Header[] {header}));
        if (config.caFile() != null) {
            builder.setSSLContext(sslContextTrusting(config));
        }
        builder.setConnectionConfigCallback(connection -> connection
                .setConnectTimeout(Timeout.of(config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS))
                .setSocketTimeout(Timeout.of(config.responseTimeout().toMillis(), TimeUnit.MILLISECONDS)));
        builder.setRequestConfigCallback(request -> request
                .setResponseTimeout(Timeout.of(config.responseTimeout().toMillis(), TimeUnit.MILLISECONDS))
                .setConnectionRequestTimeout(Timeout.of(config.responseTimeout().toMillis(), TimeUnit.MILLISECONDS)));
        Rest5Client restClient = builder.build();
        return new ElasticsearchClient(new Rest5ClientTransport(restClient, new JacksonJsonpMapper()));
    }

    /** The {@code Authorization} header the configuration asks for, if any. */
    static java.util.Optional<Header> authorization(ElasticsearchConfig config, UnaryOperator<String> environment) {
        if (config.apiKey() != null) {
            return java.util.Optional.of(new BasicHeader("Authorization", "ApiKey " + config.apiKey().read(environment)));
        }
        if (config.username() != null) {
            String credentials = config.username() + ":" + config.password().read(environment);
            return java.util.Optional.of(new BasicHeader("Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8))));
        }
        return java.util.Optional.empty();
    }

    static SSLContext sslContextTrusting(ElasticsearchConfig config) {
        try (InputStream in = Files.newInputStream(config.caFile())) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException("elasticsearch.ca-file: " + config.caFile() + " holds no PEM certificate");
            }
            KeyStore trustStore = KeyStore.getInstance(KeyStore.getDefaultType());
            trustStore.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates) {
                trustStore.setCertificateEntry("ca-" + i++, certificate);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trustStore);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("elasticsearch.ca-file: cannot load " + config.caFile() + ": " + e.getMessage(), e);
        }
    }
}
