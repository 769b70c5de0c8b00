-- The multi-user store. One schema for SQLite and PostgreSQL: TEXT and BIGINT only (unix
-- seconds for times, NULL for "not yet"), ids made by the server, no dialect-specific types.

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    -- Spotify's `account_id` from GET /me where it is sent, else the Spotify user id.
    account_key TEXT NOT NULL UNIQUE,
    display_name TEXT,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);

CREATE TABLE spotify_grants (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    -- Access and refresh token, sealed with AES-256-GCM; never stored in clear.
    sealed_tokens TEXT NOT NULL,
    scopes TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    authorized_at BIGINT NOT NULL,
    -- Compare-and-set: a write names the version it read.
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE oauth_clients (
    client_id TEXT PRIMARY KEY,
    registration TEXT NOT NULL CHECK (registration IN ('dcr', 'cimd')),
    metadata TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE authorization_codes (
    code_hash TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_challenge TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    resource TEXT NOT NULL,
    scopes TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    -- The token family the redemption started: revoked if the code is presented again.
    family_id TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX authorization_codes_user ON authorization_codes (user_id);

CREATE TABLE oauth_tokens (
    token_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    client_id TEXT NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scopes TEXT NOT NULL,
    resource TEXT NOT NULL,
    family_id TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    -- A refresh token's rotation; presenting it again revokes its family.
    used_at BIGINT,
    revoked_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX oauth_tokens_family ON oauth_tokens (family_id);
CREATE INDEX oauth_tokens_user ON oauth_tokens (user_id);

CREATE TABLE consents (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id TEXT NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
    scopes TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, client_id)
);
