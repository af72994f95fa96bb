"""The correction tools of the article page: each form calls the corrections service,
a refusal re-renders the page with the input kept, every form carries a CSRF token."""
from __future__ import annotations

import html
import re

import pytest

from app import create_app
from app.extensions import db
from app.workflow import service
from tests.conftest import PASSWORD
from tests.workflow.conftest import actions
from tests.workflow.test_corrections import WIRE, span_of


@pytest.fixture
def wire(make_article):
    return make_article(WIRE, title="Wire copy")


def marks(page: str) -> list[tuple[int, str]]:
    return [(int(cid), html.unescape(body))
            for cid, body in re.findall(r'data-claim="(\d+)"[^>]*><mark>(.*?)</mark>', page)]


def test_the_page_offers_the_tools_with_offsets_per_paragraph(client, auth, editor, wire, make_claim):
    claim = make_claim(wire, "Prices will fall", speaker="the minister")
    auth.login(editor)
    page = client.get(f"/articles/{wire.id}").get_data(as_text=True)
    assert 'id="add-claim-form"' in page and "js/corrections.js" in page
    starts = [int(n) for n in re.findall(r'<p data-start="(\d+)">', page)]
    assert starts == [0, WIRE.index('"We have seen'), WIRE.index("The talks")]
    assert f'action="/claims/{claim.id}/split"' in page and f'action="/claims/{claim.id}/span"' in page
    assert '<option value="the minister">' in page  # the speaker picker offers the article's speakers


def test_add_as_claim_from_offsets(client, auth, editor, wire):
    auth.login(editor)
    start, end = span_of(WIRE, "Wages will rise")
    response = client.post(f"/articles/{wire.id}/claims", data={
        "add-start": start, "add-end": end, "add-speaker": "the minister", "add-kind": "direct", "add-cue": "said"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    (claim_id, text), = marks(page)
    assert text == "Wages will rise" and "added" in page
    assert actions(claim_id) == ["claim_added"]


def test_a_refused_add_keeps_the_input(client, auth, editor, wire):
    auth.login(editor)
    response = client.post(f"/articles/{wire.id}/claims", data={
        "add-start": 5, "add-end": 99_999, "add-speaker": "Somebody Typed", "add-kind": "direct"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "outside the article" in page and 'value="Somebody Typed"' in page and 'value="99999"' in page


def test_split_merge_span_and_remove_from_the_page(client, auth, editor, wire, make_claim):
    a = make_claim(wire, "Prices will fall", speaker="the minister")
    b = make_claim(wire, "Wages will rise", speaker="the minister")
    auth.login(editor)
    merged = client.post(f"/claims/{a.id}/merge", data={f"merge-{a.id}-with_claim": b.id,
                                                        f"merge-{a.id}-version": a.version})
    assert merged.status_code == 302
    page = client.get(f"/articles/{wire.id}").get_data(as_text=True)
    assert marks(page) == [(a.id, "Prices will fall"), (a.id, "Wages will rise")]
    assert f"merged into <a href=\"/claims/{a.id}\">#{a.id}</a>" in page  # the removed one is listed
    gone = client.get(f"/claims/{b.id}").get_data(as_text=True)  # its own page and history stay
    assert f'Merged into <a href="/claims/{a.id}">claim #{a.id}</a>' in gone
    assert "merged this claim into another" in gone and f"Now part of claim #{a.id}." in gone
    assert 'id="edit-form"' not in gone and 'id="evidence-form"' not in gone  # no action is offered
    assert "merged another claim into this one" in client.get(f"/claims/{a.id}").get_data(as_text=True)
    version = service.get_claim(a.id).version
    at = WIRE.index("Wages")
    split = client.post(f"/claims/{a.id}/split", data={f"split-{a.id}-at": at, f"split-{a.id}-version": version})
    assert split.status_code == 302
    page = client.get(split.headers["Location"]).get_data(as_text=True)
    (first, t1), (second, t2) = marks(page)
    assert (first, t1) == (a.id, "Prices will fall") and t2 == "Wages will rise" and second not in (a.id, b.id)
    start, end = span_of(WIRE, 'Prices will fall," the minister said')
    version = service.get_claim(a.id).version
    span = client.post(f"/claims/{a.id}/span", data={f"span-{a.id}-start": start, f"span-{a.id}-end": end,
                                                     f"span-{a.id}-version": version})
    assert span.status_code == 302
    page = client.get(f"/articles/{wire.id}").get_data(as_text=True)
    assert (a.id, 'Prices will fall," the minister said') in marks(page)
    assert (a.id, "Prices will fall") not in marks(page)  # the old highlight is gone
    removed = client.post(f"/claims/{second}/remove", data={f"remove-{second}-reason": "Duplicate",
                                                            f"remove-{second}-version": 1})
    assert removed.status_code == 302
    assert [cid for cid, _ in marks(client.get(f"/articles/{wire.id}").get_data(as_text=True))] == [a.id]


def test_a_stale_split_is_409_with_the_input_kept(client, auth, editor, wire, make_claim):
    claim = make_claim(wire, "We have seen more drones in the past month than ever before", speaker="Stoltenberg")
    service.update_claim(claim.id, user=editor, version=claim.version, changes={"kind": "partial"})
    auth.login(editor)
    at = WIRE.index("in the past")
    response = client.post(f"/claims/{claim.id}/split", data={f"split-{claim.id}-at": at,
                                                              f"split-{claim.id}-version": 1})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone saved this claim" in page and f'value="{at}"' in page
    assert re.search(rf'<details class="claim-tools mt-1" open>\s*<summary>Correct claim #{claim.id}', page)
    assert service.get_claim(claim.id).content.startswith("We have seen more drones in the past")


def test_correction_forms_need_their_csrf_token(app, editor, wire, make_claim):
    claim = make_claim(wire, "Prices will fall", speaker="the minister")
    csrf_app = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                           "WTF_CSRF_ENABLED": True, "CLAIMDESK_ANN_DIR": app.config["CLAIMDESK_ANN_DIR"]})
    client = csrf_app.test_client()
    login = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
    client.post("/auth/login", data={"email": editor.email, "password": PASSWORD, "csrf_token": token})
    page = client.get(f"/articles/{wire.id}").get_data(as_text=True)
    add_token = re.search(r'name="add-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    for tool in ("span", "split", "remove"):  # every form of the page carries one
        assert f'name="{tool}-{claim.id}-csrf_token"' in page
    start, end = span_of(WIRE, "Wages will rise")
    data = {"add-start": start, "add-end": end, "add-kind": "direct"}
    assert client.post(f"/articles/{wire.id}/claims", data=data).status_code == 400
    assert client.post(f"/claims/{claim.id}/remove", data={f"remove-{claim.id}-version": 1}).status_code == 400
    assert client.post(f"/articles/{wire.id}/claims", data={**data, "add-csrf_token": add_token}).status_code == 302
    with csrf_app.app_context():
        db.engine.dispose()
