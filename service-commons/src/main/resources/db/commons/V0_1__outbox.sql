-- The transactional outbox of this service (see io.fleetline.commons.outbox.Outbox).
-- Flyway runs this in the service's own schema.
CREATE TABLE outbox (
    id         bigserial PRIMARY KEY,
    event_id   text        NOT NULL UNIQUE,
    topic      text        NOT NULL,
    payload    text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz
);

CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;
