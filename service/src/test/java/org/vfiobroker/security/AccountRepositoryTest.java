package org.vfiobroker.security;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.OptimisticLockingFailureException;
import org.vfiobroker.support.ApiTest;

class AccountRepositoryTest extends ApiTest {

    @Autowired
    AccountRepository accounts;

    @Test
    void aChangeToAnAccountDeletedMeanwhileFails() throws Exception {
        String name = uniqueName("stale");
        createAccount(name, "VIEWER");
        Account read = accounts.findByUsername(name).orElseThrow();
        call(delete("/api/v1/accounts/" + name, admin()));

        read.setRole(Role.OPERATOR, Instant.now());
        assertThatThrownBy(() -> accounts.updateRole(read))
                .isInstanceOf(OptimisticLockingFailureException.class);
        assertThatThrownBy(() -> accounts.updateEnabled(read))
                .isInstanceOf(OptimisticLockingFailureException.class);
        assertThatThrownBy(() -> accounts.updatePasswordHash(read))
                .isInstanceOf(OptimisticLockingFailureException.class);
        assertThatThrownBy(() -> accounts.delete(read))
                .isInstanceOf(OptimisticLockingFailureException.class);
    }
}
