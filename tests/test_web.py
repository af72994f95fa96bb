"""Pages through the test client: sign-in, queue, article, claim, speaker, ingest form."""
from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.models import Article
from tests.conftest import PASSWORD
from tests.test_ingest import STORY


def test_anonymous_is_sent_to_login(client):
    response = client.get("/queue")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("email,password", [("edith@example.org", "wrong password"),
                                            ("nobody@example.org", PASSWORD)])
def test_wrong_login_gives_no_hint_which_part(client, editor, email, password):
    response = client.post("/auth/login", data={"email": email, "password": password})
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert "Wrong e-mail or password." in page
    assert "no such" not in page.lower() and "unknown" not in page.lower()


def test_login_and_logout(client, auth, editor):
    response = auth.login(editor)
    assert response.status_code == 302 and response.headers["Location"].endswith("/queue")
    assert client.get("/queue").status_code == 200
    auth.logout()
    assert client.get("/queue").status_code == 302


def test_login_next_must_stay_on_site(client, editor):
    response = client.post("/auth/login?next=https://evil.example/x", data={"email": editor.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/queue")


def test_queue_lists_seed_claims_with_speakers(client, auth, editor, seed):
    auth.login(editor)
    page = client.get("/queue").get_data(as_text=True)
    for name in ("Jens Stoltenberg", "Kaja Kallas", "Estonia, Latvia and Lithuania"):
        assert name in page
    assert f"{len(seed.claims)} claims" in page


def test_queue_filters(client, auth, editor, seed):
    auth.login(editor)
    page = client.get("/queue?speaker=Kallas").get_data(as_text=True)
    assert "Kaja Kallas" in page and "Jens Stoltenberg" not in page
    page = client.get("/queue?kind=partial").get_data(as_text=True)
    rows = re.findall(r'class="badge kind kind-(\w+)"', page)
    assert rows and set(rows) == {"partial"}
    page = client.get("/queue?q=zebra+crossing").get_data(as_text=True)
    assert "No claims match these filters" in page
    page = client.get(f"/queue?article={seed.article.id}&status=new&sort=speaker").get_data(as_text=True)
    assert "Kaja Kallas" in page


def test_queue_paginates(client, auth, editor, seed):
    auth.login(editor)
    page = client.get("/queue?per_page=4&page=2").get_data(as_text=True)
    assert page.count('class="queue-row"') == 4
    assert "Page 2 of" in page


def test_article_page_highlights_every_claim(client, auth, editor, seed):
    auth.login(editor)
    page = client.get(f"/articles/{seed.article.id}").get_data(as_text=True)
    marked = set(int(i) for i in re.findall(r'data-claim="(\d+)"', page))
    assert marked == {c.id for c in seed.claims}


def test_claim_page_shows_claim_in_context(client, auth, editor, seed):
    claim = next(c for c in seed.claims if c.speaker and c.speaker.name == "Kaja Kallas")
    auth.login(editor)
    page = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    focus = re.search(r'class="quote quote-\w+ quote-focus"[^>]*id="focus"[^>]*><mark>(.*?)</mark>', page, re.S)
    assert focus, "the claim is not highlighted in its context"
    assert "Kaja Kallas" in page and "History" in page


def test_speaker_page_lists_role_aliases_and_claims(client, auth, editor, seed):
    auth.login(editor)
    stoltenberg = next(c.speaker for c in seed.claims if c.speaker and c.speaker.name == "Jens Stoltenberg")
    page = client.get(f"/speakers/{stoltenberg.id}").get_data(as_text=True)
    assert "Secretary General" in page and "Mr Stoltenberg" in page
    assert page.count("/claims/") >= 5


def test_missing_pages_are_404(client, auth, editor):
    auth.login(editor)
    for url in ("/claims/99999", "/articles/99999", "/speakers/99999"):
        assert client.get(url).status_code == 404


def test_ingest_form_paste(client, auth, editor):
    auth.login(editor)
    response = client.post("/ingest", data={"text": STORY, "publisher": "City Post"})
    assert response.status_code == 302
    article = db.session.scalar(sa.select(Article))
    assert article.publisher == "City Post" and article.ingested_by_id == editor.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "quotes added to the queue" in page or "quote added to the queue" in page
    assert "Anna Lindqvist" in client.get("/queue").get_data(as_text=True)


def test_ingest_form_upload_html(client, auth, editor):
    auth.login(editor)
    html = (b"<html><head><title>Ferry cancelled</title></head><body><article><p>\"The crossing is too rough today,\""
            b" captain Ingrid Olsen said on Sunday as the storm reached the coast.</p></article></body></html>")
    response = client.post("/ingest", data={"file": (io.BytesIO(html), "ferry.html")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Article.title)) == "Ferry cancelled"


@pytest.mark.parametrize("data,status,message", [
    ({"text": ""}, 422, "The article is empty"),
    ({"file": (io.BytesIO(b"%PDF-1.5 binary"), "x.txt")}, 415, "not a text or HTML"),
    ({"file": (io.BytesIO("caf\u00e9".encode("cp1252") * 3 + bytes(range(128, 160))), "x.txt")}, 415, "UTF-8"),
])
def test_ingest_form_bad_input_says_why_and_stores_nothing(client, auth, editor, data, status, message):
    auth.login(editor)
    response = client.post("/ingest", data=data, content_type="multipart/form-data")
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Article.id))) == 0


