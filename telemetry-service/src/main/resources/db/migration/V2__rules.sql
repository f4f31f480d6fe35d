-- Alert rules and their per-device state (io.fleetline.commons.rules.RuleEvaluator).
-- A rule targets one device (device_id) or every device of a type (device_type).
CREATE TABLE rules (
    id              text PRIMARY KEY,
    device_id       text,
    device_type     text,
    metric          text NOT NULL,
    operator        text NOT NULL CHECK (operator IN ('>', '>=', '<', '<=', '==', '!=')),
    threshold       double precision NOT NULL,
    clear_threshold double precision,
    severity        text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    duration_s      integer NOT NULL DEFAULT 0 CHECK (duration_s >= 0),
    enabled         boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((device_id IS NULL) <> (device_type IS NULL))
);

CREATE INDEX rules_device_idx ON rules (device_id) WHERE device_id IS NOT NULL;
CREATE INDEX rules_type_idx ON rules (device_type) WHERE device_type IS NOT NULL;
CREATE INDEX rules_created_idx ON rules (created_at, id);

-- One row per (rule, device) the rule has seen a reading for. Every writer (HTTP ingest, the
-- bridge, any replica) locks the row in its insert transaction, so a transition fires once.
-- No foreign key to rules: a rule deleted while a reading is written must not fail the write;
-- the rules API deletes the state with the rule.
CREATE TABLE rule_state (
    rule_id    text NOT NULL,
    device_id  text NOT NULL,
    since      timestamptz,                    -- device time the condition started holding; null when it does not
    fired      boolean NOT NULL DEFAULT false, -- threshold_exceeded emitted and not cleared yet
    last_ts    timestamptz,                    -- device time of the newest reading evaluated; older ones are ignored
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (rule_id, device_id)
);

CREATE INDEX rule_state_device_idx ON rule_state (device_id);
