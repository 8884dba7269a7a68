//! Stage 8: what a server needs around the app: health checks, a limit on
//! how long a client may take to send its headers, a graceful stop, a time
//! limit and a size limit on every request, and security headers.

use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use mock_okta::{Browser, Fault, MockOkta};
use ring::digest::{SHA256, digest};
use stage_tests::{INTERNET, Instance, Stage, TestApp, Timing, each_stage, okta_logout_form};
use std::time::{Duration, Instant};

#[tokio::test]
async fn health_checks_answer_without_a_session() {
    each_stage(&INTERNET, |stage| async move {
        let app = TestApp::start(stage).await;
        let alive = app.browser.get(&app.at("/healthz")).await;
        assert_eq!((alive.status, alive.body.as_str()), (StatusCode::OK, "ok"), "{stage:?}");
        let ready = app.browser.get(&app.at("/healthz/ready")).await;
        assert_eq!(ready.status, StatusCode::OK, "{stage:?}: {}", ready.body);
        let checks: serde_json::Value = serde_json::from_str(&ready.body).expect("JSON");
        assert_eq!(checks, serde_json::json!({"okta": "ok", "sessions": "in memory"}));
        app.log_in_as_alice("/").await;
        let before = app.session_id();
        for health in [alive, ready, app.browser.get(&app.at("/healthz")).await] {
            assert!(health.set_cookies().is_empty(), "{stage:?}: {:?}", health.set_cookies());
        }
        assert_eq!(app.session_id(), before, "{stage:?}");
    })
    .await;
}

#[tokio::test]
async fn okta_unreachable_at_start_is_reported_by_readiness_not_liveness() {
    each_stage(&INTERNET, |stage| async move {
        let nowhere = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
        let issuer = format!("http://{}/oauth2/default", nowhere.local_addr().expect("bound"));
        drop(nowhere);
        let settings = [("OKTA_BASE_URL", issuer.as_str())];
        let app = stage_tests::serve_now(stage, &settings, Timing::default()).await;
        let browser = Browser::new();
        let ready = browser.get(&format!("{app}/healthz/ready")).await;
        assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE, "{stage:?}: {}", ready.body);
        assert!(ready.body.contains("discovery"), "{stage:?}: {}", ready.body);
        let alive = browser.get(&format!("{app}/healthz")).await;
        assert_eq!(alive.status, StatusCode::OK, "{stage:?}: alive");
    })
    .await;
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    each_stage(&INTERNET, |stage| async move {
        let app = TestApp::start(stage).await;
        for path in ["/", "/login/okta", "/nope", "/healthz"] {
            let page = Browser::new().get(&app.at(path)).await;
            let header = |name: &str| {
                let value = page.headers.get(name).and_then(|v| v.to_str().ok());
                value.unwrap_or_default().to_string()
            };
            let policy = header("content-security-policy");
            assert!(
                policy.contains("default-src 'none'") && policy.contains("frame-ancestors 'none'"),
                "{stage:?} {path}: {policy}"
            );
            let okta = app.okta.issuer().trim_end_matches("/oauth2/default");
            let form_action = format!("form-action 'self' {okta}");
            assert!(policy.contains(&form_action), "{stage:?} {path}: {policy}");
            assert_eq!(header("x-frame-options"), "DENY", "{stage:?} {path}");
            assert_eq!(header("referrer-policy"), "no-referrer", "{stage:?} {path}");
            assert_eq!(header("x-content-type-options"), "nosniff", "{stage:?} {path}");
            assert_eq!(header("cache-control"), "no-store", "{stage:?} {path}");
        }
    })
    .await;
}

#[tokio::test]
async fn the_logout_page_s_script_and_form_are_allowed_by_the_content_security_policy() {
    each_stage(&INTERNET, |stage| async move {
        let app = TestApp::start(stage).await;
        app.log_in_as_alice("/").await;
        let page = app.browser.post_form(&app.at("/logout"), &[]).await;
        assert_eq!(page.status, StatusCode::OK, "{stage:?}: {}", page.body);
        assert_eq!(page.headers["cache-control"], "no-store", "{stage:?}");
        let policy = page.headers["content-security-policy"].to_str().expect("text");
        let directive = |name: &str| -> Vec<&str> {
            let found = policy.split(';').map(str::trim).find(|d| d.starts_with(name));
            found.map(|d| d.split_whitespace().skip(1).collect()).unwrap_or_default()
        };
        // A browser runs the page's one inline script only if its SHA-256
        // is in `script-src`; and nothing else may run.
        assert_eq!(page.body.matches("<script").count(), 1, "{stage:?}: {}", page.body);
        let start = page.body.find("<script>").expect("a script") + "<script>".len();
        let script = &page.body[start..start + page.body[start..].find("</script>").expect("end")];
        let hash = STANDARD.encode(digest(&SHA256, script.as_bytes()));
        assert_eq!(directive("script-src"), [format!("'sha256-{hash}'")], "{stage:?}: {policy}");
        // The form may post to Okta's logout.
        let okta = okta_logout_form(&page).action.origin().ascii_serialization();
        assert!(directive("form-action").contains(&okta.as_str()), "{stage:?}: {policy}");
    })
    .await;
}

