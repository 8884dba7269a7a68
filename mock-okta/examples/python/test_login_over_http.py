"""A test of an app's login, written in Python, that drives mock-okta over
HTTP only: its control API (/__mock/...) sets things up, switches a fault
on and moves the clock; a cookie-jar browser logs in through the app.
Python's standard library only: nothing to install.

The story, against a stage of the workbook that refreshes its tokens:
1. register the app with the mock, make access tokens short-lived;
2. log in as alice through the app, and see her email;
3. switch `token-503` on: a second login shows the app's error page;
4. move the mock's clock past the refresh token's 90 days: at its next
   refresh the app is refused, and shows its "login ended" page.

Against a mock and an app that are already running (the app configured
with OKTA_BASE_URL = the mock's custom authorization server), as often as
you like (each run opens with a reset of the mock, its clock included):

    cd mock-okta/examples/python
    MOCK_OKTA_URL=http://localhost:8081 APP_URL=http://localhost:8080 \\
        python3 -m unittest -v test_login_over_http

Or let it start both, on free ports, from the binaries it is given (what
CI does; the stage is an argument, so a renamed stage is one word):

    cargo build -p mock-okta -p stage-7
    python3 mock-okta/examples/python/test_login_over_http.py \\
        --mock target/debug/mock-okta --stage target/debug/stage-7
"""

import argparse
import html
import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

# The mock's built-in client, which the workbook's stages use by default.
DEFAULT_CLIENT_ID = "0oa-workbook-client"
DEFAULT_CLIENT_SECRET = "workbook-secret-for-the-local-mock-only"
ALICE = ("alice@example.com", "alice-password")
# Access tokens this short make the app refresh within seconds; the app
# refreshes at three quarters of the lifetime.
ACCESS_TOKEN_LIFETIME = 3


class Browser:
    """A cookie jar and redirects followed, as a browser does. Every answer,
    4xx and 5xx included, comes back as (status, url, body)."""

    def __init__(self):
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def open(self, url, form=None):
        data = None if form is None else urllib.parse.urlencode(form).encode()
        try:
            with self.opener.open(url, data=data, timeout=30) as answer:
                return answer.status, answer.url, answer.read().decode()
        except urllib.error.HTTPError as refused:
            return refused.code, refused.url, refused.read().decode()

    def log_in(self, app_url, username, password):
        """Opens the app, expects mock-okta's login page, signs in, and
        returns the page the app lands on."""
        status, url, page = self.open(app_url + "/")
        if 'data-mock-okta="login-form"' not in page:
            raise AssertionError(f"expected mock-okta's login page, got {status} {url}: {page[:300]}")
        fields = {
            html.unescape(name): html.unescape(value)
            for name, value in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', page)
        }
        fields.update(username=username, password=password, action="login")
        return self.open(url.split("?")[0], form=fields)


