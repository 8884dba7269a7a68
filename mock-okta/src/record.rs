//! Recorded requests, so a test can assert what an app sent and what the
//! mock answered, each kept within a bound; and the one log line per
//! request that lets a learner watch a login happen.

use crate::error::{OAuthError, Outcome};
use crate::params::{basic_auth, is_form, pairs_lossy};
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// The most recorded requests kept; older ones are dropped first.
pub const RECORD_LIMIT: usize = 10_000;
/// The largest request body the mock accepts.
pub const BODY_LIMIT: usize = 64 * 1024;
/// The most bytes a recorded request keeps of its path and of the names
/// and values of its query, form and headers (not counting the marks of
/// what was cut). A request that carried more is kept cut, the longest
/// values first and each to the same length, so that short ones (a
/// `client_id`, a `redirect_uri`) stay whole; a cut value ends
/// `...[cut N bytes]` and [`RecordedRequest::cut_bytes`] counts what was
/// left out. Kept whole, one request could hold some 400 KiB (hyper's
/// limit on a request's head), and [`RECORD_LIMIT`] of them gigabytes.
pub const RECORDED_BYTES: usize = 8 * 1024;
/// The most query and form parameters and headers a recorded request
/// keeps, in that order (hyper accepts 100 headers); the rest are left
/// out and counted in [`RecordedRequest::cut_bytes`].
pub const RECORDED_ENTRIES: usize = 100;

/// One request the mock received.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// `GET`, `POST`, …
    pub method: Method,
    /// The path, e.g. `/oauth2/default/v1/token`.
    pub path: String,
    /// Query parameters, decoded (lossily, if they were not UTF-8).
    pub query: Vec<(String, String)>,
    /// Form body parameters, decoded likewise.
    pub form: Vec<(String, String)>,
    /// The request headers.
    pub headers: HeaderMap,
    /// When it arrived.
    pub at: SystemTime,
    /// The status the mock answered, e.g. `200`; `None` while it is still
    /// answering (a `token-slow` fault, say), or when the client went away
    /// before the answer.
    pub status: Option<StatusCode>,
    /// How many bytes of its path, query, form and headers were left out
    /// to keep it within [`RECORDED_BYTES`] and [`RECORDED_ENTRIES`]: 0
    /// when it is kept whole.
    pub cut_bytes: usize,
}

impl RecordedRequest {
    /// Whether the request went to this endpoint, e.g. `"/v1/token"`.
    pub fn is(&self, endpoint: &str) -> bool {
        self.path.ends_with(endpoint)
    }

    /// A parameter from the query or the form (the first, if repeated).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .chain(&self.form)
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The recorded requests, bounded.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    requests: Mutex<Requests>,
}

/// The kept requests, numbered as they arrive (from 0), so that an answer
/// finds its request again after older ones were dropped.
#[derive(Debug, Default)]
struct Requests {
    /// Oldest first.
    kept: VecDeque<RecordedRequest>,
    /// The number of the oldest kept request.
    first: u64,
}

impl Recorder {
    fn lock(&self) -> std::sync::MutexGuard<'_, Requests> {
        // Each operation is one call on the queue: a poisoned lock is safe.
        self.requests.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Keeps a request (dropping the oldest past [`RECORD_LIMIT`]); its
    /// number, for [`Recorder::answered`].
    fn push(&self, request: RecordedRequest) -> u64 {
        let mut requests = self.lock();
        if requests.kept.len() == RECORD_LIMIT {
            requests.kept.pop_front();
            requests.first += 1;
        }
        requests.kept.push_back(request);
        requests.first + requests.kept.len() as u64 - 1
    }

    /// Notes the status the request numbered `number` was answered with,
    /// unless it was dropped or forgotten meanwhile.
    fn answered(&self, number: u64, status: StatusCode) {
        let mut requests = self.lock();
        let Some(index) = number.checked_sub(requests.first) else {
            return;
        };
        let index = usize::try_from(index).unwrap_or(usize::MAX);
        if let Some(request) = requests.kept.get_mut(index) {
            request.status = Some(status);
        }
    }

