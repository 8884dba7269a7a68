//! Every stage's `config.rs`, tested once: the defaults, both kinds of Okta
//! authorization server, and a one-line error naming the variable and the
//! fix for each bad value.

use stage_tests::{REDIS, ROLES, ROTATING_SECRETS, STAGES, config_of};

/// The one-line error for `vars`, in every stage (the same in each).
fn problem(vars: &[(&str, &str)]) -> String {
    let errors: Vec<String> =
        STAGES.iter().map(|&stage| config_of(stage, vars).expect_err("a bad value")).collect();
    assert!(errors.iter().all(|e| *e == errors[0]), "{errors:?}");
    assert!(!errors[0].contains('\n'), "{}", errors[0]);
    errors[0].clone()
}

/// What every stage makes of `vars`, which must be valid.
fn valid(vars: &[(&str, &str)]) -> stage_tests::ConfigSeen {
    let seen: Vec<_> = STAGES.iter().map(|&stage| config_of(stage, vars).expect("valid")).collect();
    let endpoints: Vec<_> = seen.iter().filter_map(|c| c.token_endpoint.as_ref()).collect();
    assert!(endpoints.iter().all(|e| *e == endpoints[0]), "{endpoints:?}");
    seen[0].clone()
}

const REAL_CLIENT: [(&str, &str); 2] =
    [("OAUTH_CLIENT_ID", "0oa1"), ("OAUTH_CLIENT_SECRET", "s3cr3t-of-the-app")];

#[test]
fn nothing_set_means_the_local_mock() {
    let config = valid(&[]);
    assert_eq!(config.app_url, "http://localhost:8080/");
    assert_eq!(config.issuer, "http://localhost:8081/oauth2/default");
    assert_eq!(
        config.token_endpoint.as_deref(),
        Some("http://localhost:8081/oauth2/default/v1/token")
    );
    assert_eq!(config.client_id, "0oa-workbook-client");
    assert_eq!(config.listen_addr, "localhost:8080");
}

#[test]
fn both_kinds_of_okta_authorization_server_are_issuers() {
    let cases = [
        (
            "https://dev-1.okta.com/oauth2/default/",
            "https://dev-1.okta.com/oauth2/default/v1/token",
        ),
        (
            "https://dev-1.okta.com/oauth2/aus1a2b3",
            "https://dev-1.okta.com/oauth2/aus1a2b3/v1/token",
        ),
        ("https://dev-1.okta.com", "https://dev-1.okta.com/oauth2/v1/token"),
        ("https://login.example.com/", "https://login.example.com/oauth2/v1/token"),
    ];
    for (issuer, token) in cases {
        let config = valid(&[[("OKTA_BASE_URL", issuer)].as_slice(), &REAL_CLIENT].concat());
        assert_eq!(config.issuer, issuer.trim_end_matches('/'));
        assert_eq!(config.token_endpoint.as_deref(), Some(token), "{issuer}");
    }
}

#[test]
fn what_people_paste_instead_of_the_issuer_is_refused_with_what_to_paste() {
    let cases = [
        (
            "https://dev-1.okta.com/oauth2/default/v1/authorize",
            "https://dev-1.okta.com/oauth2/default",
        ),
        ("https://dev-1.okta.com/oauth2/default/v1", "https://dev-1.okta.com/oauth2/default"),
        ("https://dev-1.okta.com/oauth2/v1/token", "https://dev-1.okta.com"),
        (
            "https://dev-1.okta.com/oauth2/default/.well-known/openid-configuration",
            "https://dev-1.okta.com/oauth2/default",
        ),
        ("https://dev-1.okta.com/.well-known/oauth-authorization-server", "https://dev-1.okta.com"),
        ("https://dev-1-admin.okta.com/oauth2/default", "https://dev-1.okta.com/oauth2/default"),
        ("https://dev-1-admin.okta.com/", "https://dev-1.okta.com"),
    ];
    for (pasted, wanted) in cases {
        let error = problem(&[[("OKTA_BASE_URL", pasted)].as_slice(), &REAL_CLIENT].concat());
        assert_eq!(
            error,
            format!("OKTA_BASE_URL={pasted:?} is not an issuer: paste {wanted} instead")
        );
    }
    for not_okta in [
        "https://dev-1.okta.com/app/home",
        "https://dev-1.okta.com/oauth2/default/extra",
        "https://dev-1.okta.com/oauth2/default?x=1",
        "https://dev-1.okta.com/oauth2/default#top",
        "https://user:pass@dev-1.okta.com/oauth2/default",
    ] {
        let error = problem(&[("OKTA_BASE_URL", not_okta)]);
        assert!(error.contains("is not an Okta issuer: e.g. https://"), "{error}");
    }
}

