package org.vfiobroker.bench;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.util.unit.DataSize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The stack's floor: the fixed stack (Spring Boot's servlet stack on Tomcat, Spring MVC, Spring Security) with no
 * application work. One controller answers {@code GET /api/v1/devices} with the service's device page, byte for
 * byte, read once from a file; one filter compares the bearer token with a fixed one and authenticates the request;
 * every request must be authenticated. No database, no inventory, no observation, no validation: what remains is
 * the cost of the framework the service is built on, measured by the same load as the service.
 * <p>
 * Run by {@link StackFloor} as a subprocess with the service's JVM options. Its configuration is the service's own
 * {@code application.properties} (on the benchmark's class path with the service's classes), so the request
 * threads, keep-alive limit and socket write buffer are the service's; the service's beans are not there (only this
 * class and its controller are registered, and the auto-configurations that need a database or render pages are
 * left out). Arguments: the page file, the token, then Spring arguments ({@code --server.port=...}).
 */
@Configuration(proxyBeanMethods = false)
@EnableAutoConfiguration(excludeName = {
        "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
        "org.springframework.boot.thymeleaf.autoconfigure.ThymeleafAutoConfiguration",
        "org.springframework.boot.webmvc.autoconfigure.WebMvcObservationAutoConfiguration"})
@EnableWebSecurity
public class StackFloorApp {

    private static byte[] page;
    private static byte[] token;

    public static void main(String[] args) throws IOException {
        page = Files.readAllBytes(Path.of(args[0]));
        token = ("Bearer " + args[1]).getBytes(StandardCharsets.US_ASCII);
        SpringApplication app = new SpringApplication(StackFloorApp.class, DevicesController.class);
        app.run(java.util.Arrays.copyOfRange(args, 2, args.length));
    }

    @RestController
    static class DevicesController {
        @GetMapping("/api/v1/devices")
        ResponseEntity<byte[]> devices(@RequestParam(required = false) Integer size) {
            return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(page);
        }
    }

    @Bean
    TomcatConnectorCustomizer socketWriteBuffer(@Value("${vfio-broker.web.socket-write-buffer}") DataSize size) {
        return connector -> connector.setProperty("socket.appWriteBufSize", Long.toString(size.toBytes()));
    }

    @Bean
    SecurityFilterChain api(HttpSecurity http) throws Exception {
        http.csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .authorizeHttpRequests(r -> r.anyRequest().authenticated())
                .addFilterBefore(new OncePerRequestFilter() {
                    @Override
                    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response,
                                                    FilterChain chain) throws ServletException, IOException {
                        String given = request.getHeader("Authorization");
                        if (given != null && MessageDigest.isEqual(token, given.getBytes(StandardCharsets.US_ASCII))) {
                            SecurityContextHolder.getContext().setAuthentication(
                                    UsernamePasswordAuthenticationToken.authenticated("bench", null,
                                            List.of(new SimpleGrantedAuthority("ROLE_VIEWER"))));
                        }
                        chain.doFilter(request, response);
                    }
                }, BasicAuthenticationFilter.class);
        return http.build();
    }
}
