"""The tutorial's Flask + Flask-Dance app, as its repository has it: an
OAuth2ConsumerBlueprint named "okta" at /login, a before_request guard, and
/ and /user that call Okta's userinfo on every view. Unmodified in its Okta
parts; configured from the environment."""

import os

from flask import Flask, redirect, request, url_for
from flask_dance.consumer import OAuth2ConsumerBlueprint

OKTA_BASE_URL = os.environ["OKTA_BASE_URL"]  # {issuer}/v1, or {org}/oauth2/v1 for the org server, as the repository's config.py needs

app = Flask(__name__)
app.secret_key = os.environ["FLASK_SECRET_KEY"]

okta_blueprint = OAuth2ConsumerBlueprint(
    "okta",
    __name__,
    client_id=os.environ["OAUTH_CLIENT_ID"],
    client_secret=os.environ["OAUTH_CLIENT_SECRET"],
    base_url=OKTA_BASE_URL,
    token_url=OKTA_BASE_URL + "/token",
    authorization_url=OKTA_BASE_URL + "/authorize",
    scope=["openid", "email", "profile"],
)
app.register_blueprint(okta_blueprint, url_prefix="/login")


@app.before_request
def before_request():
    if request.endpoint in ("okta.login", "okta.authorized"):
        return None
    if not okta_blueprint.session.token:
        return redirect(url_for("okta.login"))
    return None


@app.route("/")
@app.route("/user")
def user():
    email = okta_blueprint.session.get(OKTA_BASE_URL + "/userinfo").json()["email"]
    return "You are logged in as " + email