    /// The recorded requests whose path ends with `endpoint` (all of them
    /// for `""`), oldest first.
    pub(crate) fn to(&self, endpoint: &str) -> Vec<RecordedRequest> {
        self.lock()
            .kept
            .iter()
            .filter(|r| r.is(endpoint))
            .cloned()
            .collect()
    }

    pub(crate) fn clear(&self) {
        let mut requests = self.lock();
        requests.first += requests.kept.len() as u64;
        requests.kept.clear();
    }
}

/// The client a request named, and the grant a token request asked for
/// (`grant_type`, RFC 6749 §4.1.3, §6, §4.4), for the log line: a part of
/// the response that [`record`] adds.
#[derive(Debug, Clone)]
struct Named {
    client: Option<String>,
    grant_type: Option<String>,
}

/// Buffers the body (bounded), records the request (bounded too), runs
/// the handler and notes its status in the record; the answer carries the
/// client the request named, for [`log`].
pub(crate) async fn record(
    State(recorder): State<Arc<Recorder>>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, BODY_LIMIT).await else {
        let error = OAuthError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalid_request",
            "The request body is larger than 64 KiB.",
        );
        return (Outcome::new("body too large"), error).into_response();
    };
    let recorded = RecordedRequest::new(&parts, &bytes);
    let named = Named {
        client: client_of(&recorded),
        grant_type: grant_type_of(&recorded),
    };
    // Recorded before it is answered: a test sees a slow request arrive.
    let number = recorder.push(recorded);
    let mut response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    recorder.answered(number, response.status());
    response.extensions_mut().insert(named);
    response
}

/// Logs one line per request: method, path, client, grant type, status
/// and outcome. Never the query, a secret, a password or a token.
pub(crate) async fn log(request: Request, next: Next) -> Response {
    let line = format!("{} {}", request.method(), request.uri().path());
    let response = next.run(request).await;
    let named = response.extensions().get::<Named>();
    let client = named
        .and_then(|n| n.client.as_ref())
        .map(|c| format!(" client={c:?}"))
        .unwrap_or_default();
    let grant = named
        .and_then(|n| n.grant_type.as_ref())
        .map(|g| format!(" grant_type={g}"))
        .unwrap_or_default();
    let outcome = response
        .extensions()
        .get::<Outcome>()
        .map_or("", Outcome::as_str);
    tracing::info!(
        "{line}{client}{grant} -> {} {outcome}",
        response.status().as_u16()
    );
    response
}

impl RecordedRequest {
    /// What arrived: the query and a form body decoded, whatever they hold,
    /// and kept within [`RECORDED_BYTES`] and [`RECORDED_ENTRIES`].
    fn new(parts: &Parts, body: &[u8]) -> Self {
        let form = if is_form(&parts.headers) {
            pairs_lossy(body)
        } else {
            Vec::new()
        };
        let query = pairs_lossy(parts.uri.query().unwrap_or("").as_bytes());
        let path = parts.uri.path();
        let pairs = query.iter().chain(&form).map(|(n, v)| n.len() + v.len());
        let headers = parts.headers.iter();
        let sizes = pairs
            .chain(headers.map(|(n, v)| n.as_str().len() + v.len()))
            .take(RECORDED_ENTRIES);
        let longest = share(std::iter::once(path.len()).chain(sizes), RECORDED_BYTES);
        let mut cut = Cutter {
            longest,
            room: RECORDED_ENTRIES,
            cut_bytes: 0,
        };
        let path = cut.path(path);
        let query = cut.pairs(query);
        let form = cut.pairs(form);
        let headers = cut.headers(&parts.headers);
        RecordedRequest {
            method: parts.method.clone(),
            path,
            query,
            form,
            headers,
            at: SystemTime::now(),
            status: None,
            cut_bytes: cut.cut_bytes,
        }
    }
}

/// The length to which the longest entries (name and value together) are
/// cut so that entries of `sizes` fit in `budget` bytes: every entry
/// shorter stays whole (`usize::MAX` when all of them fit).
fn share(sizes: impl Iterator<Item = usize>, budget: usize) -> usize {
    let mut sizes: Vec<usize> = sizes.collect();
    sizes.sort_unstable();
    let mut left = budget;
    for (i, &size) in sizes.iter().enumerate() {
        let count = sizes.len() - i;
        if size.saturating_mul(count) > left {
            return left / count;
        }
        left -= size;
    }
    usize::MAX
}

