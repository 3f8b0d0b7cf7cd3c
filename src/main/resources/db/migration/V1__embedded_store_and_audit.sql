-- The embedded secret store: values sealed with AES-256-GCM, never in clear text.
-- version counts writes, for check-and-set between replicas.
CREATE TABLE stored_secret (
    name        VARCHAR(200) PRIMARY KEY,
    key_id      VARCHAR(32)  NOT NULL,
    nonce       BYTEA        NOT NULL,
    ciphertext  BYTEA        NOT NULL,
    version     INTEGER      NOT NULL,
    created_at  TIMESTAMPTZ  NOT NULL,
    updated_at  TIMESTAMPTZ  NOT NULL
);

-- The audit trail: proxied requests and credential events. Never a value, a query string or a header.
CREATE SEQUENCE audit_event_seq INCREMENT BY 100;

CREATE TABLE audit_event (
    id              BIGINT       PRIMARY KEY,
    occurred_at     TIMESTAMPTZ  NOT NULL,
    kind            VARCHAR(16)  NOT NULL,
    route           VARCHAR(200),
    credential      VARCHAR(200),
    subject         VARCHAR(200),
    method          VARCHAR(16),
    path            VARCHAR(2048),
    status          INTEGER,
    latency_micros  BIGINT,
    decision        VARCHAR(64)  NOT NULL,
    detail          VARCHAR(512)
);

CREATE INDEX audit_event_time ON audit_event (occurred_at);
CREATE INDEX audit_event_route_time ON audit_event (route, occurred_at);
CREATE INDEX audit_event_credential_time ON audit_event (credential, occurred_at);
