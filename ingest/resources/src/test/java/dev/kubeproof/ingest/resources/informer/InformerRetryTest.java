package dev.kubeproof.ingest.resources.informer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.WatcherException;

/**
 * When an informer lists again rather than stop: before its first list, on passing failures only (the session would
 * otherwise start over, every kind listed again); once started, as fabric8 does by default.
 */
class InformerRetryTest {

    @Test
    void shouldRetryAFirstListThatTimedOutOrMetABusyServer() {
        // a request timeout as fabric8's Vert.x client reports it, wrapped as the informer receives it
        assertThat(InformerSession.retryAfter(false, new CompletionException(new TimeoutException("The timeout period of "
                + "10000ms has been exceeded while executing GET /apis/rbac.authorization.k8s.io/v1/roles?limit=500")))).isTrue();
        assertThat(InformerSession.retryAfter(false, new KubernetesClientException("connection reset", new IOException("reset")))).isTrue();
        assertThat(InformerSession.retryAfter(false, new KubernetesClientException("busy", 503, null))).isTrue();
        assertThat(InformerSession.retryAfter(false, new KubernetesClientException("slow down", 429, null))).isTrue();
    }

    @Test
    void shouldNotRetryAFirstListThatIsRefused() {
        assertThat(InformerSession.retryAfter(false, new KubernetesClientException("forbidden", 403, null))).isFalse();
        assertThat(InformerSession.retryAfter(false, new KubernetesClientException("not found", 404, null))).isFalse();
        assertThat(InformerSession.retryAfter(false, new IllegalArgumentException("cannot parse the list"))).isFalse();
    }

    @Test
    void shouldRetryAStartedInformerUnlessItsWatchFailedForGood() {
        assertThat(InformerSession.retryAfter(true, new KubernetesClientException("forbidden", 403, null))).isTrue();
        assertThat(InformerSession.retryAfter(true, new WatcherException("unexpected watch event"))).isFalse();
    }
}
