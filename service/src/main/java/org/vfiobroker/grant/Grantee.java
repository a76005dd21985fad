package org.vfiobroker.grant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A Unix user that received grants; its row is the lock under which that user's quota is checked. */
@Entity
@Table(name = "grantee")
class Grantee {

    @Id
    private Long uid;
    @Column(nullable = false, length = 32)
    private String username;

    protected Grantee() {
    }

    Grantee(long uid, String username) {
        this.uid = uid;
        this.username = username;
    }

    Long getUid() {
        return uid;
    }
}
