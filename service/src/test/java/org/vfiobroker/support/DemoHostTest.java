package org.vfiobroker.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.context.ActiveProfiles;

/**
 * A full application on the {@code demo} profile: the sample workstation host written under a fresh
 * data directory, the simulated host in place of the helper, an in-memory database, and the first
 * administrator {@code admin} with the password {@link #ADMIN_PASSWORD}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(properties = {
        "vfio-broker.data-dir=target/test-data/${random.uuid}",
        "spring.datasource.url=jdbc:h2:mem:${random.uuid};DB_CLOSE_DELAY=-1",
        "vfio-broker.security.initial-admin-password=" + DemoHostTest.ADMIN_PASSWORD})
@AutoConfigureMockMvc
@ActiveProfiles("demo")
public @interface DemoHostTest {

    String ADMIN_PASSWORD = "test-admin-password";
}
