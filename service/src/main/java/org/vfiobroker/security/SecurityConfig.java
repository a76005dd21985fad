package org.vfiobroker.security;

import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.firewall.StrictHttpFirewall;
import org.springframework.security.web.util.matcher.AnyRequestMatcher;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two filter chains: the REST API and the actuator (stateless, API tokens and HTTP Basic, problem-detail
 * errors, no session and therefore no CSRF exposure) and the dashboard (form login, session, CSRF on every
 * mutating request). Both throttle failed logins. Nothing is anonymous except the login page, static assets
 * and the health summary; what each role may do is decided on the application services
 * ({@code @PreAuthorize} with {@link Roles}), so the API and the dashboard share it.
 */
@Configuration
@EnableMethodSecurity
class SecurityConfig {

    /**
     * No observations (timers, traces) of Spring Security's filters, authentication and authorization: they cost
     * about 20 wrapped calls per request and nothing reads them. HTTP request metrics
     * ({@code http.server.requests}) stay.
     */
    @Bean
    static SecurityObservationSettings securityObservationSettings() {
        return SecurityObservationSettings.noObservations();
    }

    @Bean
    @Order(1)
    SecurityFilterChain api(HttpSecurity http, JsonMapper json, ApiTokenService tokens,
                            TokenAuthenticationCache tokenCache, LoginThrottle throttle, LoginEvents events)
            throws Exception {
        ProblemAuthenticationEntryPoint entryPoint = new ProblemAuthenticationEntryPoint(json);
        return http
                .securityMatcher("/api/**", "/actuator/**")
                .authorizeHttpRequests(auth -> auth
                        // The summary (UP/DOWN) is public for load balancers; details need an account.
                        .requestMatchers("/actuator/health", "/actuator/health/**").permitAll()
                        .requestMatchers("/actuator/prometheus").hasAnyRole("ADMIN", "OPERATOR")
                        .requestMatchers("/actuator/**").hasRole("ADMIN")
                        .anyRequest().authenticated())
                .addFilterBefore(LoginThrottleFilter.forApi(throttle, events, json), BasicAuthenticationFilter.class)
                .addFilterBefore(new BearerTokenFilter(tokens, tokenCache, events, entryPoint), BasicAuthenticationFilter.class)
                .httpBasic(basic -> basic.authenticationEntryPoint(entryPoint))
                .exceptionHandling(ex -> ex.authenticationEntryPoint(entryPoint)
                        .accessDeniedHandler(new ProblemAccessDeniedHandler(json)))
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                // No session and no cookie authenticate an API request, so there is nothing to forge.
                .csrf(csrf -> csrf.disable())
                // Stateless: no request is saved for after a login, and there is no logout to handle.
                .requestCache(cache -> cache.disable())
                .logout(logout -> logout.disable())
                .build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain dashboard(HttpSecurity http, LoginThrottle throttle, LoginEvents events) throws Exception {
        return http
                .authorizeHttpRequests(auth -> auth
                        .requestMatchers("/login", "/css/**", "/js/**", "/webjars/**", "/favicon.ico", "/error")
                        .permitAll()
                        .anyRequest().authenticated())
                .addFilterBefore(LoginThrottleFilter.forLoginForm(throttle, events),
                        UsernamePasswordAuthenticationFilter.class)
                .formLogin(form -> form.loginPage("/login").permitAll())
                .exceptionHandling(ex -> ex.defaultAuthenticationEntryPointFor(
                        new HtmxSessionExpiredEntryPoint("/login?expired"),
                        request -> "true".equals(request.getHeader("HX-Request")))
                        .defaultAuthenticationEntryPointFor(
                                new LoginUrlAuthenticationEntryPoint("/login"), AnyRequestMatcher.INSTANCE)
                        .accessDeniedHandler(new ExpiredSessionAccessDeniedHandler("/login?expired")))
                .logout(Customizer.withDefaults())
                .build();
    }

    /**
     * Spring Security's strict firewall with its own rules for names and values, checked without regular
     * expressions ({@link FirewallCharacters}).
     */
    @Bean
    WebSecurityCustomizer firewall() {
        StrictHttpFirewall firewall = new StrictHttpFirewall();
        firewall.setAllowedHeaderNames(FirewallCharacters::assignedAndNotControl);
        firewall.setAllowedHeaderValues(FirewallCharacters::assignedAndNotControlOrTab);
        firewall.setAllowedParameterNames(FirewallCharacters::assignedAndNotControl);
        return web -> web.httpFirewall(firewall);
    }

    @Bean
    PasswordEncoder passwordEncoder() {
        // bcrypt by default; stored hashes carry their {id}, so a stronger encoder can follow without a migration.
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
