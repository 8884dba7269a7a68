"""Logs in to the tutorial's Flask-Dance app (app.py) through mock-okta,
as a browser would, and checks the page it lands on: once through the
custom authorization server, once through the org authorization server.

    python3 mock-okta/tests/flask/check.py path/to/mock-okta

Needs the packages of requirements.txt. .ci/run runs it in a venv."""

import html
import os
import re
import socket
import subprocess
import sys
import time

import requests

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            requests.get(url, timeout=1, allow_redirects=False)
            return
        except requests.ConnectionError:
            time.sleep(0.05)
    sys.exit(f"FAIL: {url} did not answer")


def log_in(mock_port, endpoints, app_port):
    """Starts the Flask app on app_port with OKTA_BASE_URL = the mock's
    endpoints (as the tutorial's config.py has it: {issuer}/v1 for a custom
    authorization server, {org}/oauth2/v1 for the org's), logs in as alice,
    and stops the app."""
    app_url = f"http://localhost:{app_port}"
    env = {
        **os.environ,
        "OKTA_BASE_URL": f"http://localhost:{mock_port}{endpoints}",
        "OAUTH_CLIENT_ID": "flask-app",
        "OAUTH_CLIENT_SECRET": "flask-secret",
        "FLASK_SECRET_KEY": "not-secret-in-a-test",
        "OAUTHLIB_INSECURE_TRANSPORT": "true",
    }
    flask = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "run", "-h", "localhost", "-p", str(app_port)],
        cwd=HERE,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(app_url)
        browser = requests.Session()
        login_page = browser.get(f"{app_url}/user")  # follows the app and Flask-Dance to the mock
        if 'data-mock-okta="login-form"' not in login_page.text:
            sys.exit(f"FAIL: expected mock-okta's login page, got {login_page.status_code} {login_page.url}")
        fields = {
            html.unescape(name): html.unescape(value)
            for name, value in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', login_page.text)
        }
        fields.update(username="alice@example.com", password="alice-password", action="login")
        landing = browser.post(login_page.url.split("?")[0], data=fields)
        expected = "You are logged in as alice@example.com"
        if landing.text != expected:
            sys.exit(f"FAIL: expected {expected!r}, got {landing.status_code} {landing.url}: {landing.text[:300]!r}")
        print(f"ok: the tutorial's Flask-Dance app logged in through mock-okta's {endpoints} ({landing.url})")
    finally:
        flask.terminate()
        flask.wait()


def main():
    mock_binary = sys.argv[1]
    mock_port, app_port = free_port(), free_port()
    redirect_uri = f"http://localhost:{app_port}/login/okta/authorized"
    client = ["--client", "id=flask-app", "--client", "secret=flask-secret", "--client", f"redirect-uri={redirect_uri}"]
    mock = subprocess.Popen(
        [mock_binary, "--port", str(mock_port), *client],
        stdout=subprocess.DEVNULL,
        env={**os.environ, "RUST_LOG": "warn"},
    )
    try:
        wait_for(f"http://localhost:{mock_port}/oauth2/default/v1/keys")
        for endpoints in ["/oauth2/default/v1", "/oauth2/v1"]:
            log_in(mock_port, endpoints, app_port)
    finally:
        mock.terminate()


if __name__ == "__main__":
    main()
