"""The OpenAPI description stays true: generated from the routes' own schemas (flask-smorest),
every /api/v1 operation declared with them, valid OpenAPI 3.1, and real responses that match."""
from __future__ import annotations

import re

import pytest
from flask import Flask
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from app import create_app
from app.api.openapi import openapi_document
from app.workflow import service

IGNORED_METHODS = {"HEAD", "OPTIONS"}
HINT = "declare it with flask-smorest decorators (see 'Adding an API route' in app/api/__init__.py)"


def api_operations(app: Flask) -> dict[tuple[str, str], str]:
    """(METHOD, OpenAPI path relative to /api/v1) -> endpoint for every route of the ``api`` blueprint."""
    operations = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".", 1)[0] != "api":
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule).removeprefix("/api/v1")
        for method in sorted(rule.methods - IGNORED_METHODS):
            operations[(method, path)] = rule.endpoint
    return operations


def description_problems(app: Flask) -> list[str]:
    """Routes not described, or described without the schemas the contract asks for, one line each."""
    with app.app_context():
        paths = openapi_document()["paths"]
    problems = []
    for (method, path), endpoint in sorted(api_operations(app).items()):
        op = paths.get(path, {}).get(method.lower())
        name = f"{method} /api/v1{path} (endpoint {endpoint})"
        if op is None:
            problems.append(f"{name} has no OpenAPI description: {HINT}")
            continue
        if not op.get("operationId"):
            problems.append(f"{name} has no operationId: add @bp.doc(operationId=...)")
        success = [code for code in op.get("responses", {}) if str(code).startswith("2")]
        if not any(op["responses"][code].get("content") or str(code) == "204" for code in success):
            problems.append(f"{name} declares no response schema: add @bp.response(STATUS, Schema)")
        if method in ("POST", "PUT", "PATCH") and "requestBody" not in op:
            problems.append(f"{name} declares no request body: add @bp.arguments(Schema) (required=False if optional)")
        if not {"400", "401", "404", "422"} & {str(code) for code in op.get("responses", {})} and op.get("security") != []:
            problems.append(f"{name} declares no error answers: add @errors(...)")
    return problems


def test_every_api_route_is_declared_by_schemas(app):
    problems = description_problems(app)
    assert not problems, "\n".join(problems)


def test_an_undeclared_route_is_named():
    """What the test above says when someone adds an API route without flask-smorest's decorators."""
    other = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    other.add_url_rule("/api/v1/claims/<int:claim_id>/not-described", endpoint="api.not_described",
                       view_func=lambda claim_id: "")
    assert description_problems(other) == [
        "GET /api/v1/claims/{claim_id}/not-described (endpoint api.not_described) has no OpenAPI description: "
        + HINT
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

