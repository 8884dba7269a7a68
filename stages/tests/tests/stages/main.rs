//! The workbook's end-to-end tests of stages 2 to 10, as one test binary
//! (it links once): a module per topic. Each test is named for what a user
//! sees, and runs over every stage that has the behaviour (the lists are
//! in `stages/tests/src/lib.rs`). Run one module with
//! `cargo test -p stage-tests --test stages -- promises::`.

/// Stage 10: the API and its access tokens.
mod api;
/// What real browsers do: two tabs, a callback twice, a neighbour app.
mod browsers;
/// A real headless Chromium logs in and out.
mod chromium;
/// Every stage's configuration: defaults, issuers, one-line errors.
mod config;
/// IdP answers that mock-okta does not model, played by wiremock.
mod idp_answers;
/// Stage 8: health checks, limits, security headers, SIGTERM.
mod internet;
/// The lessons of stages 2 to 4: what a visitor can and cannot reach.
mod lessons;
/// Stage 5 on: discovery, the ID token's checks, userinfo for what it lacks.
mod openid_connect;
/// A test of your own app, as the book's "Testing your login" shows it.
mod own_app;
/// Every promise of DESIGN.md, in every stage from 2 on.
mod promises;
/// Stage 6 on: sessions in a real Redis, shared by two instances.
mod redis;
/// Stage 7 on: refresh tokens.
mod refresh;
/// Stage 9 on: roles from Okta groups.
mod roles;
/// One step of a lesson at a time, for the exercises.
mod steps;
