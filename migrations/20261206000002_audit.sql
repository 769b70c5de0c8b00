-- The audit trail: one row per tool call that changes something at Spotify. TEXT and BIGINT
-- only, like the rest of the schema. No foreign key to users: single-user mode records with no
-- user, and a record must not fail because its user was deleted meanwhile.

CREATE TABLE audit_events (
    id TEXT PRIMARY KEY,
    -- Unix milliseconds: calls a moment apart keep their order.
    at_ms BIGINT NOT NULL,
    -- The user the call acted for (multi-user mode); NULL in single-user mode.
    user_id TEXT,
    -- The OAuth client id (multi-user mode), or the name the MCP client gave (single-user mode).
    client_id TEXT,
    tool TEXT NOT NULL,
    -- JSON: the ids and Spotify URIs in the arguments (capped, with counts), never other values.
    resource TEXT NOT NULL,
    -- ok, refused, invalid_arguments, spotify_error, auth_error, unreachable, error.
    outcome TEXT NOT NULL,
    -- Spotify's HTTP status when it answered with an error.
    http_status BIGINT,
    duration_ms BIGINT NOT NULL
);
CREATE INDEX audit_events_at ON audit_events (at_ms);
CREATE INDEX audit_events_user ON audit_events (user_id, at_ms);
