package org.vfiobroker.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.catalina.connector.Connector;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.test.context.ActiveProfiles;

/**
 * The running server writes answers through the configured buffer, so a device page of 100 functions goes out in a
 * few system calls rather than Tomcat's default of one per 8 KiB (bench/README.md has the measurements).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "vfio-broker.data-dir=target/test-data/${random.uuid}",
        "spring.datasource.url=jdbc:h2:mem:${random.uuid};DB_CLOSE_DELAY=-1",
        "vfio-broker.web.socket-write-buffer=96KB"})
@ActiveProfiles("demo")
class TomcatSocketConfigTest {

    @Autowired
    WebServerApplicationContext context;

    @Test
    void theConnectorWritesThroughTheConfiguredBuffer() {
        Connector connector = ((TomcatWebServer) context.getWebServer()).getTomcat().getConnector();

        assertThat(String.valueOf(connector.getProperty("socket.appWriteBufSize"))).isEqualTo("98304");
    }
}
