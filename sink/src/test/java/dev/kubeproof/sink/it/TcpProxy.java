package dev.kubeproof.sink.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.net.ssl.SSLContext;

/**
 * A TCP forwarder on a loopback port in front of a real server: {@link #stop()} closes the port and cuts every
 * open connection, so that for a client the server is gone (connection refused) until {@link #start()} opens the
 * same port again. With an {@link SSLContext} it terminates TLS, so a client can speak https to a plain-http server.
 */
final class TcpProxy implements AutoCloseable {
    private final int port;
    private final String targetHost;
    private final int targetPort;
    private final SSLContext tls;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile ServerSocket server;

    TcpProxy(String targetHost, int targetPort, SSLContext tls) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.tls = tls;
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            this.port = probe.getLocalPort();
        }
    }

    int port() {
        return port;
    }

    synchronized void start() throws IOException {
        if (server != null) {
            return;
        }
        ServerSocket socket = tls == null ? new ServerSocket() : tls.getServerSocketFactory().createServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        server = socket;
        Thread acceptor = new Thread(() -> accept(socket), "proxy-accept-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Closes the port and every connection through it. */
    synchronized void stop() throws IOException {
        if (server == null) {
            return;
        }
        server.close();
        server = null;
        for (Socket socket : open) {
            try {
                socket.close();
            } catch (IOException e) {
                // already gone
            }
        }
        open.clear();
    }

    private void accept(ServerSocket socket) {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                Socket upstream = new Socket(targetHost, targetPort);
                synchronized (this) {
                    // accepted just before stop(): stop() did not see it, so it must not survive the outage
                    if (server != socket) {
                        close(client);
                        close(upstream);
                        continue;
                    }
                    open.add(client);
                    open.add(upstream);
                }
                pipe(client, upstream);
                pipe(upstream, client);
            } catch (IOException e) {
                // port closed by stop(), or one connection failed: keep serving while open
            }
        }
    }

    private void pipe(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int read;
                while ((read = in.read(buffer)) != -1) {
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException e) {
                // connection cut
            } finally {
                close(from);
                close(to);
            }
        }, "proxy-pipe-" + port);
        thread.setDaemon(true);
        thread.start();
    }

    private void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
        open.remove(socket);
    }

    @Override
    public void close() throws IOException {
        stop();
    }
}
