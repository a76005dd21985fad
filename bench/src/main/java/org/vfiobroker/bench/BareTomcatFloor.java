package org.vfiobroker.bench;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Properties;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.springframework.util.unit.DataSize;

/**
 * The server's floor: embedded Tomcat with one servlet and no Spring at all. The servlet compares the bearer token
 * (401 without it) and writes the device page's bytes. The connector has the service's settings: request threads,
 * keep-alive limit and socket write buffer from the service's {@code application.properties} (on the benchmark's
 * class path), overridden by the same {@code --key=value} arguments the service takes ({@code -Dbench.service.args}).
 * Run by {@link StackFloor}; arguments: the page file, the token, then {@code --server.port=...} and the like.
 */
public final class BareTomcatFloor {

    private BareTomcatFloor() {
    }

    public static void main(String[] args) throws Exception {
        byte[] page = Files.readAllBytes(Path.of(args[0]));
        byte[] token = ("Bearer " + args[1]).getBytes(StandardCharsets.US_ASCII);
        Properties settings = new Properties();
        try (InputStream in = BareTomcatFloor.class.getResourceAsStream("/application.properties")) {
            if (in == null) {
                throw new IllegalStateException("the service's application.properties is not on the class path");
            }
            settings.load(in);
        }
        for (int i = 2; i < args.length; i++) {
            if (args[i].startsWith("--") && args[i].contains("=")) {
                int eq = args[i].indexOf('=');
                settings.setProperty(args[i].substring(2, eq), args[i].substring(eq + 1));
            }
        }
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createTempDirectory("bare-tomcat-floor").toString());
        Connector connector = tomcat.getConnector();
        connector.setPort(Integer.parseInt(settings.getProperty("server.port")));
        connector.setProperty("address", settings.getProperty("server.address",
                java.net.InetAddress.getLoopbackAddress().getHostAddress()));
        connector.setProperty("maxThreads", settings.getProperty("server.tomcat.threads.max", "200"));
        connector.setProperty("maxKeepAliveRequests", settings.getProperty("server.tomcat.max-keep-alive-requests",
                "100"));
        connector.setProperty("socket.appWriteBufSize", Long.toString(DataSize.parse(
                settings.getProperty("vfio-broker.web.socket-write-buffer", "8KB")).toBytes()));
        Context context = tomcat.addContext("", null);
        Tomcat.addServlet(context, "devices", new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                String given = request.getHeader("Authorization");
                if (given == null || !MessageDigest.isEqual(token, given.getBytes(StandardCharsets.US_ASCII))) {
                    response.sendError(401);
                    return;
                }
                response.setContentType("application/json");
                response.setContentLength(page.length);
                response.getOutputStream().write(page);
            }
        });
        context.addServletMappingDecoded("/api/v1/devices", "devices");
        tomcat.start();
        System.out.printf("bare Tomcat floor on port %s: %s threads, keep-alive %s requests, write buffer %s%n",
                connector.getPort(), connector.getProperty("maxThreads"), connector.getProperty("maxKeepAliveRequests"),
                connector.getProperty("socket.appWriteBufSize"));
        tomcat.getServer().await();
    }
}
