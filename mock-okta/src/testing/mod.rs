//! Helpers for tests of an app that logs in against the mock: a test
//! browser that keeps cookies as a browser does and fills in the mock's
//! login form.

mod browser;

pub use browser::{Browser, MAX_REDIRECTS, Page};