def test_ingest_form_too_large(client, auth, editor, app):
    auth.login(editor)
    big = io.BytesIO(b"a " * app.config["MAX_CONTENT_LENGTH"])
    response = client.post("/ingest", data={"file": (big, "big.txt")}, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "upload limit" in response.get_data(as_text=True)


def test_pasted_text_over_half_a_megabyte_reaches_the_service(client, auth, editor, app):
    """The ingest form is multipart (it has a file field); Werkzeug's own 500 kB cap on a
    multipart text field is lifted to the upload limit, so the article-length rule answers,
    not a generic 413 about uploads."""
    auth.login(editor)
    text = "Пристань " * (app.config["MAX_ARTICLE_CHARS"] // 6)  # 300,000 characters, ~570 kB of UTF-8
    response = client.post("/ingest", data={"text": text}, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "characters long; the limit is" in response.get_data(as_text=True)


def test_ingest_form_duplicate_links_to_existing(client, auth, editor):
    auth.login(editor)
    client.post("/ingest", data={"text": STORY})
    response = client.post("/ingest", data={"text": STORY})
    assert response.status_code == 409
    article_id = db.session.scalar(sa.select(Article.id))
    assert f"/articles/{article_id}" in response.get_data(as_text=True)


HOSTILE = ('<script>alert("x")</script> "<img src=x onerror=alert(1)> is our answer," '
           'said Dr Evil <b>Mastermind</b> on Monday in a speech to the council.')


def test_hostile_text_is_inert_on_every_page(client, auth, editor, ingest):
    result = ingest(HOSTILE, user=editor, title="<script>alert('t')</script>")
    assert result.claims and any(c.speaker_id for c in result.claims)
    auth.login(editor)
    urls = ["/queue", f"/articles/{result.article.id}", "/articles", "/speakers"]
    urls += [f"/claims/{c.id}" for c in result.claims]
    urls += [f"/speakers/{c.speaker_id}" for c in result.claims if c.speaker_id]
    for url in urls:
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page, url
        assert "<img src=x" not in page, url
        assert "<b>Mastermind" not in page, url


def test_security_headers(client):
    headers = client.get("/auth/login").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_csrf_is_enforced_on_forms(app, editor):
    csrf_app = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                           "WTF_CSRF_ENABLED": True})
    client = csrf_app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    refused = client.post("/auth/login", data={"email": editor.email, "password": PASSWORD})
    assert refused.status_code == 400
    accepted = client.post("/auth/login", data={"email": editor.email, "password": PASSWORD, "csrf_token": token})
    assert accepted.status_code == 302
    with csrf_app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("url", ["/claims/99999999999999999999", "/articles/99999999999999999999",
                                 "/queue?page=99999999999999999999", "/queue?assignee=%C2%B2",
                                 "/queue?until=9999-12-31", "/queue?speaker_id=99999999999999999999"])
def test_odd_numbers_in_urls_never_crash(client, auth, editor, url):
    auth.login(editor)
    assert client.get(url).status_code in (200, 404)


def test_login_next_with_backslash_stays_on_site(client, editor):
    response = client.post("/auth/login?next=/%5Cevil.example", data={"email": editor.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/queue")


def test_a_deactivated_user_is_signed_out_at_once(client, auth, editor):
    auth.login(editor)
    assert client.get("/queue").status_code == 200
    editor.active = False
    db.session.commit()
    assert client.get("/queue").status_code == 302