#[tokio::test]
async fn logout_typed_into_the_address_bar_is_a_page_pointing_to_the_button() {
    each_stage(&INTERNET, |stage| async move {
        let app = TestApp::start(stage).await;
        let page = Browser::new().get(&app.at("/logout")).await;
        assert_eq!(page.status, StatusCode::METHOD_NOT_ALLOWED, "{stage:?}");
        assert!(page.body.contains("use the Log out button"), "{stage:?}: {}", page.body);
        let health = Browser::new().post_form(&app.at("/healthz"), &[]).await;
        assert_eq!(health.status, StatusCode::METHOD_NOT_ALLOWED, "{stage:?}");
        assert!(health.body.contains("Go home"), "{stage:?}: a page, not an empty answer");
    })
    .await;
}

/// A connection to `url` that sends half a request: its headers never end.
async fn half_a_request(url: &str) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let addr = url.trim_start_matches("http://");
    let mut slow = tokio::net::TcpStream::connect(addr).await.expect("connects");
    slow.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n").await.expect("sent");
    slow
}

#[tokio::test]
async fn a_client_that_never_finishes_its_request_headers_is_cut_off() {
    use tokio::io::AsyncReadExt;
    each_stage(&INTERNET, |stage| async move {
        let okta = MockOkta::start().await.expect("the mock starts");
        let timing = Timing { header_timeout: Duration::from_millis(300), ..Timing::default() };
        let app = TestApp::start_with(stage, okta, timing, &[]).await;
        let mut slow = half_a_request(&app.url).await;
        let mut rest = Vec::new();
        let closed = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut rest));
        assert!(closed.await.is_ok(), "{stage:?}: the connection is still open after 5 s");
        let health = Browser::new().get(&app.at("/healthz")).await;
        assert_eq!(health.status, StatusCode::OK, "{stage:?}: the server still serves others");
    })
    .await;
}

#[tokio::test]
async fn a_client_that_never_finishes_its_request_does_not_hold_up_a_shutdown() {
    each_stage(&INTERNET, |stage| async move {
        let okta = MockOkta::start().await.expect("the mock starts");
        let timing = Timing {
            header_timeout: Duration::from_secs(60),
            shutdown_grace: Duration::from_millis(300),
            ..Timing::default()
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let app = Instance::spawn(listener, stage, &[("OKTA_BASE_URL", okta.issuer())], timing);
        let _slow = half_a_request(&app.url).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        let stopped = tokio::time::timeout(Duration::from_secs(5), app.stop()).await;
        assert!(stopped.is_ok(), "{stage:?}: still serving 5 s after the signal");
    })
    .await;
}

#[tokio::test]
async fn a_request_that_takes_too_long_is_a_408_page() {
    each_stage(&INTERNET, |stage| async move {
        let okta = MockOkta::builder()
            .fault(Fault::TokenSlow(Duration::from_secs(5)))
            .start()
            .await
            .expect("start");
        let timing = Timing {
            idp_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_millis(500),
            ..Timing::default()
        };
        let app = TestApp::start_with(stage, okta, timing, &[]).await;
        let callback = app.callback_url().await;
        let started = Instant::now();
        let page = app.browser.get(callback.as_str()).await;
        assert_eq!(page.status, StatusCode::REQUEST_TIMEOUT, "{stage:?}: {}", page.body);
        assert!(started.elapsed() < Duration::from_secs(3), "{stage:?}: {:?}", started.elapsed());
    })
    .await;
}

#[tokio::test]
async fn a_request_body_over_the_limit_is_refused() {
    each_stage(&INTERNET, |stage: Stage| async move {
        let app = TestApp::start(stage).await;
        let big = "x".repeat(64 * 1024);
        let answer = Browser::new().post_form(&app.at("/logout"), &[("pad", big.as_str())]).await;
        assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE, "{stage:?}");
    })
    .await;
}

#[tokio::test]
async fn over_https_browsers_are_told_to_stay_on_https_and_the_session_cookie_is_this_hosts_alone()
{
    each_stage(&INTERNET, |stage| async move {
        for app_url in ["https://app.example.com", "http://127.0.0.1:18080"] {
            let okta = MockOkta::start().await.expect("start");
            okta.add_client(
                mock_okta::Client::web(stage_tests::CLIENT_ID, stage_tests::CLIENT_SECRET)
                    .redirect_uri(format!("{app_url}/login/okta/authorized")),
            );
            let https = app_url.starts_with("https");
            let settings = [("APP_URL", app_url), ("OKTA_BASE_URL", okta.issuer())];
            let router = stage_tests::router_for(stage, &settings).await;
            let request = axum::http::Request::get("/login/okta").body(axum::body::Body::empty());
            let answer = tower::ServiceExt::oneshot(router, request.expect("a request"));
            let answer = answer.await.expect("infallible");
            let hsts = answer.headers().get("strict-transport-security");
            let hsts = hsts.map(|v| v.to_str().expect("ASCII").to_string());
            let wanted = https.then(|| "max-age=31536000; includeSubDomains".to_string());
            assert_eq!(hsts, wanted, "{stage:?} {app_url}");
            let cookies = crate::promises::cookies_of_a_login(stage, app_url, &okta).await;
            let name = format!("{}=", stage_tests::session_cookie_of(stage, app_url));
            let session = cookies.iter().find(|c| c.starts_with(&name)).expect("a session cookie");
            assert_eq!(session.starts_with("__Host-"), https, "{stage:?}: {session}");
            assert!(session.contains("Path=/;") || session.ends_with("Path=/"), "{session}");
            assert!(!session.contains("Domain"), "{stage:?}: {session}");
        }
    })
    .await;
}
