"""One path per action: take, assign, dismiss and reopen done on the claim page and through
the API call the same service function, so they leave the same history, field for field."""
from __future__ import annotations

import pytest
from flask import g

from app.workflow import service
from tests.conftest import PASSWORD

QUOTE = '"An attack on one ally will trigger a response from the whole alliance," Mr Stoltenberg said.'


@pytest.fixture
def twins(make_article, make_claim):
    """Two claims alike in every field (text, span, speaker, kind, cue, status, version), in two articles."""
    ids = []
    for n in (1, 2):
        article = make_article(f"{QUOTE}\n\nArticle {n}.", title=f"Article {n}")
        ids.append(make_claim(article, QUOTE[1:71], speaker="Jens Stoltenberg").id)
    return ids


def web_post(client, path: str, data: dict):
    g.pop("_login_user", None)  # each request loads its user, as a real one does
    response = client.post(path, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)


def api_post(client, headers, path: str, body: dict):
    response = client.post(f"/api/v1{path}", json=body, headers=headers)
    assert response.status_code == 200, response.get_json()


def events(claim_id: int) -> list[tuple]:
    return [(e.action, e.user_id, e.before, e.after) for e in service.history(claim_id)]


def test_each_action_leaves_the_same_history_by_web_and_by_api(app, twins, editor, editor2, admin, token_for):
    on_web, on_api = twins
    editor_web, admin_web = app.test_client(), app.test_client()
    for client, user in ((editor_web, editor), (admin_web, admin)):
        g.pop("_login_user", None)
        assert client.post("/auth/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    api, editor_token, admin_token = app.test_client(), token_for(editor), token_for(admin)

    web_post(editor_web, f"/claims/{on_web}/take", {"version": "1"})
    api_post(api, editor_token, f"/claims/{on_api}/take", {"version": 1})
    web_post(editor_web, f"/claims/{on_web}/assign", {"assignee": str(editor2.id), "version": "2"})
    api_post(api, editor_token, f"/claims/{on_api}/assign", {"assignee": editor2.email, "version": 2})
    web_post(editor_web, f"/claims/{on_web}/dismiss", {"reason": "Opinion, not checkable.", "version": "3"})
    api_post(api, editor_token, f"/claims/{on_api}/dismiss", {"reason": "Opinion, not checkable.", "version": 3})
    web_post(admin_web, f"/claims/{on_web}/reopen", {"reason": "It can be checked.", "version": "4"})
    api_post(api, admin_token, f"/claims/{on_api}/reopen", {"reason": "It can be checked.", "version": 4})

    by_web, by_api = events(on_web), events(on_api)
    assert [e[0] for e in by_web] == ["claim_extracted", "assigned", "assigned", "dismissed", "reopened"]
    assert by_web == by_api
    dismissed = by_api[3]
    assert (dismissed[1], dismissed[3]["status"], dismissed[3]["reason"]) == (
        editor.id, "dismissed", "Opinion, not checkable.")
