//! Tests of exercise 8.4, whose answer is not in the book: one more
//! security header, `Permissions-Policy`, on every answer of stage 8. Run
//! only by the exercises' checks, against a learner's stage 8 (and by
//! `verify`, against stage 8 with the exercise's solution).

use mock_okta::Browser;
use stage_tests::{Stage, TestApp};

/// The policy: the pages use no camera, microphone or location, so no
/// script on them may either.
const POLICY: &str = "camera=(), microphone=(), geolocation=()";

#[tokio::test]
async fn every_answer_turns_off_the_camera_the_microphone_and_the_location() {
    let app = TestApp::start(Stage::Eight).await;
    for path in ["/", "/login/okta", "/nope", "/healthz"] {
        let page = Browser::new().get(&app.at(path)).await;
        let policy = page.headers.get("permissions-policy").and_then(|v| v.to_str().ok());
        assert_eq!(policy, Some(POLICY), "{path}");
    }
}

#[tokio::test]
async fn a_logged_in_page_carries_it_too() {
    let app = TestApp::start(Stage::Eight).await;
    let page = app.log_in_as_alice("/user").await;
    let policy = page.headers.get("permissions-policy").and_then(|v| v.to_str().ok());
    assert_eq!(policy, Some(POLICY), "{}", page.body);
}
