-- The app's own users: one row per person, keyed by who Okta says they are
-- for good, the issuer and the subject (OpenID Connect Core §5.7), never by
-- the email, which a user can change at Okta.
CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    issuer      TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    email       TEXT    NOT NULL,
    name        TEXT,
    first_login INTEGER NOT NULL, -- seconds since the Unix epoch
    last_login  INTEGER NOT NULL, -- seconds since the Unix epoch
    UNIQUE (issuer, subject)
);
