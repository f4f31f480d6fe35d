-- API keys (io.fleetline.registry.keys). Only the SHA-256 of a key is stored, with its first
-- 8 characters for display. Every service reads this table by key_hash through
-- io.fleetline.commons.auth.KeyCache and updates last_used_at in batches (docs/architecture.md);
-- the registry notifies fleetline_api_keys on every change so caches drop revoked keys at once.
CREATE TABLE api_keys (
    key_id       text PRIMARY KEY,
    name         text        NOT NULL,
    prefix       text        NOT NULL,
    key_hash     text        NOT NULL UNIQUE,
    permissions  text[]      NOT NULL CHECK (permissions <@ ARRAY['read','write','admin'] AND cardinality(permissions) > 0),
    device_ids   text[],                 -- null: every device
    rate_limit   integer CHECK (rate_limit > 0), -- requests per window replacing the default class limit
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,            -- also the end of the grace period of a rotated key
    last_used_at timestamptz,
    revoked_at   timestamptz,
    rotated_to   text REFERENCES api_keys (key_id)
);

CREATE INDEX api_keys_created_idx ON api_keys (created_at DESC);
