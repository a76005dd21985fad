package org.vfiobroker.security;

import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/** A request authenticated by an API token: the owner's name, with the token's effective scope as role. */
public class TokenAuthentication extends AbstractAuthenticationToken {

    private final String username;
    private final long tokenId;
    private final Role scope;

    TokenAuthentication(String username, long tokenId, Role scope) {
        super(List.of(new SimpleGrantedAuthority(scope.authority())));
        this.username = username;
        this.tokenId = tokenId;
        this.scope = scope;
        setAuthenticated(true);
    }

    @Override
    public Object getCredentials() {
        return "";
    }

    @Override
    public Object getPrincipal() {
        return username;
    }

    public long tokenId() {
        return tokenId;
    }

    public Role scope() {
        return scope;
    }
}
