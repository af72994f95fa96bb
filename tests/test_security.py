"""Security basics, one test each: cookies, password hashing, sign-in rate limit, headers,
escaping of hostile article text, uploads judged by content, API tokens (hashed, revocable)."""
from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db, limiter
from app.models import ApiToken, Article, Claim, hash_token
from tests.conftest import PASSWORD


def set_cookies(response) -> dict[str, str]:
    """Set-Cookie headers of a response by cookie name."""
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


# --- cookies and passwords ---------------------------------------------------------------------

def test_session_cookie_is_httponly_and_samesite_lax(client, editor):
    response = client.post("/auth/login", data={"email": editor.email, "password": PASSWORD})
    cookie = set_cookies(response)["session"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http (a laptop): a Secure cookie would never come back


def test_every_cookie_is_secure_over_https(app, editor):
    client = app.test_client()
    response = client.post("/auth/login", data={"email": editor.email, "password": PASSWORD, "remember": "y"},
                           base_url="https://desk.example")
    cookies = set_cookies(response)
    assert {"session", "remember_token"} <= set(cookies)
    for name, header in cookies.items():
        assert "; Secure" in header and "HttpOnly" in header, name


def test_https_behind_a_proxy_is_recognised_when_configured(app, editor):
    proxied = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "CLAIMDESK_PROXY_COUNT": 1})
    try:
        response = proxied.test_client().post(
            "/auth/login", data={"email": editor.email, "password": PASSWORD},
            headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
        assert "; Secure" in set_cookies(response)["session"]
    finally:
        with proxied.app_context():
            db.engine.dispose()


def test_passwords_are_stored_as_salted_scrypt_hashes():
    from app.auth.service import create_user  # the real path (make_user reuses one hash)

    one, two = (create_user(f"{n}@example.org", name=n, role="editor", password=PASSWORD) for n in ("one", "two"))
    assert one.password_hash.startswith("scrypt:") and PASSWORD not in one.password_hash
    assert one.password_hash != two.password_hash  # salted
    assert one.check_password(PASSWORD) and not one.check_password(PASSWORD + "!")


# --- sign-in rate limit -----------------------------------------------------------------------

@pytest.fixture
def limited_client(app):
    """A client of an app with the sign-in limit on (3 per e-mail, 6 per address a minute).

    The limiter is one object shared by every app of the process, so its switch and its
    in-memory counts are put back afterwards for the other tests."""
    limited = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                          "RATELIMIT_ENABLED": True, "CLAIMDESK_LOGIN_LIMIT": "3 per minute",
                          "CLAIMDESK_LOGIN_LIMIT_PER_ADDRESS": "6 per minute"})
    limiter.reset()
    try:
        yield limited.test_client()
    finally:
        limiter.reset()
        limiter.enabled = False
        with limited.app_context():
            db.engine.dispose()


def test_sign_in_is_rate_limited_per_address_and_email(limited_client, editor):
    def attempt(email, password="wrong password", address="198.51.100.7"):
        return limited_client.post("/auth/login", data={"email": email, "password": password},
                                   environ_base={"REMOTE_ADDR": address})

    assert [attempt(editor.email).status_code for _ in range(3)] == [401, 401, 401]
    blocked = attempt(editor.email, PASSWORD)  # even the right password waits now
    assert blocked.status_code == 429
    assert "Too many sign-in attempts. Wait a minute, then try again." in blocked.get_data(as_text=True)
    assert "Retry-After" in blocked.headers
    assert attempt("someone@example.org").status_code == 401  # another e-mail from the same address
    assert limited_client.get("/auth/login").status_code == 200  # the form itself is never limited
    assert attempt(editor.email, PASSWORD, address="198.51.100.8").status_code == 302  # another address


def test_sign_in_is_rate_limited_per_address_across_emails(limited_client):
    codes = [limited_client.post("/auth/login", data={"email": f"guess{n}@example.org", "password": "x"},
                                 environ_base={"REMOTE_ADDR": "198.51.100.20"}).status_code for n in range(7)]
    assert codes == [401] * 6 + [429]


