//! The test browser: a cookie jar, redirects followed by hand, and the
//! mock's login form filled in.

use axum::http::{HeaderMap, StatusCode, header};
use std::sync::Mutex;
use url::Url;

/// The most redirects [`Browser::open`] follows before it calls it a loop.
pub const MAX_REDIRECTS: usize = 20;

#[derive(Debug, Clone)]
struct Cookie {
    host: String,
    name: String,
    value: String,
    path: String,
    secure: bool,
}

/// One answer the browser got.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Page {
    /// The URL that was asked for.
    pub url: Url,
    /// The status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body, as text.
    pub body: String,
    /// The URLs visited on the way here, when redirects were followed.
    pub trail: Vec<Url>,
}

impl Page {
    /// Where a redirect points, resolved against the page's URL.
    pub fn location(&self) -> Option<Url> {
        let location = self.headers.get(header::LOCATION)?.to_str().ok()?;
        self.url.join(location).ok()
    }

    /// Whether this is a redirect.
    pub fn is_redirect(&self) -> bool {
        self.status.is_redirection() && self.location().is_some()
    }

    /// Whether this is mock-okta's login page.
    pub fn is_login_page(&self) -> bool {
        self.body.contains("data-mock-okta=\"login-form\"")
    }

    /// The `Set-Cookie` headers of this answer.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(String::from))
            .collect()
    }

    /// The `Set-Cookie` header for one cookie name, if this answer set it.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.starts_with(&format!("{name}=")))
    }
}

/// A test browser: a cookie jar, redirects followed by hand, and a login
/// form it can fill in. It lets a test read like a user's story:
///
/// ```no_run
/// # async fn story(app_url: &str) {
/// let browser = mock_okta::Browser::new();
/// let page = browser.log_in(&format!("{app_url}/"), "alice@example.com", "alice-password").await;
/// assert!(page.body.contains("alice@example.com"));
/// # }
/// ```
///
/// Like a real browser, its cookies belong to a host, whatever the port:
/// an app on `localhost:8080` and the mock on `localhost:8081` share a jar,
/// so a cookie-name clash between them shows up in tests too.
///
/// It is a test helper: it panics, with a message that says what happened,
/// when a request cannot be sent or a page is not what a step expects.
#[derive(Debug)]
pub struct Browser {
    http: reqwest::Client,
    jar: Mutex<Vec<Cookie>>,
}

impl Default for Browser {
    fn default() -> Self {
        Self::new()
    }
}

impl Browser {
    /// A browser with an empty cookie jar.
    pub fn new() -> Self {
        Self::with_client(reqwest::Client::builder())
    }

    /// A browser with an empty cookie jar whose HTTP client starts from
    /// `builder`: its TLS roots, say, to reach a mock over https that
    /// trusts only [`MockOkta::tls_certificate_pem`](crate::MockOkta::tls_certificate_pem).
    /// Redirects are left to the browser and a request gives up after
    /// 30 s, whatever `builder` says.
    ///
    /// # Panics
    /// When reqwest cannot build the client from `builder`.
    pub fn with_client(builder: reqwest::ClientBuilder) -> Self {
        let http = builder
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .expect("the browser's HTTP client builds");
        Browser {
            http,
            jar: Mutex::new(Vec::new()),
        }
    }

    /// One `GET`; redirects are not followed.
    pub async fn get(&self, url: &str) -> Page {
        let url = parse(url);
        let request = self.http.get(url.clone());
        self.send(url, request).await
    }

    /// One form `POST`; redirects are not followed.
    pub async fn post_form(&self, url: &str, fields: &[(&str, &str)]) -> Page {
        let url = parse(url);
        let request = self.http.post(url.clone()).form(fields);
        self.send(url, request).await
    }

    /// A `GET`, following redirects as a browser does.
    ///
    /// # Panics
    /// After [`MAX_REDIRECTS`] redirects: that is a loop.
    pub async fn open(&self, url: &str) -> Page {
        let first = self.get(url).await;
        self.follow(first).await
    }

    /// Follows the redirects that start at `page`.
    pub async fn follow(&self, mut page: Page) -> Page {
        let mut trail = vec![page.url.clone()];
        while let Some(next) = page.is_redirect().then(|| page.location()).flatten() {
            assert!(
                trail.len() <= MAX_REDIRECTS,
                "redirect loop: more than {MAX_REDIRECTS} redirects: {}",
                trail
                    .iter()
                    .map(Url::as_str)
                    .collect::<Vec<_>>()
                    .join(" -> ")
            );
            trail.push(next.clone());
            page = self.get(next.as_str()).await;
        }
        page.trail = trail;
        page
    }

    /// Opens `url`, expects mock-okta's login page on the way, signs in as
    /// `username` and follows the way back; returns the page that ends it.
    pub async fn log_in(&self, url: &str, username: &str, password: &str) -> Page {
        let login = self.open(url).await;
        assert!(
            login.is_login_page(),
            "expected mock-okta's login page at the end of {url}, got {} {}:\n{}",
            login.status,
            login.url,
            login.body
        );
        self.submit_login(&login, "login", username, password).await
    }

    /// Opens `url`, expects the login page, and presses "Deny".
    pub async fn deny(&self, url: &str) -> Page {
        let login = self.open(url).await;
        assert!(
            login.is_login_page(),
            "expected mock-okta's login page at the end of {url}, got {}",
            login.url
        );
        self.submit_login(&login, "deny", "", "").await
    }

    /// Fills in and submits the login form of `login_page`, then follows the
    /// redirects; `action` is `"login"` or `"deny"`.
    pub async fn submit_login(
        &self,
        login_page: &Page,
        action: &str,
        username: &str,
        password: &str,
    ) -> Page {
        let answer = self
            .post_login_form(login_page, action, username, password)
            .await;
        self.follow(answer).await
    }