#[test]
fn a_real_org_needs_https_and_its_own_client() {
    let org = [("OKTA_BASE_URL", "https://dev-1.okta.com/oauth2/default")];
    assert!(problem(&org).starts_with("OAUTH_CLIENT_ID is not set: copy it from your Okta app"));
    // `cp .env.example .env` and only OKTA_BASE_URL changed: the mock's client.
    let copied = [
        org[0],
        ("OAUTH_CLIENT_ID", "0oa-workbook-client"),
        ("OAUTH_CLIENT_SECRET", "workbook-secret-for-the-local-mock-only"),
    ];
    assert_eq!(
        problem(&copied),
        "OAUTH_CLIENT_ID is the local mock's: copy your Okta app's from its General tab into .env"
    );
    let secret_left = [org[0], ("OAUTH_CLIENT_ID", "0oa1"), copied[2]];
    assert!(problem(&secret_left).starts_with("OAUTH_CLIENT_SECRET is the local mock's"));
    let plain = [("OKTA_BASE_URL", "http://okta.internal/oauth2/default")];
    assert!(problem(&plain).contains("or set OAUTH_INSECURE_TRANSPORT=true"));
    let allowed =
        [plain.as_slice(), &[("OAUTH_INSECURE_TRANSPORT", "true")], &REAL_CLIENT].concat();
    assert_eq!(valid(&allowed).issuer, "http://okta.internal/oauth2/default");
    for loopback in ["http://127.0.0.1:9/oauth2/default", "http://[::1]:9/oauth2/default"] {
        assert_eq!(valid(&[("OKTA_BASE_URL", loopback)]).client_id, "0oa-workbook-client");
    }
}

#[test]
fn every_bad_value_names_its_variable_and_the_fix() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("APP_URL", "localhost:8080")], "APP_URL=\"localhost:8080\" is not an http(s) URL"),
        (&[("APP_URL", "http://localhost:8080/app")], "e.g. APP_URL=http://localhost:8080"),
        (&[("APP_URL", "http://localhost:8080/?next=/")], "is not an http(s) URL of a host"),
        (&[("APP_URL", "http://localhost:8080/#top")], "is not an http(s) URL of a host"),
        (&[("APP_URL", "http://me:pw@localhost:8080")], "is not an http(s) URL of a host"),
        (
            &[("OKTA_BASE_URL", "dev-123.okta.com")],
            "OKTA_BASE_URL=\"dev-123.okta.com\" is not a URL",
        ),
        (&[("OKTA_BASE_URL", "ftp://dev-1.okta.com")], "is not https"),
        (&[("OAUTH_INSECURE_TRANSPORT", "yes")], "neither true nor false"),
        (&[("OAUTH_CLIENT_SECRET", " ")], "OAUTH_CLIENT_SECRET is not set"),
        (&[("SESSION_SECRET", "short")], "SESSION_SECRET is 5 bytes, and must be at least 64"),
    ];
    for (vars, expected) in cases {
        let error = problem(vars);
        assert!(error.contains(expected), "{vars:?}: {error}");
    }
}

#[test]
fn debug_never_shows_a_secret() {
    let secret = "k".repeat(64);
    let vars = [("OAUTH_CLIENT_SECRET", "s3cr3t-of-the-app"), ("SESSION_SECRET", secret.as_str())];
    let shown = valid(&vars).debug;
    assert!(shown.contains("0oa-workbook-client"), "{shown}");
    assert!(!shown.contains("s3cr3t") && !shown.contains("kkkk"), "{shown}");
}

