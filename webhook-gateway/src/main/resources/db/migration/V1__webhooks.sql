-- Webhook endpoints, the events they receive, one delivery per (endpoint, event) and its attempts.

CREATE TABLE endpoints (
    id                         text PRIMARY KEY,
    url                        text        NOT NULL,
    events                     text[],                        -- null: every event type
    min_severity               smallint    NOT NULL DEFAULT 0, -- 0 info, 1 warning, 2 critical
    device_ids                 text[],                        -- null: every device
    format                     text        NOT NULL DEFAULT 'generic',
    description                text,
    enabled                    boolean     NOT NULL DEFAULT true,
    disabled_reason            text,
    secret                     text        NOT NULL,
    previous_secret            text,
    previous_secret_expires_at timestamptz,
    failing_since              timestamptz,                   -- first failure since the last success
    paused_until               timestamptz,                   -- Retry-After of the receiver
    created_at                 timestamptz NOT NULL DEFAULT now(),
    updated_at                 timestamptz NOT NULL DEFAULT now()
);

-- The raw bytes of each event as received: deliveries send exactly these bytes.
CREATE TABLE events (
    event_id    text PRIMARY KEY,
    event_type  text        NOT NULL,
    device_id   text,
    severity    smallint    NOT NULL,
    payload     bytea       NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE deliveries (
    seq              bigserial PRIMARY KEY,                    -- event order per (endpoint, device)
    id               text        NOT NULL UNIQUE DEFAULT ('dlv_' || replace(gen_random_uuid()::text, '-', '')),
    endpoint_id      text        NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
    event_id         text        NOT NULL REFERENCES events (event_id),
    order_key        text        NOT NULL,                     -- device id, '' without one
    state            text        NOT NULL DEFAULT 'pending',
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    lease_until      timestamptz,
    cycle_started_at timestamptz NOT NULL DEFAULT now(),       -- restarts on redeliver; bounds the retries
    created_at       timestamptz NOT NULL DEFAULT now(),
    completed_at     timestamptz,
    UNIQUE (endpoint_id, event_id),
    CHECK (state IN ('pending', 'delivering', 'succeeded', 'retrying', 'failed', 'dead'))
);

CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state IN ('pending', 'retrying');
CREATE INDEX deliveries_leased ON deliveries (lease_until) WHERE state = 'delivering';
CREATE INDEX deliveries_open_per_key ON deliveries (endpoint_id, order_key, seq)
    WHERE state IN ('pending', 'retrying', 'delivering');
CREATE INDEX deliveries_by_endpoint ON deliveries (endpoint_id, seq DESC);

CREATE TABLE attempts (
    id              bigserial PRIMARY KEY,
    delivery_seq    bigint      NOT NULL REFERENCES deliveries (seq) ON DELETE CASCADE,
    number          integer     NOT NULL,
    attempted_at    timestamptz NOT NULL,
    duration_ms     integer     NOT NULL,
    response_status integer,
    error           text,
    response_body   text,                                      -- first 2 KiB
    next_attempt_at timestamptz
);

CREATE INDEX attempts_by_delivery ON attempts (delivery_seq, number);

-- Inbound events already accepted, for duplicate detection by event id.
CREATE TABLE inbound_events (
    event_id    text PRIMARY KEY,
    event_type  text        NOT NULL,
    device_id   text,
    payload     bytea       NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
