package dev.kubeproof.runtime;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;

/**
 * The one HTTP(S) listener every kubeproof endpoint is built on: the health server, the audit webhook and the scan
 * endpoint. It binds (plain, or TLS from a {@link TlsConfig}, asking for client certificates when the config has a
 * client CA), runs handlers on a bounded pool of daemon threads, counts requests in flight so that {@link #close}
 * lets them finish (their answers promise durability), and writes answers one way ({@link #respond}).
 *
 * <p>It is the JDK's {@code com.sun.net.httpserver} on purpose: a handful of endpoints that only the kubelet,
 * Prometheus, the apiserver and CI jobs call need no routing, async I/O or servlet container; the JDK server does
 * TLS and client-certificate authentication, and adds no dependency (and no CVE feed) to every service image.
 */
public final class HttpEndpoint implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;
    private final String scheme;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();

    private HttpEndpoint(HttpServer server, ExecutorService executor, String scheme) {
        this.server = server;
        this.executor = executor;
        this.scheme = scheme;
    }

    /**
     * Binds {@code host:port} (0 picks a free port) without starting.
     *
     * @param name    names the threads and the messages, e.g. {@code audit-webhook}
     * @param tls     TLS of the listener; null for plain HTTP
     * @param threads handler threads
     */
    public static HttpEndpoint bind(String name, String host, int port, TlsConfig tls, int threads) {
        Objects.requireNonNull(name, "name");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(name + " port must be 0..65535, was " + port);
        }
        HttpServer server;
        InetSocketAddress address = new InetSocketAddress(host, port);
        try {
            if (tls == null) {
                server = HttpServer.create(address, 64);
            } else {
                SSLContext context = tls.serverContext();
                boolean wantClientCertificates = tls.verifiesClientCertificates();
                HttpsServer https = HttpsServer.create(address, 64);
                https.setHttpsConfigurator(new HttpsConfigurator(context) {
                    @Override
                    public void configure(HttpsParameters params) {
                        SSLParameters parameters = context.getDefaultSSLParameters();
                        // "want", not "need": callers without a certificate may still use a bearer token
                        parameters.setWantClientAuth(wantClientCertificates);
                        params.setSSLParameters(parameters);
                    }
                });
                server = https;
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot bind the " + name + " to " + host + ":" + port + ": "
                    + e.getMessage(), e);
        }
        ExecutorService executor = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        return new HttpEndpoint(server, executor, tls == null ? "http" : "https");
    }

    /** Serves {@code path} (and what lies below it) with {@code handler}, counting it while in flight. */
    public HttpEndpoint handle(String path, HttpHandler handler) {
        server.createContext(path, exchange -> {
            inFlight.incrementAndGet();
            try {
                handler.handle(exchange);
            } finally {
                inFlight.decrementAndGet();
            }
        });
        return this;
    }

    /**
     * Serves POSTs to exactly {@code path} with {@code handler}; any other path below it gets 404, any other method
     * 405 with {@code Allow: POST}, and neither reaches the handler.
     */
    public HttpEndpoint handlePost(String path, HttpHandler handler) {
        return handle(path, exchange -> {
            if (!exchange.getRequestURI().getPath().equals(path)) {
                try (exchange) {
                    respond(exchange, 404, "not found\n");
                }
            } else if (!"POST".equals(exchange.getRequestMethod())) {
                try (exchange) {
                    exchange.getResponseHeaders().set("Allow", "POST");
                    respond(exchange, 405, "only POST\n");
                }
            } else {
                handler.handle(exchange);
            }
        });
    }

    public HttpEndpoint start() {
        server.start();
        running.set(true);
        return this;
    }

    /** The bound port (useful after binding port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http} or {@code https}. */
    public String scheme() {
        return scheme;
    }

    public boolean isRunning() {
        return running.get();
    }

    /** Stops at once. */
    @Override
    public void close() {
        close(Duration.ZERO);
    }

    /** Lets requests in flight finish for up to {@code drain}, then stops and drops idle connections. */
    public void close(Duration drain) {
        if (running.compareAndSet(true, false)) {
            long deadline = System.nanoTime() + drain.toNanos();
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                try {
                    TimeUnit.MILLISECONDS.sleep(20); // polling a counter: there is no event for "last request done"
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            server.stop(0);
        }
        executor.shutdownNow();
    }

    /** Answers with {@code body} as UTF-8; a HEAD request gets the headers only. */
    public static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** A plain-text answer. */
    public static void respond(HttpExchange exchange, int status, String text) throws IOException {
        respond(exchange, status, "text/plain; charset=utf-8", text);
    }
}
