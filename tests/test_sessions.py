"""Sign-ins that end (issue 12 §4): old cookies replayed after each way out open nothing.

A "browser" is a test client; replaying means copying its cookies (session and remember-me)
into a fresh client after the browser signed out, signed out everywhere, changed its
password, or its user was deactivated and reactivated. Then the password and e-mail rules.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import g

from app.auth.passwords import password_problem
from app.admin.service import user_by_email
from app.auth.service import change_password, create_user
from app.errors import Invalid
from app.extensions import db
from app.models import Comment, LoginSession
from tests.conftest import PASSWORD

COOKIES = ("session", "remember_token")


def send(browser, method: str, path: str, **kwargs):
    """One request as its own browser visit: the tests' shared app context must not carry the
    user Flask-Login loaded for the previous request (``g._login_user``)."""
    g.pop("_login_user", None)
    return getattr(browser, method)(path, **kwargs)
NEW_PASSWORD = "tidal harbour lantern"


def sign_in(app, user, password: str = PASSWORD, remember: bool = True):
    browser = app.test_client()
    data = {"email": user.email, "password": password}
    if remember:
        data["remember"] = "y"
    response = send(browser, "post", "/auth/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return browser


def cookies_of(browser) -> dict[str, str]:
    found = {name: browser.get_cookie(name) for name in COOKIES}
    return {name: cookie.value for name, cookie in found.items() if cookie is not None}


def replay(app, cookies: dict[str, str], only: str | None = None):
    """A fresh browser holding copies of ``cookies`` (or only one of them)."""
    browser = app.test_client()
    for name, value in cookies.items():
        if only is None or name == only:
            browser.set_cookie(name, value)
    return browser


def is_signed_in(browser) -> bool:
    response = send(browser, "get", "/queue")
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    return False


def assert_nothing_opens(app, cookies: dict[str, str]) -> None:
    assert set(cookies) == set(COOKIES), cookies  # both were there to be copied
    for only in (None, *COOKIES):
        assert not is_signed_in(replay(app, cookies, only)), f"replayed {only or 'both cookies'} still opens the desk"


@pytest.fixture
def claim_id(ingest):
    from tests.test_ingest import STORY

    return ingest(STORY).claims[0].id


def test_each_sign_in_has_its_own_cookies_and_both_open_the_desk(app, editor):
    one, two = cookies_of(sign_in(app, editor)), cookies_of(sign_in(app, editor))
    assert one["remember_token"] != two["remember_token"]
    for cookies in (one, two):
        for only in COOKIES:
            assert is_signed_in(replay(app, cookies, only)), only
    assert str(editor.id) not in {one["remember_token"].split("|")[0], two["remember_token"].split("|")[0]}


def test_signing_out_ends_that_sign_in_on_the_server(app, editor, claim_id):
    browser = sign_in(app, editor)
    other = sign_in(app, editor)
    cookies = cookies_of(browser)
    assert send(browser, "post", "/auth/logout").status_code == 302
    assert_nothing_opens(app, cookies)
    stale = replay(app, cookies)
    response = send(stale, "post", f"/claims/{claim_id}/comments", data={"body": "Posted with an old cookie."})
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0
    assert is_signed_in(other)  # the user's other browser is still signed in


def test_sign_out_everywhere_ends_every_sign_in(app, editor, editor2):
    here, there = sign_in(app, editor), sign_in(app, editor)
    bystander = sign_in(app, editor2)
    cookies_here, cookies_there = cookies_of(here), cookies_of(there)
    page = send(here, "get", "/account").get_data(as_text=True)
    assert "2 active sign-ins" in page and "Sign out everywhere" in page
    response = send(here, "post", "/account/sign-out-everywhere")
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/login")
    assert_nothing_opens(app, cookies_here)
    assert_nothing_opens(app, cookies_there)
    assert not is_signed_in(there)
    assert is_signed_in(bystander)
    assert db.session.scalar(sa.select(sa.func.count(LoginSession.id)).where(
        LoginSession.user_id == editor.id)) == 0


def test_changing_the_password_ends_every_other_sign_in(app, editor):
    here, there = sign_in(app, editor), sign_in(app, editor)
    before_here, before_there = cookies_of(here), cookies_of(there)
    response = send(here, "post", "/account/password", data={
        "current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert is_signed_in(here)  # this browser signed in afresh ...
    assert cookies_of(here)["session"] != before_here["session"]
    assert_nothing_opens(app, before_here)  # ... and its own old cookies are dead too
    assert_nothing_opens(app, before_there)
    assert not is_signed_in(there)
    assert send(app.test_client(), "post", "/auth/login",
                data={"email": editor.email, "password": PASSWORD}).status_code == 401
    sign_in(app, editor, NEW_PASSWORD)


def test_a_password_change_by_the_cli_ends_every_sign_in(app, runner, editor):
    cookies = cookies_of(sign_in(app, editor))
    result = runner.invoke(args=["set-password", editor.email], input=NEW_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert_nothing_opens(app, cookies)


def test_deactivating_ends_every_sign_in_and_reactivating_revives_none(app, runner, editor):
    cookies = cookies_of(sign_in(app, editor))
    result = runner.invoke(args=["deactivate-user", editor.email])
    assert result.exit_code == 0, result.output
    assert_nothing_opens(app, cookies)
    assert send(app.test_client(), "post", "/auth/login",
                data={"email": editor.email, "password": PASSWORD}).status_code == 401
    assert runner.invoke(args=["reactivate-user", editor.email]).exit_code == 0
    assert_nothing_opens(app, cookies)
    assert is_signed_in(sign_in(app, editor))


def test_account_page_refuses_a_wrong_current_password_or_a_weak_new_one(app, editor):
    browser = sign_in(app, editor)
    wrong = send(browser, "post", "/account/password", data={
        "current_password": "not my password", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert wrong.status_code == 422 and "current password is not right" in wrong.get_data(as_text=True)
    weak = send(browser, "post", "/account/password", data={
        "current_password": PASSWORD, "password": "password12", "confirm": "password12"})
    assert weak.status_code == 422 and "too easy to guess" in weak.get_data(as_text=True)
    differ = send(browser, "post", "/account/password", data={
        "current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert differ.status_code == 422 and "passwords differ" in differ.get_data(as_text=True)
    db.session.expire_all()
    assert editor.check_password(PASSWORD) and is_signed_in(browser)


def test_an_expired_sign_in_opens_nothing(app, editor):
    browser = sign_in(app, editor, remember=False)
    db.session.execute(sa.update(LoginSession).values(expires_at=LoginSession.created_at))
    db.session.commit()
    assert not is_signed_in(browser)


# --- the password and e-mail rules (NIST SP 800-63B) ---------------------------------------------

@pytest.mark.parametrize("password", [
    "password", "aaaaaaaa", " " * 8, "aaaaaaaaaaaa", " " * 12, "password123", "Password123!", "qwertyuiop",
    "1234567890", "iloveyou12", "edith@example.org",
])
def test_short_common_and_guessable_passwords_are_refused(app, password):
    with pytest.raises(Invalid) as refused:
        create_user("edith@example.org", name="Edith Editor", role="editor", password=password)
    assert refused.value.details == {"field": "password"}


@pytest.mark.parametrize("password", [PASSWORD, "tidal harbour lantern", "kaffekopp-99-blå", "Z7#qv!r2Lm"])
def test_long_or_unguessable_passwords_pass_without_composition_rules(password):
    assert password_problem(password) is None


def test_the_users_own_name_and_email_count_against_the_password():
    assert password_problem("pietersen2024") is None
    assert "too easy to guess" in password_problem("pietersen2024", user_inputs=("maria.pietersen@example.org",))


@pytest.mark.parametrize("email", ["@", "a@b", "user@", "@example.org", "two@@example.org", "a b@example.org",
                                   "x@localhost", "x@claimdesk.local"])
def test_malformed_e_mail_addresses_are_refused(app, email):
    with pytest.raises(Invalid) as refused:
        create_user(email, name="X", role="editor", password=PASSWORD)
    assert refused.value.details == {"field": "email"}


def test_a_valid_e_mail_is_stored_lower_case(app):
    assert create_user(" Rita.Roe@Example.ORG ", name="Rita", role="editor", password=PASSWORD).email == \
        "rita.roe@example.org"


def test_the_service_refuses_the_same_password_again(editor):
    with pytest.raises(Invalid, match="the one you have now"):
        change_password(editor, PASSWORD)


def test_deactivating_an_unknown_user_is_not_found(app):
    from app.errors import NotFound

    with pytest.raises(NotFound):
        user_by_email("nobody@example.org")


def test_users_compare_as_users_whatever_sign_in_they_were_loaded_for(app, editor, editor2):
    from app.models import User

    again = db.session.get(User, editor.id)
    assert again == editor and again != editor2 and editor is not None
    stranger = User(email="x@example.org", name="X", role="editor")
    stranger.login_secret = "one"
    assert stranger != editor and stranger == stranger
