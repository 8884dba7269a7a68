//! Bad input loses nothing: thousands of malformed requests get
//! Okta-shaped 4xx answers (never a 5xx, never a hang), each reaches the
//! endpoint it was sent to, and the same instance then completes a normal
//! login.

use crate::helpers::*;
use mock_okta::MockOkta;
use reqwest::{Method, StatusCode};

/// A small, seeded generator, so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const NAMES: &[&str] = &[
    "client_id",
    "client_secret",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "code",
    "code_verifier",
    "code_challenge",
    "code_challenge_method",
    "grant_type",
    "refresh_token",
    "token",
    "id_token_hint",
    "post_logout_redirect_uri",
    "prompt",
    "action",
    "username",
    "password",
    "nonce",
];
const VALUES: &[&str] = &[
    "",
    "0oa-workbook-client",
    "http://localhost:8080/login/okta/authorized",
    "code",
    "openid",
    "authorization_code",
    "refresh_token",
    "client_credentials",
    "login",
    "deny",
    "none",
    "%ff%fe",
    "%",
    "%zz",
    "a%00b",
    "<script>alert(1)</script>",
    "\u{1F600}",
    "+++",
    "=&=",
    "x.y.z",
    "eyJhbGciOiJub25lIn0.e30.",
    "S256",
    "plain",
    "alice@example.com",
];

/// One generated query or form body: random names and values, sometimes
/// repeated, sometimes raw bytes that are not UTF-8, sometimes huge.
fn garbage(rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..(rng.next() % 8) {
        if i > 0 {
            out.push(b'&');
        }
        match rng.next() % 10 {
            0 => out.extend_from_slice(b"\xff\xfe=\xc3\x28"),
            1 => out
                .extend_from_slice(format!("{}={}", rng.pick(NAMES), "A".repeat(5000)).as_bytes()),
            _ => out
                .extend_from_slice(format!("{}={}", rng.pick(NAMES), rng.pick(VALUES)).as_bytes()),
        }
    }
    out
}

/// The endpoints no generated request can satisfy: each needs a client
/// secret or a token that the generator never makes.
const CREDENTIALED: &[&str] = &["/v1/token", "/v1/userinfo", "/v1/introspect", "/v1/revoke"];

#[tokio::test]
async fn thousands_of_bad_requests_are_refused_then_a_normal_login_works() {
    let okta = MockOkta::start().await.expect("start");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let endpoints = [
        (Method::GET, "/v1/authorize"),
        (Method::POST, "/v1/authorize"),
        (Method::POST, "/v1/token"),
        (Method::GET, "/v1/userinfo"),
        (Method::GET, "/v1/logout"),
        (Method::POST, "/v1/logout"),
        (Method::POST, "/v1/introspect"),
        (Method::POST, "/v1/revoke"),
        (Method::GET, "/v1/keys"),
        (Method::GET, "/.well-known/openid-configuration"),
    ];
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let per_endpoint = 400;
    for (method, endpoint) in &endpoints {
        for i in 0..per_endpoint {
            let body = garbage(&mut rng);
            let url = format!("{}{endpoint}", okta.issuer());
            let request = if *method == Method::GET {
                // Raw bytes in the query: percent-encode only what a URL cannot carry.
                let query: String = body
                    .iter()
                    .map(|b| {
                        if b.is_ascii_graphic() && *b != b'#' {
                            (*b as char).to_string()
                        } else {
                            format!("%{b:02X}")
                        }
                    })
                    .collect();
                http.get(format!("{url}?{query}"))
            } else {
                let content_type = if i % 17 == 0 {
                    "text/plain"
                } else {
                    "application/x-www-form-urlencoded"
                };
                let mut request = http
                    .post(&url)
                    .header("content-type", content_type)
                    .body(body);
                if i % 5 == 0 {
                    request = request.header(
                        "authorization",
                        rng.pick(&[
                            "Basic !!!",
                            "Basic Og==",
                            "Bearer x",
                            "Basic MDpvYS13b3JrYm9vay1jbGllbnQ6",
                        ]),
                    );
                }
                request
            };
            let answer = request
                .send()
                .await
                .expect("the mock answers every request");
            let status = answer.status();
            assert!(
                !status.is_server_error(),
                "{method} {endpoint}: {status} for request {i}"
            );
            if status.is_client_error()
                && *endpoint != "/v1/authorize"
                && *endpoint != "/v1/logout"
                && status != StatusCode::UNAUTHORIZED
            {
                let body: serde_json::Value = answer
                    .json()
                    .await
                    .unwrap_or_else(|e| panic!("{endpoint}: a 4xx that is not JSON ({e})"));
                assert!(
                    body["error"].is_string() && body["error_description"].is_string(),
                    "{endpoint}: {body}"
                );
            }
            if CREDENTIALED.contains(endpoint) {
                assert!(
                    status.is_client_error(),
                    "{method} {endpoint}: {status} for request {i}, which has no credentials"
                );
            }
        }
    }
    let received = okta.requests();
    for (method, endpoint) in &endpoints {
        let arrived = received
            .iter()
            .filter(|r| r.method == *method && r.is(endpoint))
            .count();
        assert_eq!(
            arrived, per_endpoint,
            "{method} {endpoint}: the mock recorded {arrived} of the {per_endpoint} requests"
        );
    }
    let oversized = http
        .post(format!("{}/v1/token", okta.issuer()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![b'a'; 100_000])
        .send()
        .await
        .expect("answer");
    assert_eq!(oversized.status(), StatusCode::PAYLOAD_TOO_LARGE);

    let tokens = tokens(&okta).await;
    assert_eq!(
        userinfo(&okta, field(&tokens, "access_token"))
            .await
            .status(),
        StatusCode::OK
    );
}
