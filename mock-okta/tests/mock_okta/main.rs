//! mock-okta's tests, as one test binary with a module per topic (one
//! binary links once: the suite builds faster than with a binary per file).

mod auth_servers;
mod bad_input;
mod cli;
mod clock;
mod control_api;
mod control_resources;
mod edges;
mod endpoints;
mod faults;
mod groups_and_scopes;
mod helpers;
mod key_rotation;
mod logout;
mod minting;
mod rotation;
mod service;
mod tls;
mod token_shapes;