/// Cuts a request's entries to the length [`share`] found, keeps at most
/// [`RECORDED_ENTRIES`] of them, and counts the bytes it leaves out.
struct Cutter {
    longest: usize,
    /// How many more parameters and headers are kept.
    room: usize,
    cut_bytes: usize,
}

impl Cutter {
    /// How many bytes of a value are kept after a name of `name` bytes;
    /// `None` (the entry is left out) past [`RECORDED_ENTRIES`], or for a
    /// name longer than [`Cutter::longest`] alone.
    fn room_for(&mut self, name: usize, value: usize) -> Option<usize> {
        if self.room == 0 || name > self.longest {
            self.cut_bytes += name + value;
            return None;
        }
        self.room -= 1;
        Some(value.min(self.longest - name))
    }

    /// `value` cut to at most `keep` bytes (at a character boundary) and
    /// marked, or whole.
    fn cut(&mut self, value: String, keep: usize) -> String {
        if keep >= value.len() {
            return value;
        }
        let mut end = keep;
        while !value.is_char_boundary(end) {
            end -= 1;
        }
        let left_out = value.len() - end;
        self.cut_bytes += left_out;
        format!("{}{}", &value[..end], mark(left_out))
    }

    /// The path: always kept, cut like a value.
    fn path(&mut self, path: &str) -> String {
        self.cut(path.to_string(), self.longest)
    }

    fn pairs(&mut self, pairs: Vec<(String, String)>) -> Vec<(String, String)> {
        let mut kept = Vec::new();
        for (name, value) in pairs {
            if let Some(keep) = self.room_for(name.len(), value.len()) {
                let value = self.cut(value, keep);
                kept.push((name, value));
            }
        }
        kept
    }

    fn headers(&mut self, headers: &HeaderMap) -> HeaderMap {
        let mut kept = HeaderMap::new();
        for (name, value) in headers {
            let Some(keep) = self.room_for(name.as_str().len(), value.len()) else {
                continue;
            };
            if keep >= value.len() {
                kept.append(name, value.clone());
                continue;
            }
            // Any prefix of a header value is one, and the mark is ASCII.
            let left_out = value.len() - keep;
            self.cut_bytes += left_out;
            let mut bytes = value.as_bytes()[..keep].to_vec();
            bytes.extend_from_slice(mark(left_out).as_bytes());
            let value = HeaderValue::from_bytes(&bytes).expect("a prefix and an ASCII mark");
            kept.append(name, value);
        }
        kept
    }
}

/// What ends a value cut short.
fn mark(left_out: usize) -> String {
    format!("...[cut {left_out} bytes]")
}

/// The client id a request names, from the query, the form or Basic auth.
/// The `grant_type` of a form, as written when it is one a client may
/// send (letters, digits, `_ : . -`, at most 80 bytes, as the URN grant
/// types are), `other` when it is not: a log line quotes no made-up text.
fn grant_type_of(request: &RecordedRequest) -> Option<String> {
    let value = request
        .form
        .iter()
        .find(|(n, _)| n == "grant_type")?
        .1
        .as_str();
    let plain = value.len() <= 80
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_:.-".contains(c));
    Some(if plain { value } else { "other" }.to_string())
}