def control(mock_url, method, path, body=None):
    """One call to the mock's control API: (status, JSON)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(mock_url + "/__mock" + path, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            text = answer.read()
            return answer.status, json.loads(text) if text else None
    except urllib.error.HTTPError as refused:
        return refused.code, json.load(refused)


class LoginOverHttp(unittest.TestCase):
    def setUp(self):
        self.mock = os.environ["MOCK_OKTA_URL"].rstrip("/")
        self.app = os.environ["APP_URL"].rstrip("/")
        # Back to the mock's start: its clock too, which the last run moved.
        self.assertEqual(control(self.mock, "POST", "/reset")[0], 200)
        client_id = os.environ.get("OAUTH_CLIENT_ID", DEFAULT_CLIENT_ID)
        client = {
            "secret": os.environ.get("OAUTH_CLIENT_SECRET", DEFAULT_CLIENT_SECRET),
            "redirect_uris": [self.app + "/login/okta/authorized"],
            "post_logout_redirect_uris": [self.app],
        }
        # PUT registers the client, or replaces it: the same call every test.
        status, registered = control(self.mock, "PUT", "/clients/" + client_id, client)
        self.assertIn(status, (200, 201), registered)
        self.assertFalse(registered["public"], registered)
        self.assertEqual(control(self.mock, "DELETE", "/faults")[0], 200)
        self.assertEqual(control(self.mock, "DELETE", "/requests")[0], 200)

    def call(self, method, path, body=None):
        status, answer = control(self.mock, method, path, body)
        self.assertEqual(status, 200, answer)
        return answer

    def test_a_fault_shows_the_error_page_and_the_moved_clock_ends_the_login(self):
        self.call("POST", "/faults", {"fault": f"access-token-lifetime={ACCESS_TOKEN_LIFETIME}s"})

        alice = Browser()
        status, _, page = alice.log_in(self.app, *ALICE)
        self.assertEqual(status, 200, page)
        self.assertIn("You are logged in as alice@example.com", page)
        logged_in_at = time.monotonic()

        # The token endpoint fails: a login through the app shows its error
        # page, and is not logged in.
        self.call("POST", "/faults", {"fault": "token-503"})
        status, _, page = Browser().log_in(self.app, *ALICE)
        self.assertEqual(status, 502, page)
        self.assertIn('data-error="idp-failed"', page)
        self.assertNotIn("You are logged in", page)
        self.call("DELETE", "/faults/token-503")

        # 91 days pass at the mock: alice's refresh token expires there. The
        # app's clock did not move; once its refresh is due, Okta refuses it.
        clock = self.call("POST", "/clock", {"advance": "91d"})
        self.assertGreaterEqual(clock["ahead_seconds"], 91 * 24 * 3600)
        time.sleep(max(0.0, logged_in_at + ACCESS_TOKEN_LIFETIME + 0.5 - time.monotonic()))
        status, _, page = alice.open(self.app + "/")
        self.assertEqual(status, 401, page)
        self.assertIn('data-error="login-ended"', page)

        # What the app sent: a refresh, its token redacted, refused.
        sent = self.call("GET", "/requests?path=/v1/token")["requests"]
        refreshes = [r for r in sent if r["form"].get("grant_type") == "refresh_token"]
        self.assertEqual(len(refreshes), 1, sent)
        self.assertEqual(refreshes[0]["form"]["refresh_token"], "[redacted]")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(ready, what, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if ready():
                return
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit(f"FAIL: {what} did not come up within {seconds} s")


def login_answers(app_url):
    """Whether the app sends a login to Okta (it answers 503 until it has
    read Okta's discovery document)."""
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(app_url + "/login/okta", timeout=2)
    except urllib.error.HTTPError as answer:
        return answer.code in (302, 303, 307)
    return False


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mock", required=True, help="the mock-okta binary")
    parser.add_argument("--stage", required=True, help="a stage's binary that refreshes tokens, e.g. target/debug/stage-7")
    args = parser.parse_args()
    mock_port, app_port = free_port(), free_port()
    mock_url, app_url = f"http://localhost:{mock_port}", f"http://localhost:{app_port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    mock = subprocess.Popen([args.mock, "--port", str(mock_port)], **quiet)
    stage = None
    try:
        wait_until(lambda: urllib.request.urlopen(mock_url + "/__mock/clock", timeout=1), "mock-okta")
        env = {
            **os.environ,
            "APP_URL": app_url,
            "OKTA_BASE_URL": mock_url + "/oauth2/default",
            "RUST_LOG": "warn",
        }
        stage = subprocess.Popen([args.stage], env=env, **quiet)
        wait_until(lambda: login_answers(app_url), args.stage)
        os.environ.update(MOCK_OKTA_URL=mock_url, APP_URL=app_url)
        result = unittest.main(argv=[sys.argv[0], "-v"], exit=False).result
        sys.exit(0 if result.wasSuccessful() else 1)
    finally:
        for process in (stage, mock):
            if process:
                process.terminate()
                process.wait()


if __name__ == "__main__":
    main()
