"""What comes in at the boundary never becomes a 500 (issue 12 §3), alike on SQLite and PostgreSQL.

The rule (app/inputs.py): control characters (C0 except tab, LF, CR; and DEL) are removed
from every query parameter, form field and JSON string; JSON nested too deeply is a 400.
Plus the service checks that were missing: the dismissal reason's type, the cue's length,
an assignee number no column holds. And every /api/ path answers errors as JSON.
"""
from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.inputs import MAX_JSON_DEPTH, clean_json, clean_text
from app.models import Article, Claim, ClaimEvidence, Comment, Evidence, Speaker
from tests.test_ingest import STORY

CONTROLS = "\x00\x01\x08\x0b\x0c\x1b\x1f\x7f"


def dirty(text: str) -> str:
    """``text`` with every removed control character slipped in after its first two letters."""
    return text[:2] + CONTROLS + text[2:]


def assert_clean(*values: str | None) -> None:
    for value in values:
        assert value is not None and not any(c in value for c in CONTROLS), repr(value)


@pytest.fixture
def headers(editor, token_for):
    return token_for(editor)


@pytest.fixture
def claim(editor) -> Claim:
    """One claim in progress, built as rows."""
    text = "\u201cThe harbour fund has 300 thousand crowns left,\u201d Mayor Anna Berg said on Monday."
    article = Article(title="Harbour", text=text, sha256="b" * 64, source="paste")
    claim = Claim(article=article, content=text[1:47], kind="direct", start=1, end=47, status="in_progress",
                  cue="said")
    db.session.add_all([article, claim])
    db.session.commit()
    return claim


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["code"] == code, error
    return error


# --- the rule, on its own --------------------------------------------------------------------

def test_clean_text_removes_controls_but_keeps_tab_newline_and_carriage_return():
    assert clean_text(dirty("Anna Berg")) == "Anna Berg"
    assert clean_text("one\ttwo\nthree\r\nfour") == "one\ttwo\nthree\r\nfour"
    assert clean_text("caf\u00e9 \u65e5\u672c \U0001F600 \u200b") == "caf\u00e9 \u65e5\u672c \U0001F600 \u200b"
    assert clean_text("lone \ud800 surrogate") == "lone \ufffd surrogate"


def test_clean_json_walks_keys_and_values_at_any_allowed_depth():
    value = {"bo\x00dy": ["a\x00", {"b\x1f": "c\x7f"}], "n": 5, "t": True, "z": None}
    assert clean_json(value) == {"body": ["a", {"b": "c"}], "n": 5, "t": True, "z": None}
    nested: list = []
    inner = nested
    for _ in range(MAX_JSON_DEPTH - 1):
        inner.append([])
        inner = inner[0]
    inner.append("x\x00")
    assert clean_json(nested) is nested and inner == ["x"]


# --- deep JSON --------------------------------------------------------------------------------

@pytest.mark.parametrize("body", ["[" * 100_000 + "]" * 100_000, '{"text": ' + "[" * 200 + "]" * 200 + "}"],
                         ids=["100000-levels", "200-levels-in-a-field"])
def test_deeply_nested_json_is_a_clear_400(client, headers, claim, body):
    for method, path in (("post", "/api/v1/articles"), ("patch", f"/api/v1/claims/{claim.id}"),
                         ("post", f"/api/v1/claims/{claim.id}/comments")):
        response = getattr(client, method)(path, data=body, content_type="application/json", headers=headers)
        assert "nested too deeply" in error_of(response, 400, "bad_request")["message"]
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0


# --- control characters in every text field --------------------------------------------------

def test_api_article_title_publisher_and_text_are_stored_clean(client, headers):
    response = client.post("/api/v1/articles", headers=headers, json={
        "text": dirty(STORY), "title": dirty("Bridge vote"), "publisher": dirty("Coast Courier")})
    assert response.status_code == 201, response.get_json()
    article = db.session.get(Article, response.get_json()["id"])
    assert (article.title, article.publisher) == ("Bridge vote", "Coast Courier")
    assert_clean(article.text, *[c.content for c in article.claims])


def test_api_claim_content_speaker_and_cue_are_stored_clean(client, headers, claim):
    response = client.patch(f"/api/v1/claims/{claim.id}", headers=headers, json={
        "version": claim.version, "content": dirty("The harbour fund is empty"), "speaker": dirty("Anna Berg"),
        "cue": dirty("told reporters")})
    assert response.status_code == 200, response.get_json()
    db.session.expire_all()
    stored = db.session.get(Claim, claim.id)
    assert (stored.content, stored.speaker.name, stored.cue) == (
        "The harbour fund is empty", "Anna Berg", "told reporters")


def test_api_evidence_and_comment_are_stored_clean(client, headers, claim):
    response = client.post(f"/api/v1/claims/{claim.id}/evidence", headers=headers, json={
        "url": dirty("https://example.org/budget"), "title": dirty("Harbour budget 2024"),
        "publisher": dirty("City council"), "excerpt": dirty("Balance: 300k"), "note": dirty("Page 4"),
        "stance": "supports"})
    assert response.status_code == 201, response.get_json()
    evidence = db.session.scalar(sa.select(Evidence))
    assert (evidence.url, evidence.title, evidence.publisher, evidence.excerpt) == (
        "https://example.org/budget", "Harbour budget 2024", "City council", "Balance: 300k")
    assert db.session.scalar(sa.select(ClaimEvidence.note)) == "Page 4"
    response = client.post(f"/api/v1/claims/{claim.id}/comments", headers=headers,
                           json={"body": dirty("Checked\twith the\nclerk \ud800")})
    assert response.status_code == 201, response.get_json()
    assert db.session.scalar(sa.select(Comment.body)) == "Checked\twith the\nclerk \ufffd"


