"""Draws login-sequence.svg: the authorization code flow with PKCE, as
stage 2 does it: the login attempt waits in an encrypted cookie named after
its state, and the session starts only once the user is logged in. Plain
SVG, no scripts or fonts from elsewhere, so the book renders offline.
Run: python3 book/src/images/login-sequence.py"""

import html
import os

ACTORS = ["Browser", "App (stage 2)", "Okta"]
# (from, to, label, dashed?) in order; from == to draws a note on that lane.
STEPS = [
    (0, 1, "GET /login/okta", False),
    (1, 1, "new state S + PKCE verifier; nothing kept on the server", False),
    (1, 0, "303 to Okta /v1/authorize?state=S&code_challenge=S256(verifier)", True),
    (1, 0, "Set-Cookie workbook_8080_login_S (verifier, encrypted)", True),
    (0, 2, "GET /v1/authorize?…", False),
    (2, 0, "login page", True),
    (0, 2, "username + password", False),
    (2, 0, "302 to /login/okta/authorized?code=…&state=S", True),
    (0, 1, "GET /login/okta/authorized?code=…&state=S, cookie …_login_S", False),
    (1, 1, "cookie …_login_S, opened with the key? (else 400)", False),
    (1, 2, "POST /v1/token: code + code_verifier + client secret", False),
    (2, 1, "access token, ID token", True),
    (1, 2, "GET /v1/userinfo (Bearer access token)", False),
    (2, 1, "{ email: alice@example.com }", True),
    (1, 1, "new session id; keep email + expiry on the server", False),
    (1, 0, "303 to / with the session cookie (an id, no token)", True),
]

WIDTH, TOP, ROW, LANE_X = 900, 70, 38, [110, 450, 790]


def text(x, y, s, anchor="middle", weight="normal", size=13):
    return (f'<text x="{x}" y="{y}" text-anchor="{anchor}" font-size="{size}" '
            f'font-weight="{weight}" font-family="sans-serif">{html.escape(s)}</text>')


def main():
    height = TOP + ROW * len(STEPS) + 40
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
           f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="The login, step by step">',
           '<defs><marker id="arrow" markerWidth="10" markerHeight="8" refX="9" refY="4" orient="auto">'
           '<path d="M0,0 L10,4 L0,8 z" fill="#333"/></marker></defs>',
           f'<rect width="{WIDTH}" height="{height}" fill="#fff"/>']
    for x, name in zip(LANE_X, ACTORS):
        out.append(f'<rect x="{x - 80}" y="15" width="160" height="32" rx="5" fill="#eef3fb" stroke="#4a6fa5"/>')
        out.append(text(x, 36, name, weight="bold", size=14))
        out.append(f'<line x1="{x}" y1="47" x2="{x}" y2="{height - 15}" stroke="#999" stroke-dasharray="4,4"/>')
    for i, (a, b, label, dashed) in enumerate(STEPS):
        y = TOP + ROW * i + 10
        if a == b:
            x = LANE_X[a]
            out.append(f'<rect x="{x - 150}" y="{y - 16}" width="300" height="24" rx="4" fill="#fff8dc" stroke="#c9a227"/>')
            out.append(text(x, y, label, size=11))
            continue
        x1, x2 = LANE_X[a], LANE_X[b]
        dash = ' stroke-dasharray="6,4"' if dashed else ""
        out.append(f'<line x1="{x1}" y1="{y}" x2="{x2 + (-6 if x2 > x1 else 6)}" y2="{y}" stroke="#333"{dash} marker-end="url(#arrow)"/>')
        out.append(text((x1 + x2) / 2, y - 6, label, size=11))
    out.append("</svg>")
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "login-sequence.svg")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