    /// Fills in and submits the login form of `login_page`; the answer (a
    /// redirect back to the app, or the form again) is not followed.
    pub async fn post_login_form(
        &self,
        login_page: &Page,
        action: &str,
        username: &str,
        password: &str,
    ) -> Page {
        let mut fields = hidden_fields(&login_page.body);
        fields.extend([
            ("username".into(), username.into()),
            ("password".into(), password.into()),
            ("action".into(), action.into()),
        ]);
        let fields: Vec<(&str, &str)> = fields
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let target = login_page
            .url
            .join("authorize")
            .expect("a relative form action resolves");
        self.post_form(target.as_str(), &fields).await
    }

    /// The value of a cookie the browser holds for `host` (any port).
    pub fn cookie(&self, host: &str, name: &str) -> Option<String> {
        let jar = self.jar.lock().unwrap_or_else(|p| p.into_inner());
        jar.iter()
            .find(|c| c.host == host && c.name == name)
            .map(|c| c.value.clone())
    }

    /// Sets a cookie as if a server had (for tests that tamper).
    pub fn set_cookie(&self, host: &str, name: &str, value: &str) {
        self.store(Cookie {
            host: host.into(),
            name: name.into(),
            value: value.into(),
            path: "/".into(),
            secure: false,
        });
    }

    /// Forgets every cookie: a new browser profile.
    pub fn clear_cookies(&self) {
        self.jar.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    fn store(&self, cookie: Cookie) {
        let mut jar = self.jar.lock().unwrap_or_else(|p| p.into_inner());
        jar.retain(|c| !(c.host == cookie.host && c.name == cookie.name && c.path == cookie.path));
        if !cookie.value.is_empty() {
            jar.push(cookie);
        }
    }

    async fn send(&self, url: Url, request: reqwest::RequestBuilder) -> Page {
        let host = url.host_str().unwrap_or("").to_string();
        let cookies: Vec<String> = {
            let jar = self.jar.lock().unwrap_or_else(|p| p.into_inner());
            jar.iter()
                .filter(|c| {
                    c.host == host
                        && path_matches(url.path(), &c.path)
                        && (!c.secure || url.scheme() == "https")
                })
                .map(|c| format!("{}={}", c.name, c.value))
                .collect()
        };
        let request = if cookies.is_empty() {
            request
        } else {
            request.header(header::COOKIE, cookies.join("; "))
        };
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("the browser could not reach {url}: {e}"));
        let status = response.status();
        let headers = response.headers().clone();
        for set in headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
        {
            if let Some(cookie) = parse_set_cookie(set, &host, url.path()) {
                self.store(cookie);
            }
        }
        let body = response.text().await.unwrap_or_default();
        Page {
            url,
            status,
            headers,
            body,
            trail: Vec::new(),
        }
    }
}

fn parse(url: &str) -> Url {
    Url::parse(url)
        .unwrap_or_else(|e| panic!("the browser was given {url:?}, which is not a URL: {e}"))
}

/// RFC 6265 §5.1.4 path-match.
fn path_matches(request: &str, cookie: &str) -> bool {
    request == cookie
        || (request.starts_with(cookie)
            && (cookie.ends_with('/') || request[cookie.len()..].starts_with('/')))
}

fn parse_set_cookie(header: &str, host: &str, request_path: &str) -> Option<Cookie> {
    let mut parts = header.split(';');
    let (name, value) = parts.next()?.trim().split_once('=')?;
    let default_path = match request_path.rfind('/') {
        Some(0) | None => "/".to_string(),
        Some(at) => request_path[..at].to_string(),
    };
    let mut cookie = Cookie {
        host: host.into(),
        name: name.trim().into(),
        value: value.trim().into(),
        path: default_path,
        secure: false,
    };
    for attribute in parts {
        let (key, val) = attribute
            .trim()
            .split_once('=')
            .unwrap_or((attribute.trim(), ""));
        match key.to_ascii_lowercase().as_str() {
            "path" if val.starts_with('/') => cookie.path = val.into(),
            "max-age" if val.trim().parse::<i64>().is_ok_and(|age| age <= 0) => {
                cookie.value.clear()
            }
            "secure" => cookie.secure = true,
            _ => {}
        }
    }
    Some(cookie)
}

/// The hidden inputs of a page (mock-okta's login form), unescaped.
fn hidden_fields(html: &str) -> Vec<(String, String)> {
    html.split("<input type=\"hidden\" ")
        .skip(1)
        .filter_map(|rest| {
            let name = attribute(rest, "name")?;
            let value = attribute(rest, "value")?;
            Some((name, value))
        })
        .collect()
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
    let end = start + tag[start..].find('"')?;
    Some(
        tag[start..end]
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_follow_path_and_max_age() {
        let c =
            parse_set_cookie("a=1; Path=/oauth2; HttpOnly", "localhost", "/x").expect("a cookie");
        assert_eq!(
            (c.name.as_str(), c.value.as_str(), c.path.as_str()),
            ("a", "1", "/oauth2")
        );
        assert!(path_matches("/oauth2/default/v1/authorize", "/oauth2"));
        assert!(!path_matches("/oauth2x", "/oauth2"));
        assert!(path_matches("/anything", "/"));
        let gone = parse_set_cookie("a=1; Max-Age=0", "localhost", "/").expect("a cookie");
        assert!(gone.value.is_empty());
    }

    #[test]
    fn hidden_fields_are_unescaped() {
        let html = "<input type=\"hidden\" name=\"state\" value=\"a&amp;b&quot;\">\n<input type=\"text\" name=\"u\" value=\"x\">";
        assert_eq!(
            hidden_fields(html),
            [("state".to_string(), "a&b\"".to_string())]
        );
    }
}