fn client_of(request: &RecordedRequest) -> Option<String> {
    let named = request.param("client_id").map(String::from);
    named.or_else(|| basic_auth(&request.headers).map(|(id, _secret)| id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded(request: axum::http::Request<()>, body: &str) -> RecordedRequest {
        let (parts, ()) = request.into_parts();
        RecordedRequest::new(&parts, body.as_bytes())
    }

    /// The bytes a recorded request keeps, marks of what was cut aside.
    fn kept_bytes(r: &RecordedRequest) -> usize {
        let unmarked = |text: &str| text.split("...[cut ").next().unwrap_or("").len();
        let pairs = r.query.iter().chain(&r.form);
        let headers = r
            .headers
            .iter()
            .map(|(n, v)| n.as_str().len() + unmarked(&String::from_utf8_lossy(v.as_bytes())));
        unmarked(&r.path)
            + pairs.map(|(n, v)| n.len() + unmarked(v)).sum::<usize>()
            + headers.sum::<usize>()
    }

    #[test]
    fn the_longest_entries_are_cut_to_one_length_and_the_rest_stay_whole() {
        assert_eq!(share([10, 20].into_iter(), 30), usize::MAX);
        // 10 whole; then 100 and 1000 share the 290 bytes left: 145 each.
        assert_eq!(share([1000, 10, 100].into_iter(), 300), 190);
        assert_eq!(share([1000, 10, 500].into_iter(), 300), 145);
    }

    #[test]
    fn a_small_request_is_kept_whole() {
        let request = axum::http::Request::post("/oauth2/default/v1/token?x=1")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("authorization", "Basic YTpi")
            .body(())
            .expect("a request");
        let r = recorded(request, "grant_type=authorization_code&code=abc");
        assert_eq!(r.cut_bytes, 0);
        assert_eq!(r.param("code"), Some("abc"));
        assert_eq!(r.headers["authorization"], "Basic YTpi");
        assert_eq!(r.status, None, "not answered yet");
    }

    #[test]
    fn a_large_request_keeps_its_short_values_whole_and_says_what_it_cut() {
        // A URI holds at most 64 KiB; headers, hyper takes up to 400 KiB.
        let state = "s".repeat(60_000);
        let cookie = "c".repeat(200_000);
        let request = axum::http::Request::get(format!(
            "/oauth2/default/v1/authorize?state={state}&client_id=app"
        ))
        .header("cookie", &cookie)
        .header("user-agent", "test")
        .body(())
        .expect("a request");
        let r = recorded(request, "");
        assert_eq!(r.path, "/oauth2/default/v1/authorize");
        assert_eq!(r.param("client_id"), Some("app"));
        assert_eq!(r.headers["user-agent"], "test");
        let kept_state = r.param("state").expect("kept, cut");
        assert!(kept_state.starts_with("sss"), "{kept_state}");
        let left_out = 60_000 - kept_state.split("...").next().unwrap_or("").len();
        assert!(
            kept_state.ends_with(&format!("...[cut {left_out} bytes]")),
            "{kept_state}"
        );
        let kept_cookie = r.headers["cookie"].to_str().expect("ASCII");
        assert!(kept_cookie.ends_with(" bytes]"), "{kept_cookie}");
        assert!(kept_bytes(&r) <= RECORDED_BYTES, "{}", kept_bytes(&r));
        let whole = r.path.len() + "state".len() + 60_000 + "client_id".len() + 3;
        let whole = whole + "cookie".len() + 200_000 + "user-agent".len() + 4;
        assert_eq!(r.cut_bytes, whole - kept_bytes(&r));
    }

    #[test]
    fn past_the_entry_limit_parameters_are_left_out_and_counted() {
        let query: Vec<String> = (0..RECORDED_ENTRIES + 50)
            .map(|i| format!("p{i}=v"))
            .collect();
        let request = axum::http::Request::get(format!("/x?{}", query.join("&")))
            .body(())
            .expect("a request");
        let r = recorded(request, "");
        assert_eq!(r.query.len(), RECORDED_ENTRIES);
        assert_eq!(r.param(&format!("p{}", RECORDED_ENTRIES - 1)), Some("v"));
        assert_eq!(r.param(&format!("p{RECORDED_ENTRIES}")), None);
        let left_out: usize = query[RECORDED_ENTRIES..].iter().map(|p| p.len() - 1).sum();
        assert_eq!(r.cut_bytes, left_out);
    }

    #[test]
    fn an_answer_finds_its_request_after_older_ones_were_dropped_or_forgotten() {
        let recorder = Recorder::default();
        let request = || {
            recorded(
                axum::http::Request::get("/a").body(()).expect("a request"),
                "",
            )
        };
        let first = recorder.push(request());
        recorder.clear();
        let second = recorder.push(request());
        recorder.answered(first, StatusCode::IM_A_TEAPOT);
        recorder.answered(second, StatusCode::NOT_FOUND);
        let statuses: Vec<_> = recorder.to("").iter().map(|r| r.status).collect();
        assert_eq!(statuses, [Some(StatusCode::NOT_FOUND)]);
    }
}
