package org.vfiobroker.security.web;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;
import org.vfiobroker.api.TokensApi;
import org.vfiobroker.api.model.ApiToken;
import org.vfiobroker.api.model.CreatedApiToken;
import org.vfiobroker.api.model.TokenCreation;
import org.vfiobroker.api.model.TokenState;
import org.vfiobroker.security.ApiTokenService;
import org.vfiobroker.security.ApiTokenView;

/** The API-token API, as {@code api-spec/openapi.yaml} defines it. Authorization is on {@link ApiTokenService}. */
@RestController
class TokenController implements TokensApi {

    private final ApiTokenService tokens;

    TokenController(ApiTokenService tokens) {
        this.tokens = tokens;
    }

    @Override
    public ResponseEntity<List<ApiToken>> listTokens() {
        return ResponseEntity.ok(tokens.list().stream().map(TokenController::dto).toList());
    }

    @Override
    public ResponseEntity<CreatedApiToken> createToken(TokenCreation body) {
        ApiTokenView.Created created = tokens.create(body.getName(), AccountController.role(body.getScope()),
                body.getExpiresInDays());
        return ResponseEntity.status(HttpStatus.CREATED)
                .header("Cache-Control", "no-store")
                .body(new CreatedApiToken().token(created.token()).details(dto(created.details())));
    }

    @Override
    public ResponseEntity<Void> revokeToken(Long id) {
        tokens.revoke(id);
        return ResponseEntity.noContent().build();
    }

    private static ApiToken dto(ApiTokenView t) {
        return new ApiToken()
                .id(t.id())
                .name(t.name())
                .account(t.account())
                .scope(AccountController.dto(t.scope()))
                .prefix(t.prefix())
                .state(TokenState.valueOf(t.state().name()))
                .createdAt(time(t.createdAt()))
                .expiresAt(time(t.expiresAt()))
                .lastUsedAt(time(t.lastUsedAt()))
                .revokedAt(time(t.revokedAt()));
    }

    private static OffsetDateTime time(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
