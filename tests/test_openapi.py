"""The OpenAPI description stays true: every /api/v1 route described, valid OpenAPI 3.1,
and real responses that match its schemas."""
from __future__ import annotations

import re

import pytest
from flask import Flask
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from app import create_app
from app.api.openapi import described_operations, openapi_document
from app.workflow import service

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def api_operations(app: Flask) -> dict[tuple[str, str], str]:
    """(METHOD, OpenAPI path) -> endpoint for every route of the ``api`` blueprint."""
    operations = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".", 1)[0] != "api":
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in sorted(rule.methods - IGNORED_METHODS):
            operations[(method, path)] = rule.endpoint
    return operations


def description_problems(app: Flask) -> list[str]:
    """Routes with no description and descriptions with no route, one line each."""
    routes, described = api_operations(app), described_operations()
    missing = [f"{method} {path} (endpoint {routes[(method, path)]}) has no OpenAPI description: "
               f"add it to PATHS in app/api/openapi.py" for method, path in sorted(set(routes) - described)]
    stale = [f"{method} {path} is described in app/api/openapi.py but the app has no such route"
             for method, path in sorted(described - set(routes))]
    return missing + stale


def test_every_api_route_is_described(app):
    problems = description_problems(app)
    assert not problems, "\n".join(problems)


def test_an_undescribed_route_is_named():
    """What the test above says when someone adds an API route without describing it."""
    other = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    other.add_url_rule("/api/v1/claims/<int:claim_id>/not-described", endpoint="api.not_described",
                       view_func=lambda claim_id: "")
    assert description_problems(other) == [
        "GET /api/v1/claims/{claim_id}/not-described (endpoint api.not_described) has no OpenAPI description: "
        "add it to PATHS in app/api/openapi.py"
    ]


def test_the_document_is_valid_openapi_3_1():
    document = openapi_document()
    assert document["openapi"].startswith("3.1")
    validate(document)  # raises with the first problem it finds


def test_served_without_a_token(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    body = response.get_json()
    assert body["servers"] == [{"url": "http://localhost/api/v1"}]
    assert body["paths"] == openapi_document()["paths"]
    assert body["paths"]["/openapi.json"]["get"]["security"] == []
    assert client.get("/api/v1/claims").status_code == 401  # the others still want one


# --- the schemas match what the API sends ----------------------------------------------------

def schema_validator(name: str) -> Draft202012Validator:
    document = openapi_document()
    return Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": document["components"]})


@pytest.fixture
def worked_claim(claims, editor, reviewer):
    """A claim with evidence, a comment and an approved verdict (through the services)."""
    claim_id = claims[1].id
    service.link_evidence(claim_id, user=editor, evidence=service.EvidenceInput(
        url="https://example.org/minutes", title="Minutes", stance="supports"))
    service.add_comment(claim_id, user=reviewer, body="Is the date right?")
    service.propose_verdict(claim_id, user=editor, verdict="mostly_true", rationale="The minutes agree.")
    service.approve(claim_id, user=reviewer)
    return claim_id


@pytest.mark.parametrize("schema, url", [
    ("ClaimPage", "/api/v1/claims?per_page=5"),
    ("ClaimDetail", "/api/v1/claims/{id}"),
    ("ClaimReview", "/api/v1/claims/{id}/claimreview"),
    ("ClaimReviewList", "/api/v1/claimreviews"),
    ("Error", "/api/v1/claims/99999"),
])
def test_responses_match_their_schemas(worked_claim, client, editor, token_for, schema, url):
    response = client.get(url.format(id=worked_claim), headers=token_for(editor))
    body = response.get_json()
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in schema_validator(schema).iter_errors(body)]
    assert errors == []


def test_created_article_matches_its_schema(client, editor, token_for):
    response = client.post("/api/v1/articles", headers=token_for(editor),
                           json={"text": '"We will win," the coach Ann Lee said.', "title": "Sport"})
    assert response.status_code == 201
    assert list(schema_validator("ArticleCreated").iter_errors(response.get_json())) == []

