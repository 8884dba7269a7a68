//! Tests of exercise 6.4, whose answer is not in the book: stage 6 reaches
//! a Redis on another machine over TLS only (sessions hold tokens), and
//! says so without showing the URL's password. Run only by the exercises'
//! checks, against a learner's stage 6 (and by `verify`, against stage 6
//! with the exercise's solution).

use stage_tests::{ConfigSeen, Stage, config_of};

/// A `SESSION_SECRET` of 64 bytes, which Redis needs.
const SECRET: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// Stage 6's configuration with `REDIS_URL=url`.
fn with_redis(url: &str) -> Result<ConfigSeen, String> {
    config_of(Stage::Six, &[("REDIS_URL", url), ("SESSION_SECRET", SECRET)])
}

#[test]
fn a_redis_on_another_machine_without_tls_is_refused_without_its_password() {
    let error = with_redis("redis://:hunter2@redis.internal:6379").expect_err("no TLS");
    assert!(error.starts_with("REDIS_URL"), "{error}");
    assert!(error.contains("rediss://"), "the fix: {error}");
    assert!(!error.contains("hunter2"), "the password shows: {error}");
}

#[test]
fn a_redis_on_this_machine_or_over_tls_is_accepted() {
    for url in ["redis://127.0.0.1:6379", "redis://localhost:6379", "rediss://redis.internal:6380"]
    {
        assert!(with_redis(url).is_ok(), "{url}: {:?}", with_redis(url).err());
    }
}
