-- Devices' MQTT passwords, stored only as the lowercase hex SHA-256 of the 192-bit random password
-- the registry issued (the stored form of API keys too: a random secret needs no salt or slow hash).
-- The broker's device-account plugin (deploy/mosquitto/device-auth) reads password_sha256 by
-- device_id on every connect of a device; deleting the device deletes its account.
CREATE TABLE device_credentials (
    device_id       text PRIMARY KEY REFERENCES devices (device_id) ON DELETE CASCADE,
    password_sha256 text NOT NULL CHECK (password_sha256 ~ '^[0-9a-f]{64}$'),
    issued_at       timestamptz NOT NULL DEFAULT now()
);