#[test]
fn listen_addr_and_redis_url_are_checked_in_the_stages_that_read_them() {
    for stage in REDIS {
        let listen = config_of(stage, &[("LISTEN_ADDR", "127.0.0.1:8082")]).expect("valid");
        assert_eq!(listen.listen_addr, "127.0.0.1:8082", "{stage:?}");
        assert_eq!(config_of(stage, &[]).expect("valid").listen_addr, "localhost:8080");
        let secret = ("SESSION_SECRET", "k".repeat(64));
        let secret = (secret.0, secret.1.as_str());
        let urls = [
            "redis://127.0.0.1:6379",
            "rediss://:hunter2@redis.example:6380/0",
            "redis-cluster://:hunter2@10.0.0.1:6379?node=10.0.0.2:6379&node=10.0.0.3:6379",
            "redis-sentinel://:hunter2@10.0.0.1:26379?sentinelServiceName=mymaster&node=10.0.0.2:26379",
        ];
        for url in urls {
            let config = config_of(stage, &[("REDIS_URL", url), secret]).expect("valid");
            assert!(!config.debug.contains("hunter2"), "{stage:?}: {}", config.debug);
        }
        let cases = [
            (("LISTEN_ADDR", "8082"), "LISTEN_ADDR=\"8082\" is not host:port: e.g. LISTEN_ADDR="),
            (("REDIS_URL", "redis:/:hunter2@127.0.0.1"), "REDIS_URL is not a Redis URL: e.g. "),
            // A Sentinel set without the name its sentinels know the primary by.
            (
                ("REDIS_URL", "redis-sentinel://:hunter2@10.0.0.1:26379"),
                "REDIS_URL is not a Redis URL: e.g. ",
            ),
            (
                ("REDIS_URL", "redis://127.0.0.1:6379"),
                "SESSION_SECRET is not set, and REDIS_URL is",
            ),
        ];
        for ((name, value), expected) in cases {
            let error = config_of(stage, &[(name, value)]).expect_err("a bad value");
            assert!(error.starts_with(expected), "{stage:?} {name}: {error}");
            assert!(!error.contains("hunter2") && !error.contains('\n'), "{stage:?}: {error}");
        }
    }
}

#[test]
fn instances_that_share_redis_must_be_given_one_session_secret() {
    for stage in REDIS {
        let error = config_of(stage, &[("REDIS_URL", "redis://127.0.0.1:6379")]);
        let error = error.expect_err("REDIS_URL without SESSION_SECRET");
        assert!(
            error.starts_with("SESSION_SECRET is not set, and REDIS_URL is: give every instance"),
            "{stage:?}: {error}"
        );
        let secret = "k".repeat(64);
        let shared = [("REDIS_URL", "redis://127.0.0.1:6379"), ("SESSION_SECRET", &secret)];
        assert!(config_of(stage, &shared).is_ok(), "{stage:?}");
        assert!(config_of(stage, &[]).is_ok(), "{stage:?}: in memory, a random key will do");
    }
}

#[test]
fn session_secret_fallbacks_are_secrets_of_their_own_beside_a_session_secret() {
    let secret = "k".repeat(64);
    let older = format!("{} {}", "o".repeat(64), "p".repeat(80));
    for stage in ROTATING_SECRETS {
        let both = [("SESSION_SECRET", secret.as_str()), ("SESSION_SECRET_FALLBACKS", &older)];
        let config = config_of(stage, &both).expect("valid");
        assert!(!config.debug.contains(&"o".repeat(64)), "{stage:?}: {}", config.debug);
        let cases = [
            (
                vec![("SESSION_SECRET_FALLBACKS", older.as_str())],
                "SESSION_SECRET_FALLBACKS is set, and SESSION_SECRET is not: set SESSION_SECRET",
            ),
            (
                vec![("SESSION_SECRET", &secret), ("SESSION_SECRET_FALLBACKS", "o o")],
                "SESSION_SECRET_FALLBACKS: its secret number 1 is 1 bytes, and must be at least 64",
            ),
        ];
        for (vars, expected) in cases {
            let error = config_of(stage, &vars).expect_err("a bad value");
            assert!(error.starts_with(expected), "{stage:?}: {error}");
            assert!(!error.contains('\n'), "{stage:?}: {error}");
        }
    }
}

#[test]
fn the_admin_group_is_a_group_s_name() {
    for stage in ROLES {
        let config = config_of(stage, &[("ADMIN_GROUP", "app-admins")]).expect("valid");
        assert!(config.debug.contains("app-admins"), "{stage:?}: {}", config.debug);
        for bad in ["", "  ", "admins\n"] {
            let error = config_of(stage, &[("ADMIN_GROUP", bad)]).expect_err("a bad value");
            assert!(error.starts_with("ADMIN_GROUP="), "{stage:?}: {error}");
            assert!(error.contains("is not an Okta group's name"), "{stage:?}: {error}");
            assert!(!error.contains('\n'), "{stage:?}: {error}");
        }
    }
}
