"""The API over real HTTP (a live server on 127.0.0.1), as a client script would call it."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

from tests.test_ingest import STORY


def call(server, method: str, path: str, token: str | None = None, body: dict | None = None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(server.url + path, data=data, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_ingest_list_patch_and_conflict_over_http(live_server, editor, token_for):
    token = token_for(editor)["Authorization"].split()[1]
    status, created = call(live_server, "POST", "/api/v1/articles", token, {"text": STORY, "title": "Bridge"})
    assert status == 201 and created["claims"]
    status, again = call(live_server, "POST", "/api/v1/articles", token, {"text": STORY})
    assert status == 409 and again["error"]["details"]["existing_id"] == created["id"]

    status, listing = call(live_server, "GET", "/api/v1/claims?speaker=Lindqvist", token)
    assert status == 200 and listing["total"] >= 1
    claim = listing["items"][0]
    status, patched = call(live_server, "PATCH", f"/api/v1/claims/{claim['id']}", token,
                           {"version": claim["version"], "kind": "partial"})
    assert status == 200 and patched["version"] == claim["version"] + 1 and patched["kind"] == "partial"
    status, stale = call(live_server, "PATCH", f"/api/v1/claims/{claim['id']}", token,
                         {"version": claim["version"], "kind": "direct"})
    assert status == 409 and stale["error"]["code"] == "stale_version"

    status, unauthorised = call(live_server, "GET", "/api/v1/claims")
    assert status == 401 and unauthorised["error"]["code"] == "unauthorized"