def test_rate_limit_is_off_in_the_test_config(client, editor):
    for _ in range(12):
        client.post("/auth/login", data={"email": editor.email, "password": "wrong password"})
    assert client.post("/auth/login", data={"email": editor.email, "password": PASSWORD}).status_code == 302


# --- headers and inline script ----------------------------------------------------------------

class LiveMarkup(HTMLParser):
    """What a browser would run in a page: inline scripts, on* handlers, javascript: links,
    and tags an article could smuggle in (img, iframe, b inside text)."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                    ("javascript:", "data:text/html", "vbscript:")):
                self.problems.append(f"<{tag} {name}={value!r}>")
        data_block = (values.get("type") or "").lower() in ("application/ld+json", "application/json")
        if tag == "script" and not values.get("src") and not data_block:  # JSON-LD is data, never run
            self.problems.append("inline <script>")
        if tag in ("iframe", "object", "embed") or (tag == "img" and values.get("src") == "x"):
            self.problems.append(f"<{tag}>")


def live_markup(page: str) -> list[str]:
    return LiveMarkup(page).problems


def pages_of_a_working_desk(seed):
    claim = seed.claims[0]
    return ["/auth/login", "/queue", "/queue?view=mine", f"/claims/{claim.id}", f"/articles/{seed.article.id}",
            "/articles", "/speakers", f"/speakers/{claim.speaker_id}", "/ingest", "/account/tokens", "/no-such-page"]


def test_security_headers_on_every_kind_of_response(client, auth, editor, seed, token_for):
    auth.login(editor)
    responses = [client.get(url) for url in pages_of_a_working_desk(seed)]
    responses.append(client.get("/static/css/app.css"))
    responses.append(client.get("/api/v1/claims", headers=token_for(editor)))
    for response in responses:
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "default-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_need_no_inline_script(client, auth, admin, seed, token_for):
    """What the CSP forbids must not be needed: no inline <script>, no on*= handlers."""
    auth.login(admin)
    for url in pages_of_a_working_desk(seed):
        assert live_markup(client.get(url).get_data(as_text=True)) == [], url


# --- hostile article text, in text and in HTML ----------------------------------------------------

HOSTILE_HTML = (
    b"<!doctype html><html><head><title>&lt;script&gt;alert('title')&lt;/script&gt; Council row</title>"
    b"<script>alert('head')</script><link rel='canonical' href='javascript:alert(\"canonical\")'></head>"
    b"<body><article><h1>Council row</h1>"
    b"<p>\"&lt;img src=x onerror=alert(1)&gt; is not a picture of the budget,\" councillor Jo Smith said on"
    b" Monday at the town hall meeting.</p>"
    b"<p>\"&lt;script&gt;alert('quote')&lt;/script&gt; will never run on our website,\" Smith told"
    b" reporters after the vote.</p>"
    b"<img src=x onerror=\"alert(2)\"><script>alert('body')</script><iframe src='javascript:alert(3)'></iframe>"
    b"</article></body></html>"
)


def assert_inert(page: str, where: str) -> None:
    """Hostile markup may show as text (escaped), never as a tag, handler or script link."""
    assert live_markup(page) == [], where
    for raw in ("<script>alert", "<img src=x", "<b>Mastermind"):
        assert raw not in page, f"{raw!r} is live on {where}"


def test_hostile_html_upload_is_inert_on_every_page(client, auth, editor, make_user, ingest):
    auth.login(editor)
    response = client.post("/ingest", data={"file": (io.BytesIO(HOSTILE_HTML), "row.html")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200
    assert_inert(response.get_data(as_text=True), "the page after ingest (flash with the title)")
    article = db.session.scalar(sa.select(Article))
    assert "<script>alert('quote')</script>" in article.text  # kept as text, shown escaped
    assert article.url is None  # the javascript: canonical link was dropped
    claims = db.session.scalars(sa.select(Claim).where(Claim.article_id == article.id)).all()
    assert claims and any("onerror" in c.content for c in claims)
    # A second article repeating the quote puts the hostile claim in the related panel.
    from tests.test_web import HOSTILE

    other = ingest(HOSTILE + '\n\n"<img src=x onerror=alert(1)> is not a picture of the budget," Smith said.',
                   user=editor, title="Follow-up")
    # Approved, it is also on the dashboard and its public fact-check page.
    from app.workflow import service

    checked = claims[0]
    service.link_evidence(checked.id, user=editor, evidence=service.EvidenceInput(
        url="https://example.org/budget", title="Budget 2024", stance="contradicts"))
    checked = service.get_claim(checked.id)
    service.propose_verdict(checked.id, user=editor, verdict="false", rationale="<script>alert('r')</script>",
                            version=checked.version)
    service.approve(checked.id, user=make_user("reviewer"), comment="<img src=x onerror=alert('c')>")
    urls = ["/queue", "/queue?q=script", "/queue?q=onerror", f"/articles/{article.id}", "/articles", "/speakers",
            "/dashboard", f"/fact-checks/{checked.id}", "/queue?status=approved"]
    urls += [f"/claims/{c.id}" for c in claims + other.claims]
    urls += sorted({f"/speakers/{c.speaker_id}" for c in claims + other.claims if c.speaker_id})
    for url in urls:
        page = client.get(url).get_data(as_text=True)
        assert_inert(page, url)
    assert "&lt;script&gt;alert(&#39;quote&#39;)&lt;/script&gt;" in client.get(f"/articles/{article.id}").get_data(
        as_text=True)


def test_hostile_input_in_edits_comments_and_evidence_is_inert(client, auth, editor, ingest):
    from app.workflow import service
    from tests.test_ingest import STORY

    claim = ingest(STORY, user=editor).claims[0]
    auth.login(editor)
    service.add_comment(claim.id, user=editor, body="<script>alert('comment')</script>")
    service.link_evidence(claim.id, user=editor, evidence=service.EvidenceInput(
        url="https://example.org/<script>alert('u')</script>", title="<img src=x onerror=alert('t')>",
        stance="context", excerpt="<script>alert('excerpt')</script>", note="<img src=x onerror=alert('n')>"))
    claim = service.get_claim(claim.id)
    service.update_claim(claim.id, user=editor, version=claim.version,
                         changes={"cue": "<script>alert('cue')</script>", "speaker": "<b>Mastermind</b>"})
    assert_inert(client.get(f"/claims/{claim.id}").get_data(as_text=True), "the claim page")
    assert_inert(client.get("/queue").get_data(as_text=True), "the queue")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:x"])
def test_article_url_must_be_a_web_address(client, editor, token_for, url):
    from tests.test_ingest import STORY

    response = client.post("/api/v1/articles", json={"text": STORY, "url": url}, headers=token_for(editor))
    assert response.status_code == 422 and "http:// or https://" in response.get_json()["error"]["message"]


def test_a_script_address_stored_by_other_means_is_never_a_link(client, auth, editor, ingest):
    from tests.test_ingest import STORY

    result = ingest(STORY)
    result.article.url = "javascript:alert(1)"  # older data, stored before the service refused it
    db.session.commit()
    auth.login(editor)
    for url in (f"/articles/{result.article.id}", f"/claims/{result.claims[0].id}"):
        assert_inert(client.get(url).get_data(as_text=True), url)


# --- uploads judged by their content ------------------------------------------------------------

@pytest.mark.parametrize("data,name,mimetype,status,message", [
    (b"%PDF-1.7 binary", "notes.txt", "text/plain", 415, "looks like a PDF"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "story.html", "text/html", 415, "looks like a PNG image"),
    (b"PK\x03\x04\x14\x00", "story.txt", "text/plain", 415, "ZIP or Office"),
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 64, "story.txt", "text/plain", 415, "binary file"),
])
def test_uploads_are_judged_by_content_not_name_or_declared_type(client, auth, editor, data, name, mimetype,
                                                                 status, message):
    auth.login(editor)
    response = client.post("/ingest", data={"file": (io.BytesIO(data), name, mimetype)},
                           content_type="multipart/form-data")
    assert response.status_code == status and message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Article.id))) == 0


def test_html_named_txt_is_read_as_html_and_its_scripts_dropped(client, auth, editor):
    auth.login(editor)
    html = (b"<html><body><article><p>\"The dam held through the night,\" engineer Tomas Novak said on"
            b" Wednesday.</p><script>alert('x')</script></article></body></html>")
    response = client.post("/ingest", data={"file": (io.BytesIO(html), "dam.txt", "text/plain")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    text = db.session.scalar(sa.select(Article.text))
    assert text.startswith("\"The dam held") and "alert" not in text and "<" not in text


# --- API tokens -------------------------------------------------------------------------------

def create_token_on_page(client, name="CMS plug-in") -> str:
    response = client.post("/account/tokens", data={"name": name})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    return re.search(r'id="new-token-value" value="(cd_[^"]+)"', response.get_data(as_text=True)).group(1)


def test_token_page_shows_a_new_token_once_and_stores_only_its_hash(client, auth, editor):
    auth.login(editor)
    secret = create_token_on_page(client)
    stored = db.session.scalar(sa.select(ApiToken))
    assert stored.user_id == editor.id and stored.name == "CMS plug-in"
    assert stored.token_hash == hash_token(secret) and secret.startswith(stored.prefix) and len(stored.prefix) < 12
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert secret not in listing and f"{stored.prefix}\u2026" in listing and "CMS plug-in" in listing
    assert client.get("/api/v1/claims", headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def test_token_needs_a_name(client, auth, editor):
    auth.login(editor)
    response = client.post("/account/tokens", data={"name": ""})
    assert response.status_code == 422 and db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0


def test_owner_revokes_a_token_and_the_api_refuses_it(client, auth, editor):
    auth.login(editor)
    secret = create_token_on_page(client)
    token_id = db.session.scalar(sa.select(ApiToken.id))
    response = client.post(f"/account/tokens/{token_id}/revoke", follow_redirects=True)
    assert "revoked" in response.get_data(as_text=True)
    assert client.get("/api/v1/claims", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_another_user_cannot_revoke_a_token(client, auth, editor, editor2, token_for):
    headers = token_for(editor)
    token_id = db.session.scalar(sa.select(ApiToken.id))
    auth.login(editor2)
    assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 403
    assert client.get("/api/v1/claims", headers=headers).status_code == 200
    assert db.session.scalar(sa.select(ApiToken.revoked_at)) is None


def test_other_users_tokens_are_not_listed_for_editors(client, auth, editor, editor2, token_for):
    token_for(editor)
    prefix = db.session.scalar(sa.select(ApiToken.prefix))
    auth.login(editor2)
    page = client.get("/account/tokens").get_data(as_text=True)
    assert prefix not in page and "Everyone else" not in page


def test_admin_sees_and_revokes_anyones_token(client, auth, editor, admin, token_for):
    headers = token_for(editor)
    token = db.session.scalar(sa.select(ApiToken))
    auth.login(admin)
    page = client.get("/account/tokens").get_data(as_text=True)
    assert "Everyone else" in page and token.prefix in page and editor.name in page
    response = client.post(f"/account/tokens/{token.id}/revoke", follow_redirects=True)
    assert f"of {editor.name} revoked" in response.get_data(as_text=True)
    assert client.get("/api/v1/claims", headers=headers).status_code == 401


def test_token_pages_need_a_signed_in_user(client):
    assert client.get("/account/tokens").status_code == 302
    assert client.post("/account/tokens", data={"name": "x"}).status_code == 302
    assert client.post("/account/tokens/1/revoke").status_code == 302
