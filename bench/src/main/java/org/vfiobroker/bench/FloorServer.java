package org.vfiobroker.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The floor of the device-page measurement: the least work any HTTP server must do for it. One thread per
 * keep-alive connection reads a request's headers and writes the same prepared answer (the service's real page,
 * byte for byte, with its {@code Content-Length}); no framework, no authentication, no allocation per request.
 * Served to the same load generator as the service, it shows what this machine's cores and its loopback TCP
 * allow before any line of the service runs.
 */
final class FloorServer implements AutoCloseable {

    private final ServerSocket server;
    private final byte[] answer;
    private final List<Socket> sockets = new ArrayList<>();
    private final Thread acceptor;

    FloorServer(byte[] body) throws IOException {
        byte[] head = ("HTTP/1.1 200 \r\nContent-Type: application/json\r\nContent-Length: " + body.length
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        this.answer = new byte[head.length + body.length];
        System.arraycopy(head, 0, answer, 0, head.length);
        System.arraycopy(body, 0, answer, head.length, body.length);
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::accept, "floor-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                synchronized (sockets) {
                    sockets.add(s);
                }
                Thread t = new Thread(() -> serve(s), "floor-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream(), 8192);
            OutputStream out = s.getOutputStream();
            int state = 0; // how much of CR LF CR LF has been seen
            for (int b = in.read(); b >= 0; b = in.read()) {
                state = switch (state) {
                    case 0, 2 -> b == '\r' ? state + 1 : 0;
                    case 1 -> b == '\n' ? 2 : (b == '\r' ? 1 : 0);
                    case 3 -> b == '\n' ? 4 : (b == '\r' ? 1 : 0);
                    default -> 0;
                };
                if (state == 4) {
                    out.write(answer);
                    out.flush();
                    state = 0;
                }
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        synchronized (sockets) {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
