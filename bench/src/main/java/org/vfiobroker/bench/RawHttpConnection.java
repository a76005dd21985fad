package org.vfiobroker.bench;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One keep-alive HTTP/1.1 connection that sends the same prepared GET again and again (or any request,
 * {@link #exchange(String, String, String, String)}) and reads each answer completely (status line, headers, a
 * {@code Content-Length} or chunked body) into a reused buffer.
 *
 * <p>Why not {@link java.net.http.HttpClient}: on this 2-core machine the load generator shares the CPU with the
 * service, and 50 {@code HttpClient}s (a selector thread each, asynchronous plumbing, a fresh byte array per
 * answer) took ~40 % of it, so the benchmark measured its own client as much as the service. This does what
 * {@code wrk} does: a blocking socket per client and no per-request allocation beyond the status line.
 */
final class RawHttpConnection implements AutoCloseable {

    /** What one exchange returned: the status and the number of body bytes (the body is in {@link #body()}). */
    record Answer(int status, int length) {
    }

    private final String host;
    private final int port;
    private final byte[] request;
    private final String authorization;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private int connects;
    private byte[] body = new byte[256 * 1024];
    private final byte[] line = new byte[8192];

    RawHttpConnection(String host, int port, String pathAndQuery, String authorization) throws IOException {
        this.host = host;
        this.port = port;
        this.authorization = authorization;
        connect();
        this.request = ("GET " + pathAndQuery + " HTTP/1.1\r\n"
                + "Host: " + host + ":" + port + "\r\n"
                + "Authorization: " + authorization + "\r\n"
                + "Accept: application/json\r\n"
                + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private void connect() throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(host, port), 5000);
        socket.setSoTimeout(60_000);
        in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        out = socket.getOutputStream();
        connects++;
    }

    /** How many TCP connections this client has opened (the server ends a keep-alive connection now and then). */
    int connects() {
        return connects;
    }

    /**
     * Sends the request and reads the whole answer; when the server announced {@code Connection: close} (Tomcat
     * does after {@code server.tomcat.max-keep-alive-requests}), the next exchange opens a new connection, as
     * any HTTP client would, and its latency includes that. Fails on a closed connection or malformed HTTP.
     */
    Answer exchange() throws IOException {
        return exchange(request);
    }

    /**
     * Sends {@code method path} with this connection's authorization, an optional extra header line ({@code
     * "Name: value"}, or null) and an optional JSON body, and reads the whole answer; its body as text is
     * {@link #text(Answer)}.
     */
    Answer exchange(String method, String pathAndQuery, String header, String json) throws IOException {
        byte[] payload = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(256).append(method).append(' ').append(pathAndQuery)
                .append(" HTTP/1.1\r\nHost: ").append(host).append(':').append(port)
                .append("\r\nAuthorization: ").append(authorization).append("\r\nAccept: application/json\r\n");
        if (header != null) {
            head.append(header).append("\r\n");
        }
        if (json != null) {
            head.append("Content-Type: application/json\r\n");
        }
        head.append("Content-Length: ").append(payload.length).append("\r\n\r\n");
        byte[] start = head.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] whole = new byte[start.length + payload.length];
        System.arraycopy(start, 0, whole, 0, start.length);
        System.arraycopy(payload, 0, whole, start.length, payload.length);
        return exchange(whole);
    }

    /** The body of an answer of this connection as UTF-8 text. */
    String text(Answer answer) {
        return new String(body, 0, answer.length(), StandardCharsets.UTF_8);
    }

    private Answer exchange(byte[] request) throws IOException {
        if (socket == null) {
            connect();
        }
        out.write(request);
        out.flush();
        String status = readLine();
        if (!status.startsWith("HTTP/1.1 ") || status.length() < 12) {
            throw new IOException("not an HTTP/1.1 status line: " + status);
        }
        int code = Integer.parseInt(status.substring(9, 12));
        long contentLength = -1;
        boolean chunked = false;
        boolean close = false;
        for (String header = readLine(); !header.isEmpty(); header = readLine()) {
            int colon = header.indexOf(':');
            if (colon < 0) {
                throw new IOException("malformed header: " + header);
            }
            String name = header.substring(0, colon).trim();
            String value = header.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Content-Length")) {
                contentLength = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                chunked = value.toLowerCase().contains("chunked");
            } else if (name.equalsIgnoreCase("Connection")) {
                close = value.equalsIgnoreCase("close");
            }
        }
        int length;
        if (chunked) {
            length = readChunked();
        } else if (contentLength >= 0) {
            ensure((int) contentLength);
            readFully(0, (int) contentLength);
            length = (int) contentLength;
        } else {
            throw new IOException("answer without Content-Length or chunked encoding (status " + code + ")");
        }
        if (close) {
            socket.close();
            socket = null;
        }
        return new Answer(code, length);
    }

    /** The body of the last answer (valid up to its {@link Answer#length()}). */
    byte[] body() {
        return body;
    }

    private int readChunked() throws IOException {
        int total = 0;
        while (true) {
            String size = readLine();
            int semicolon = size.indexOf(';');
            int n = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
            if (n == 0) {
                while (!readLine().isEmpty()) { // trailers
                }
                return total;
            }
            ensure(total + n);
            readFully(total, n);
            total += n;
            if (!readLine().isEmpty()) {
                throw new IOException("chunk not followed by CRLF");
            }
        }
    }

    private void ensure(int size) {
        if (body.length < size) {
            body = Arrays.copyOf(body, Math.max(size, body.length * 2));
        }
    }

    private void readFully(int offset, int n) throws IOException {
        int done = 0;
        while (done < n) {
            int r = in.read(body, offset + done, n - done);
            if (r < 0) {
                throw new EOFException("connection closed after " + done + " of " + n + " body bytes");
            }
            done += r;
        }
    }

    private String readLine() throws IOException {
        int n = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed in the middle of the headers");
            }
            if (b == '\n') {
                int end = n > 0 && line[n - 1] == '\r' ? n - 1 : n;
                return new String(line, 0, end, StandardCharsets.ISO_8859_1);
            }
            if (n == line.length) {
                throw new IOException("header line longer than " + line.length + " bytes");
            }
            line[n++] = (byte) b;
        }
    }

    @Override
    public void close() throws IOException {
        if (socket != null) {
            socket.close();
        }
    }
}
