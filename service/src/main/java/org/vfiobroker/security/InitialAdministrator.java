package org.vfiobroker.security;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.annotation.Order;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import org.vfiobroker.audit.AuditEvent;
import org.vfiobroker.audit.AuditLog;

/**
 * Creates the administrator {@code admin} at the first start, when there is no account at all. The
 * password is taken from {@code vfio-broker.security.initial-admin-password} (environment variable
 * {@code VFIO_BROKER_ADMIN_PASSWORD}) or generated and printed once in the log as {@code password: <value>}.
 */
@Component
@Order(0)
class InitialAdministrator implements ApplicationRunner {

    static final String USERNAME = "admin";
    private static final Logger log = LoggerFactory.getLogger(InitialAdministrator.class);

    private final AccountRepository accounts;
    private final PasswordEncoder encoder;
    private final SecurityProperties properties;
    private final Clock clock;
    private final AuditLog audit;

    InitialAdministrator(AccountRepository accounts, PasswordEncoder encoder, SecurityProperties properties, Clock clock,
                         AuditLog audit) {
        this.audit = audit;
        this.accounts = accounts;
        this.encoder = encoder;
        this.properties = properties;
        this.clock = clock;
    }

    @Override
    @Transactional
    public void run(ApplicationArguments args) {
        if (accounts.count() > 0) {
            return;
        }
        String password = properties.initialAdminPassword();
        boolean generated = password.isEmpty();
        if (generated) {
            password = generatePassword();
        }
        accounts.insert(new Account(USERNAME, encoder.encode(password), Role.ADMIN,
                clock.instant().truncatedTo(ChronoUnit.MICROS))); // what the column keeps, as AccountService does
        audit.record(new AuditEvent.Draft("system", "account.create", AccountService.target(USERNAME),
                AuditEvent.Outcome.SUCCESS, "role=ADMIN first administrator" + (generated ? ", generated password" : "")));
        if (generated) {
            log.warn("Created the first administrator '{}' with a generated password, shown only this once; "
                    + "change it after logging in.\npassword: {}", USERNAME, password);
        } else {
            log.info("Created the first administrator '{}' with the configured initial password.", USERNAME);
        }
    }

    private static String generatePassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
