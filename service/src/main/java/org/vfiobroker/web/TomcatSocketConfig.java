package org.vfiobroker.web;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

/**
 * The size of the buffer Tomcat writes a connection's answers through. Tomcat hands a large body to the socket in
 * pieces of this buffer's size, one system call (and one pass through the TCP stack) each: with its default of
 * 8 KiB a device page of 100 functions (~130 KB) took 16 writes.
 */
@Configuration
class TomcatSocketConfig {

    @Bean
    TomcatConnectorCustomizer socketWriteBuffer(
            @Value("${vfio-broker.web.socket-write-buffer}") DataSize size) {
        return connector -> connector.setProperty("socket.appWriteBufSize", Long.toString(size.toBytes()));
    }
}