def test_web_forms_store_clean_text(client, auth, editor, claim):
    auth.login(editor)
    response = client.post(f"/claims/{claim.id}/edit", data={
        "version": claim.version, "content": dirty("The harbour fund has 300 thousand crowns left"),
        "speaker": dirty("Anna Berg"), "kind": "direct", "cue": dirty("said")})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    response = client.post(f"/claims/{claim.id}/evidence", data={
        "url": dirty("https://example.org/minutes"), "title": dirty("Council minutes"),
        "publisher": dirty("City"), "stance": "supports", "excerpt": "", "note": ""})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert client.post(f"/claims/{claim.id}/comments", data={"body": dirty("Looks right")}).status_code == 302
    db.session.expire_all()
    stored = db.session.get(Claim, claim.id)
    assert stored.speaker.name == "Anna Berg" and stored.cue == "said"
    evidence = db.session.scalar(sa.select(Evidence))
    assert (evidence.url, evidence.title, evidence.publisher) == ("https://example.org/minutes", "Council minutes",
                                                                  "City")
    assert db.session.scalar(sa.select(Comment.body)) == "Looks right"


def test_web_ingest_form_stores_clean_title_and_publisher(client, auth, editor):
    auth.login(editor)
    response = client.post("/ingest", data={"text": dirty(STORY), "title": dirty("Bridge vote"),
                                            "publisher": dirty("Coast Courier")})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    article = db.session.scalar(sa.select(Article))
    assert (article.title, article.publisher) == ("Bridge vote", "Coast Courier")


QUERIES = "q=%00harbour%01&speaker=%00Berg%1f"


def test_control_characters_in_searches_are_ignored_everywhere(client, auth, editor, headers, claim):
    claim.speaker = Speaker(name="Anna Berg", name_key="anna berg")
    db.session.commit()
    body = client.get(f"/api/v1/claims?{QUERIES}", headers=headers).get_json()
    assert [item["id"] for item in body["items"]] == [claim.id]
    rows = list(csv.reader(io.StringIO(client.get(f"/api/v1/export.csv?{QUERIES}", headers=headers)
                                       .get_data(as_text=True))))
    assert [row[0] for row in rows[1:]] == [str(claim.id)]
    auth.login(editor)
    for path in (f"/queue?{QUERIES}", "/speakers/?q=%00Berg", f"/queue/export.csv?{QUERIES}"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Anna Berg" in response.get_data(as_text=True), path


# --- the service checks ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["reason", "dismiss_reason"])
@pytest.mark.parametrize("value", [["x"], 5, {"why": "x"}, True])
def test_dismissal_reason_of_the_wrong_type_is_422(client, headers, claim, name, value):
    response = client.patch(f"/api/v1/claims/{claim.id}", headers=headers,
                            json={"version": claim.version, "status": "dismissed", name: value})
    error_of(response, 422, "invalid")
    db.session.expire_all()
    assert db.session.get(Claim, claim.id).status == "in_progress"


def test_cue_longer_than_its_column_is_422_and_the_longest_allowed_is_saved(client, headers, claim):
    response = client.patch(f"/api/v1/claims/{claim.id}", headers=headers,
                            json={"version": claim.version, "cue": "x" * 101})
    assert error_of(response, 422, "invalid")["details"] == {"field": "cue"}
    response = client.patch(f"/api/v1/claims/{claim.id}", headers=headers,
                            json={"version": claim.version, "cue": "x" * 100})
    assert response.status_code == 200 and response.get_json()["cue"] == "x" * 100


def test_an_assignee_number_no_column_holds_matches_nothing(client, auth, editor, headers, claim):
    body = client.get("/api/v1/claims?assignee=999999999999999999", headers=headers).get_json()
    assert body["total"] == 0 and body["items"] == []
    response = client.get("/api/v1/export.csv?assignee=999999999999999999", headers=headers)
    assert response.status_code == 200 and len(response.get_data(as_text=True).splitlines()) == 1
    auth.login(editor)
    assert client.get("/queue?assignee=999999999999999999").status_code == 200
    assert client.get("/queue/export.csv?assignee=2147483648").status_code == 200


# --- JSON errors on every API path ----------------------------------------------------------

@pytest.mark.parametrize("method,path,status,code", [
    ("get", "/api", 404, "not_found"),
    ("get", "/api/", 404, "not_found"),
    ("get", "/api/v2/claims", 404, "not_found"),
    ("get", "/api/v1/claims/1/nothing", 404, "not_found"),
    ("delete", "/api/v1/claims/1", 405, "method_not_allowed"),
    ("put", "/api/v1/articles", 405, "method_not_allowed"),
])
def test_flask_own_errors_on_api_paths_are_json(client, headers, method, path, status, code):
    error_of(getattr(client, method)(path, headers=headers), status, code)


def test_a_json_body_over_the_size_limit_is_413_json(app, client, headers):
    body = '{"text": "' + "x" * app.config["MAX_CONTENT_LENGTH"] + '"}'
    error_of(client.post("/api/v1/articles", data=body, content_type="application/json", headers=headers),
             413, "too_large")
