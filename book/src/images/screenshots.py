"""Takes the book's screenshots of the finished app (stage 4) and the mock's
login page: starts mock-okta and stage-4 on free ports, logs in as alice with
Python's standard library, saves each page's HTML (the pages use no outside
assets) and renders it with headless Chromium.

    cargo build -p mock-okta -p stage-4
    python3 book/src/images/screenshots.py      # needs: apt-get install chromium
"""

import html
import http.cookiejar
import os
import re
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "../../.."))
CHROMIUM = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


def browser():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))


def fetch(opener, url, data=None):
    try:
        with opener.open(url, data=data) as answer:
            return answer.geturl(), answer.read().decode()
    except urllib.error.HTTPError as error:  # error pages are pages too
        return error.geturl(), error.read().decode()


def submit(opener, login_url, body, action):
    fields = dict(re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', body))
    fields = {html.unescape(k): html.unescape(v) for k, v in fields.items()}
    fields.update(username="alice@example.com", password="alice-password", action=action)
    target = urllib.parse.urljoin(login_url, "authorize")
    return fetch(opener, target, urllib.parse.urlencode(fields).encode())


def shoot(name, page_html, height):
    with tempfile.NamedTemporaryFile("w", suffix=".html", delete=False) as f:
        f.write(page_html)
    out = os.path.join(HERE, name)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(CHROMIUM + [f"--user-data-dir={profile}", f"--screenshot={out}",
                                   f"--window-size=800,{height}", "file://" + f.name],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.unlink(f.name)
    print("wrote", out)


def wait(url):
    for _ in range(200):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"{url} did not answer")


def main():
    mock_port, app_port = free_port(), free_port()
    app = f"http://localhost:{app_port}"
    target = os.path.join(ROOT, "target", "debug")
    mock = subprocess.Popen([os.path.join(target, "mock-okta"), "--port", str(mock_port),
                             "--client", f"shots:shots-secret:{app}/login/okta/authorized"],
                            stdout=subprocess.DEVNULL, env={**os.environ, "RUST_LOG": "warn"})
    env = {**os.environ, "APP_URL": app, "OKTA_BASE_URL": f"http://localhost:{mock_port}/oauth2/default",
           "OAUTH_CLIENT_ID": "shots", "OAUTH_CLIENT_SECRET": "shots-secret", "RUST_LOG": "warn"}
    stage = subprocess.Popen([os.path.join(target, "stage-4")], env=env, cwd=tempfile.gettempdir(),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait(f"http://localhost:{mock_port}/oauth2/default/v1/keys")
        wait(app + "/login/okta")
        alice = browser()
        login_url, login = fetch(alice, app + "/")
        shoot("mock-login.png", login, 620)
        _, home = submit(alice, login_url, login, "login")
        shoot("home.png", home, 320)
        stranger = browser()
        login_url, login = fetch(stranger, app + "/user")
        _, denied = submit(stranger, login_url, login, "deny")
        shoot("access-denied.png", denied, 300)
    finally:
        stage.terminate()
        mock.terminate()


if __name__ == "__main__":
    main()
